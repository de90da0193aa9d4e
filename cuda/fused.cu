// fused.cu: kernels fused_binary_kernel, fused_dense_kernel.
// Contract, host launch (Kernels), CPU twin, harness check and Java test of each: the kernel table of cuda/README.md.
// Logits, softmax, log-likelihood, number correct and gradient in ONE pass over a batch of rows, each block
// writing its own partial sums (no float atomics); reduce_partials_kernel then adds the blocks' partials in block order.
//
// Shapes: rows are `order ? order[start + i] : start + i` for i < count; X is N×wordsPerRow 64-bit words (binary:
// feature j = bit j%64 of word j/64) or N×D floats (dense); labels N ints; weights N floats ω_n ≥ 0, or NULL for every
// ω_n = 1 (indexed like labels, by the row's data index); W K×D, b K floats; K ≤ MAX_FUSED_CLASSES.
// With weights, L = Σ ω_n ln p_{n,y_n} and the gradient is Σ ω_n (y_n − p_n) x_nᵀ; the number correct stays unweighted.
// partials: gridDim.x slots of width K·D + K + 2 doubles; slot `blockIdx.x` gets ∂L/∂W (K×D), ∂L/∂b (K), L, correct.
//
// No __launch_bounds__: with (256) or (256, 2), ptxas 13.0 aimed at an occupancy the shared memory cannot reach
// and spilled (measured); without, it takes 92/89 registers (binary/dense, sm_90) and spills nothing on sm_75..sm_90.
// Launch: blockDim.x ≤ S4J_FUSED_MAX_THREADS (256) and a multiple of 32; any grid (a block with no rows writes zeros);
// no dynamic shared memory (the ~45 KB used is static). Other shapes, or K outside 1..MAX_FUSED_CLASSES, fill the
// block's slot with NaN instead of computing, so that a wrong launch cannot pass for a result.
//
// Threads: the batch is cut into tiles of blockDim.x rows; block b takes tiles b, b + gridDim.x, ... in order. For
// each tile:
//   phase A, one thread per row: the row's K logits in registers, the stable softmax (the same operations as
//     softmax_residual_kernel), ω ln p_y and the correct count into per-thread double/int accumulators, and the row's
//     weighted residuals ω (y − p) into a shared tile r[row][k] (k padded to a multiple of 4 for float4 reads): the
//     weight is folded in once per row, so phase B is the same with or without weights;
//   phase B, threads as owners of gradient entries: each owner sums its entries over the tile's rows in float, in row
//     order, and adds the tile's sum into the block's double partials (owned by this block alone, so no atomics).
// Float within a tile of ≤256 rows and double across tiles: at least as accurate as float tiles added with Kahan
// compensation, measured at 4.8e-6 relative error of G at N = 1e8 against 1.4e-1 for one float accumulator
// (docs/GPU-FACTS.md, "Precision of float32 sums"). Rows, tiles, owners and the order of every sum are
// fixed by (count, gridDim, blockDim): the results are bitwise the same from run to run on one GPU.
#pragma once
#include "softmax4j.cuh"

// One row's share of phase A, shared by both kernels: z holds the logits (bias included) for k < K, entries k ≥ K are
// ignored. Writes the residuals times the row's weight to r (KP floats, zeros past K) and adds weight · ln p_y and the
// correct flag to the accumulators. As the CPU engine (ChunkedEvaluator.weigh): the residual is scaled in float after
// it is computed, the log-likelihood in double; a weight of 1 (no weights) changes neither, bit for bit.
// Every loop runs over the compile-time MAX_FUSED_CLASSES with a `k < K` guard, and the label is matched with
// `k == label` against constant k: z stays in registers (a runtime index such as z[label] would put it in local memory).
static __device__ __forceinline__ void fused_softmax_row(float (&z)[MAX_FUSED_CLASSES], int label, float weight, int K,
                                                         int KP, float* __restrict__ r, double& logLikelihood,
                                                         int& correct) {
    float max = z[0];
    int best = 0;
    float labelLogit = z[0];
#pragma unroll
    for (int k = 1; k < MAX_FUSED_CLASSES; ++k) {
        if (k < K && z[k] > max) {
            max = z[k];
            best = k;
        }
        if (k == label) {
            labelLogit = z[k];
        }
    }
    float others = 0.f;
    float labelExp = 0.f;
#pragma unroll
    for (int k = 0; k < MAX_FUSED_CLASSES; ++k) {
        if (k < K) {
            z[k] = expf(z[k] - max);
            if (k == label) {
                labelExp = z[k];
            } else {
                others += z[k];
            }
        }
    }
    const float inverse = 1.f / (others + labelExp);
#pragma unroll
    for (int k = 0; k < MAX_FUSED_CLASSES; ++k) {
        if (k < KP) {
            r[k] = k >= K ? 0.f : (k == label ? others * inverse : -z[k] * inverse) * weight;
        }
    }
    const bool labelValid = label >= 0 && label < K;
    logLikelihood += labelValid
                         ? (double)weight * ((double)(labelLogit - max) - log((double)labelExp + (double)others))
                         : (double)NAN;
    correct += (labelValid && best == label) ? 1 : 0;
}

// Checks the launch shape; on a bad one, fills this block's slot with NaN and returns false (uniformly per block).
static __device__ __forceinline__ bool fused_launch_ok(int D, int K, int count, double* __restrict__ partials) {
    if (K >= 1 && K <= MAX_FUSED_CLASSES && D >= 1 && count >= 0 && blockDim.x <= S4J_FUSED_MAX_THREADS &&
        blockDim.x % S4J_WARP_SIZE == 0 && blockDim.y == 1 && blockDim.z == 1) {
        return true;
    }
    const long long width = (long long)K * D + K + 2;
    for (long long e = threadIdx.x; e < width && width > 0; e += blockDim.x) {
        partials[blockIdx.x * width + e] = (double)NAN;
    }
    return false;
}

// Zeroes this block's slot before any owner adds into it; the caller's next __syncthreads makes the zeros visible.
static __device__ __forceinline__ void fused_zero_slot(double* __restrict__ slot, long long width) {
    for (long long e = threadIdx.x; e < width; e += blockDim.x) {
        slot[e] = 0.0;
    }
}

// The bias gradient of one tile: owner g (0 ≤ g < KP/4) sums r[·][4g..4g+3] over the tile's rows and adds the sums
// into the slot's ∂L/∂b.
static __device__ __forceinline__ void fused_bias_owner(int g, const float4* __restrict__ r4, int G4, int rows, int K,
                                                        double* __restrict__ gradBias) {
    float4 acc = make_float4(0.f, 0.f, 0.f, 0.f);
    for (int n = 0; n < rows; ++n) {
        const float4 v = r4[n * G4 + g];
        acc.x += v.x;
        acc.y += v.y;
        acc.z += v.z;
        acc.w += v.w;
    }
    const int k = 4 * g;
    gradBias[k] += acc.x;
    if (k + 1 < K) gradBias[k + 1] += acc.y;
    if (k + 2 < K) gradBias[k + 2] += acc.z;
    if (k + 3 < K) gradBias[k + 3] += acc.w;
}

// ---------------------------------------------------------------------------------------------------------------
// Binary rows. Design (target: N = 1e8, D = 64, K = 10 in ≤ 10 ms on an H200, i.e. ~26 SM-cycles per row):
// A dense treatment costs 2·D·K = 1,280 multiply-adds per row on bits that are 0 or 1. Instead, both directions go
// through NIBBLES (4 features): with p = j/4,
//   logits:   table[p][v][k] = Σ_{bits b set in v} W[k, 4p + b]   (16 values v per nibble, built from W),
//             z_k = b_k + Σ_p table[p][nibble_p(x)][k]          → D/4 float4-vector lookups, D/4·K adds per row;
//   gradient: bins[p][v][k] += r_k for the row's nibble value v   → D/4·K adds per row (an owner thread per (p, 4 k's)
//             keeps its 16 bins private, in shared memory, so the sums run in row order without atomics);
//             at the end of the tile, ∂L/∂W[k][4p + b] += Σ_{v with bit b} bins[p][v][k]  (8 bins per entry, in
//             double) — 8·D·K adds per tile, ~20 per row at 256 rows.
// For D = 64, K = 10 that is ~16 lookups + 160 adds (logits), ~50 owner-threads × ~9 instructions (gradient), ~10
// exponentials: ~900 instructions per row against a budget of ~3,300 at 10 ms, and 8 bytes of X per row (the memory
// floor is ~0.2 ms). Nibbles rather than bytes: the byte table is 16× larger (80 KB for D=64, K=10) and would limit
// a block to one SM's worth of dynamic shared memory; the nibble table (10 KB) and bins (10 KB) fit in static shared
// memory beside the residual tile, so several blocks share an SM and hide the bins' read-add-write latency. The
// owners' chains (load bin, add, store, next row) are latency-bound: the other resident blocks' phase A fills the gap.
// For larger D·K the nibble positions are processed in chunks that fit (the table then rebuilt per tile and chunk,
// ~4·D·K/256 adds per row: small against the D/4·K lookups). Bits past D contribute nothing: the table holds zeros
// for them and their bins are never spread.
// ---------------------------------------------------------------------------------------------------------------
extern "C" __global__ void
fused_binary_kernel(const unsigned long long* __restrict__ X, int wordsPerRow, const int* __restrict__ labels,
                    const float* __restrict__ weights, const int* __restrict__ order, int start, int count,
                    const float* __restrict__ W, const float* __restrict__ b, int D, int K,
                    double* __restrict__ partials) {
    __shared__ __align__(16) float arena[S4J_FUSED_ARENA_FLOATS];
    __shared__ int rowOf[S4J_FUSED_MAX_THREADS];
    __shared__ double scratch[32];
    if (!fused_launch_ok(D, K, count, partials)) {
        return;
    }
    const int T = blockDim.x;
    const int t = threadIdx.x;
    const int KP = (K + 3) & ~3;  // classes padded to float4
    const int G4 = KP / 4;        // float4 groups of classes
    const long long width = (long long)K * D + K + 2;
    double* __restrict__ slot = partials + blockIdx.x * width;
    double* __restrict__ gradBias = slot + (long long)K * D;

    // Arena: r[T][KP] | table (positions × 16 × KP) | bins (positions × 16 × KP).
    float* __restrict__ r = arena;
    const int region = ((S4J_FUSED_ARENA_FLOATS - T * KP) / 2) & ~3;
    float* __restrict__ table = arena + T * KP;
    float* __restrict__ bins = table + region;
    const int positions = (D + 3) / 4;
    const int chunkPositions = region / (16 * KP);  // ≥ 3 for K ≤ 32, T ≤ 256
    const int chunks = (positions + chunkPositions - 1) / chunkPositions;
    const int nibbleMask = S4J_BUG(1) ? 7 : 15;

    // table[(p - p0)][v][k] for the positions [p0, p1): four loads per entry, no dependence between entries.
    auto buildTable = [&](int p0, int p1) {
        const int entries = (p1 - p0) * 16 * KP;
        for (int e = t; e < entries; e += T) {
            const int k = e % KP;
            const int v = (e / KP) & 15;
            const int p = p0 + e / (16 * KP);
            float sum = 0.f;
            if (k < K) {
#pragma unroll
                for (int bit = 0; bit < 4; ++bit) {
                    const int j = 4 * p + bit;
                    if (((v >> bit) & 1) && j < D) {
                        sum += W[(long long)k * D + j];
                    }
                }
            }
            table[e] = sum;
        }
    };

    fused_zero_slot(slot, width);
    if (chunks == 1) {
        buildTable(0, positions);  // once per block: W does not change during the launch
    }
    __syncthreads();

    double logLikelihood = 0.0;
    int correct = 0;
    const int tiles = (count + T - 1) / T;
    for (int tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
        const int first = tile * T;
        const int rows = min(T, count - first);
        const bool hasRow = t < rows;
        long long row = 0;
        if (hasRow) {
            row = order ? order[start + first + t] : start + first + t;
            rowOf[t] = (int)row;
        }
        const unsigned long long* x = X + row * wordsPerRow;

        // Phase A: logits of this thread's row, chunk by chunk of nibble positions.
        float z[MAX_FUSED_CLASSES];
#pragma unroll
        for (int k = 0; k < MAX_FUSED_CLASSES; ++k) {
            z[k] = k < K ? b[k] : 0.f;
        }
        for (int c = 0; c < chunks; ++c) {
            const int p0 = c * chunkPositions;
            const int p1 = min(positions, p0 + chunkPositions);
            if (chunks > 1) {
                __syncthreads();  // the previous chunk's lookups are done with the table
                buildTable(p0, p1);
                __syncthreads();
            }
            if (hasRow) {
                for (int p = p0; p < p1; ++p) {
                    const unsigned long long word = x[p >> 4];
                    const int v = (int)(word >> ((p & 15) * 4)) & nibbleMask;
                    const float4* entry = reinterpret_cast<const float4*>(table + ((p - p0) * 16 + v) * KP);
#pragma unroll
                    for (int q = 0; q < MAX_FUSED_CLASSES / 4; ++q) {
                        if (q < G4) {
                            const float4 e = entry[q];
                            z[4 * q] += e.x;
                            z[4 * q + 1] += e.y;
                            z[4 * q + 2] += e.z;
                            z[4 * q + 3] += e.w;
                        }
                    }
                }
            }
        }
        if (hasRow) {
            fused_softmax_row(z, labels[row], weights ? weights[row] : 1.f, K, KP, r + t * KP, logLikelihood,
                              correct);
        }
        __syncthreads();  // r and rowOf complete

        // Phase B: per chunk of positions, owners (p, g) fill their private bins, then the bins are spread onto W's
        // columns. Owners past the bins' (chunk 0 only) take the bias.
        const float4* r4 = reinterpret_cast<const float4*>(r);
        float4* bins4 = reinterpret_cast<float4*>(bins);
        for (int c = 0; c < chunks; ++c) {
            const int p0 = c * chunkPositions;
            const int p1 = min(positions, p0 + chunkPositions);
            const int binOwners = (p1 - p0) * G4;
            const int owners = binOwners + (c == 0 ? G4 : 0);
            for (int o = t; o < owners; o += T) {
                if (o >= binOwners) {
                    fused_bias_owner(o - binOwners, r4, G4, rows, K, gradBias);
                    continue;
                }
                const int pl = o / G4;
                const int g = o - pl * G4;
                const int p = p0 + pl;
                float4* myBins = bins4 + pl * 16 * G4 + g;  // bins of value v at myBins[v * G4]
#pragma unroll
                for (int v = 0; v < 16; ++v) {
                    myBins[v * G4] = make_float4(0.f, 0.f, 0.f, 0.f);
                }
                const int shift = (p & 15) * 4;
                const int wordIndex = p >> 4;
                const int binRows = S4J_BUG(4) ? rows - 1 : rows;
                for (int n = 0; n < binRows; ++n) {
                    const unsigned long long word = X[(long long)rowOf[n] * wordsPerRow + wordIndex];
                    const int v = (int)(word >> shift) & nibbleMask;
                    const float4 add = r4[n * G4 + g];
                    float4 bin = myBins[v * G4];
                    bin.x += add.x;
                    bin.y += add.y;
                    bin.z += add.z;
                    bin.w += add.w;
                    myBins[v * G4] = bin;
                }
            }
            __syncthreads();  // bins complete
            // Spread: entry (k, column 4p + bit) = Σ over the 8 values v with that bit set, in v order, in double.
            // Neighbouring threads take neighbouring columns of one class: the adds into the slot are coalesced.
            const int columns = (p1 - p0) * 4;
            for (int e = t; e < K * columns; e += T) {
                const int k = e / columns;
                const int cl = e - k * columns;
                const int j = 4 * p0 + cl;
                if (j >= D) {
                    continue;
                }
                const int pl = cl >> 2;
                const int bit = cl & 3;
                double sum = 0.0;
                for (int v = 0; v < 16; ++v) {
                    if ((v >> bit) & 1) {
                        sum += (double)bins[(pl * 16 + v) * KP + k];
                    }
                }
                slot[(long long)k * D + j] += sum;
            }
            __syncthreads();  // bins, r and rowOf free for the next chunk or tile
        }
    }

    const double blockLogLikelihood = block_sum(logLikelihood, scratch);
    const double blockCorrect = block_sum((double)correct, scratch);
    if (t == 0) {
        slot[(long long)K * D + K] = blockLogLikelihood;
        slot[(long long)K * D + K + 1] = blockCorrect;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Dense rows. D is typically 784..4096 and the work is 2·D·K multiply-adds per row, near the GPU's balance point, so
// the aim is to read X once per phase with coalesced loads, not to save arithmetic. The tile's rows are staged through
// shared memory a chunk of columns at a time (xs[row][column], row stride odd so that phase A's column walks and
// phase B's row walks are both free of bank conflicts):
//   phase A: thread per row, z_k += x_j · W[k, j] (W's loads are uniform across the warp: one broadcast each);
//   phase B: the chunk is staged again and owner (column j, classes 4g..4g+3) sums x_nj · r_n over the tile's rows.
// X is therefore read twice per tile (the second time often from L2): keeping a whole tile of 256 rows × D floats in
// shared memory is impossible at D = 784, and smaller tiles would multiply the double adds into the partials.
// ---------------------------------------------------------------------------------------------------------------
extern "C" __global__ void
fused_dense_kernel(const float* __restrict__ X, const int* __restrict__ labels, const float* __restrict__ weights,
                   const int* __restrict__ order, int start, int count, const float* __restrict__ W,
                   const float* __restrict__ b, int D, int K, double* __restrict__ partials) {
    __shared__ __align__(16) float arena[S4J_FUSED_ARENA_FLOATS];
    __shared__ int rowOf[S4J_FUSED_MAX_THREADS];
    __shared__ double scratch[32];
    if (!fused_launch_ok(D, K, count, partials)) {
        return;
    }
    const int T = blockDim.x;
    const int t = threadIdx.x;
    const int KP = (K + 3) & ~3;
    const int G4 = KP / 4;
    const long long width = (long long)K * D + K + 2;
    double* __restrict__ slot = partials + blockIdx.x * width;
    double* __restrict__ gradBias = slot + (long long)K * D;

    // Arena: r[T][KP] | xs[T][stride] with `chunkColumns` columns per chunk and an odd stride.
    float* __restrict__ r = arena;
    float* __restrict__ xs = arena + T * KP;
    const int chunkColumns = min(D, (S4J_FUSED_ARENA_FLOATS - T * KP) / T - 1);  // ≥ 11 for K ≤ 32, T ≤ 256
    const int stride = chunkColumns | 1;
    const int chunks = (D + chunkColumns - 1) / chunkColumns;

    // Copies columns [j0, j0 + columns) of the tile's rows into xs; neighbouring threads read neighbouring columns.
    auto stage = [&](int j0, int columns, int rows) {
        for (int e = t; e < rows * columns; e += T) {
            const int n = e / columns;
            const int jl = e - n * columns;
            xs[n * stride + jl] = X[(long long)rowOf[n] * D + j0 + jl];
        }
    };

    fused_zero_slot(slot, width);
    __syncthreads();

    double logLikelihood = 0.0;
    int correct = 0;
    const int tiles = (count + T - 1) / T;
    for (int tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
        const int first = tile * T;
        const int rows = min(T, count - first);
        const bool hasRow = t < rows;
        long long row = 0;
        if (hasRow) {
            row = order ? order[start + first + t] : start + first + t;
            rowOf[t] = (int)row;
        }

        float z[MAX_FUSED_CLASSES];
#pragma unroll
        for (int k = 0; k < MAX_FUSED_CLASSES; ++k) {
            z[k] = k < K ? b[k] : 0.f;
        }
        for (int c = 0; c < chunks; ++c) {
            const int j0 = c * chunkColumns;
            const int columns = min(chunkColumns, D - j0);
            __syncthreads();  // rowOf written; the previous chunk's readers are done with xs
            stage(j0, columns, rows);
            __syncthreads();
            if (hasRow) {
                // Not unrolled: the K-way unrolled body is already long, and unrolling here costs registers (spills).
#pragma unroll 1
                for (int jl = 0; jl < columns; ++jl) {
                    const float xv = xs[t * stride + jl];
                    // One pointer walked down W's column (not K precomputed addresses: 2 registers, not 2·K).
                    const float* w = W + j0 + jl;
#pragma unroll
                    for (int k = 0; k < MAX_FUSED_CLASSES; ++k) {
                        if (k < K) {
                            z[k] = fmaf(xv, *w, z[k]);
                            w += D;
                        }
                    }
                }
            }
        }
        if (hasRow) {
            const long long weightIndex = S4J_BUG(5) ? start + first + t : row;
            fused_softmax_row(z, labels[row], weights ? weights[weightIndex] : 1.f, K, KP, r + t * KP,
                              logLikelihood, correct);
        }

        const float4* r4 = reinterpret_cast<const float4*>(r);
        for (int c = 0; c < chunks; ++c) {
            const int j0 = c * chunkColumns;
            const int columns = min(chunkColumns, D - j0);
            __syncthreads();  // r complete; xs free
            stage(j0, columns, rows);
            __syncthreads();
            const int gradOwners = columns * G4;
            const int owners = gradOwners + (c == 0 ? G4 : 0);
            for (int o = t; o < owners; o += T) {
                if (o >= gradOwners) {
                    fused_bias_owner(o - gradOwners, r4, G4, rows, K, gradBias);
                    continue;
                }
                // Neighbouring threads: neighbouring columns, same classes (r loads are broadcasts).
                const int g = o / columns;
                const int jl = o - g * columns;
                float4 acc = make_float4(0.f, 0.f, 0.f, 0.f);
                for (int n = 0; n < rows; ++n) {
                    const float xv = xs[n * stride + jl];
                    const float4 rv = r4[n * G4 + g];
                    acc.x = fmaf(xv, rv.x, acc.x);
                    acc.y = fmaf(xv, rv.y, acc.y);
                    acc.z = fmaf(xv, rv.z, acc.z);
                    acc.w = fmaf(xv, rv.w, acc.w);
                }
                const int k = 4 * g;
                const long long j = j0 + jl;
                slot[(long long)k * D + j] += acc.x;
                if (k + 1 < K) slot[(long long)(k + 1) * D + j] += acc.y;
                if (k + 2 < K) slot[(long long)(k + 2) * D + j] += acc.z;
                if (k + 3 < K) slot[(long long)(k + 3) * D + j] += acc.w;
            }
        }
        __syncthreads();  // r, xs and rowOf free for the next tile
    }

    const double blockLogLikelihood = block_sum(logLikelihood, scratch);
    const double blockCorrect = block_sum((double)correct, scratch);
    if (t == 0) {
        slot[(long long)K * D + K] = blockLogLikelihood;
        slot[(long long)K * D + K + 1] = blockCorrect;
    }
}
