// update.cu: kernels ascent_update_kernel, ascent_sums_kernel, momentum_update_kernel.
// Contract, host launch (Kernels), CPU twin, harness check and Java test of each: the kernel table of cuda/README.md.
// One step of gradient ascent on the penalised log-likelihood of a batch of B of the N examples,
//   F_B = L_B − (λ·B/N)/2·‖W‖²:   W += step·(gradW − lambdaShare·W),  b += step·gradBias,
// with step = η/B and lambdaShare = λ·B/N (the batch's share of the penalty, so that the B/N shares of one epoch add up
// to λ); gradW is ∂L_B/∂W without the penalty, gradBias ∂L_B/∂b (the bias is not penalised).
// Shapes: W K×D floats, b K floats, gradW K×D doubles, gradBias K doubles.
// Threads: one per parameter (K·D weights, then K biases), grid-stride, any grid.
// The arithmetic is done in double, then rounded to float, like the Java code; __dmul_rn/__dadd_rn forbid the
// compiler to fuse them into an FMA, so that a step gives the same bits as the CPU engine's.
#pragma once
#include "softmax4j.cuh"

extern "C" __global__ void ascent_update_kernel(float* __restrict__ W, float* __restrict__ b,
                                                const double* __restrict__ gradW,
                                                const double* __restrict__ gradBias, double step,
                                                double lambdaShare, int K, int D) {
    const long long weights = (long long)K * D;
    S4J_GRID_STRIDE(i, weights + K) {
        if (i < weights) {
            const double w = (double)W[i];
            const double g = __dadd_rn(gradW[i], -__dmul_rn(lambdaShare, w));
            W[i] = (float)__dadd_rn(w, __dmul_rn(step, g));
        } else {
            const long long k = i - weights;
            b[k] = (float)__dadd_rn((double)b[k], __dmul_rn(step, gradBias[k]));
        }
    }
}

// ---- Safeguarded, centred, accelerated ascent with its iterates on the device (train.SafeguardedAscent) ----------
// The point y (the one evaluated), the previous step's end x_k and the best point are doubles on the device, W×D then
// the K biases (P = K·D + K values each); W and b hold y rounded to float, which the fused kernels evaluate. After an
// evaluation the sums buffer holds ∂L/∂W (K×D), ∂L/∂b (K), L and the number correct (fused path; the unfused path
// leaves its counts apart). ∇F = (∂L/∂W − λW, ∂L/∂b): the bias is not penalised; without a bias (fitBias 0) ∂L/∂b
// counts as 0 and b is never moved. The centred direction (means non-NULL; train.SafeguardedAscent#center) is
//   r = ∇_W F − (∂L/∂b) μᵀ,   d_b = ratio·∂L/∂b − r·μ   (per class; r·μ is the class's `shift`),
// and without means r = ∇_W F, d_b = ∂L/∂b. Per-element arithmetic is spelt with __dmul_rn/__dadd_rn so that the
// compiler cannot fuse it into an FMA: the elementwise results are bitwise the Java code's.

// One row of ascent_sums_kernel's output per class (and the layout org.softmax4j.engine.AscentSums reads).
#define S4J_ASCENT_ROW 12

// Largest |value| over the block, returned to every thread (the same contract as block_sum; max is exact, so the
// order does not matter).
static __device__ __forceinline__ double block_max(double value, double* scratch) {
#pragma unroll
    for (int offset = S4J_WARP_SIZE / 2; offset > 0; offset >>= 1) {
        value = fmax(value, __shfl_xor_sync(S4J_FULL_MASK, value, offset));
    }
    const int lane = threadIdx.x & (S4J_WARP_SIZE - 1);
    const int warp = threadIdx.x / S4J_WARP_SIZE;
    if (lane == 0) {
        scratch[warp] = value;
    }
    __syncthreads();
    double total = scratch[0];
    const int warps = blockDim.x / S4J_WARP_SIZE;
    for (int w = 1; w < warps; ++w) {
        total = fmax(total, scratch[w]);
    }
    __syncthreads();
    return total;
}

// ascent_sums_kernel: what the host needs after an evaluation, per class k, as one small read-back: out row k =
//   [0] Σ_j W²   [1] Σ_j (∂F/∂W)²   [2] max_j |∂F/∂W|   [3] Σ u²   [4] Σ u·v   [5] Σ v²   [6] Σ_j S_kj W_kj
//   [7] Σ_j s_j W_kj   [8] slope_k   [9] shift_k = r·μ   [10] ∂L/∂b_k (0 without a bias)   [11] b_k
// with u = ∂F/∂W − ĝ_k s/Ω and v = S − λW − c_k s/Ω (ĝ = ∂L/∂b less its mean over classes): the duality gap's
// ‖(1 − t)u + t·v‖² of train.DualityGap as three sums (S, s, c, Ω: that class's sums; NULL S: no gap, [3..7] are 0);
// slope_k = ∇F·(x_{k+1} − x_k) over the class's parameters, x_{k+1} = y + step·d (the accelerated step's restart
// test). Then out[K·ROW] = L and out[K·ROW + 1] = the number correct, copied from the sums.
// Shapes: W K×D floats, b K, sums K·D + K + 2 doubles, point/previous K·D + K doubles, means D (or NULL),
// classSums K×D, featureSums D, classWeights K (or all three NULL), out K·ROW + 2 doubles.
// Threads: one block per class (grid-stride over classes), threads over j; blockDim.x a multiple of 32.
extern "C" __global__ void ascent_sums_kernel(const float* __restrict__ W, const float* __restrict__ b,
                                              const double* __restrict__ sums, const double* __restrict__ point,
                                              const double* __restrict__ previous, const double* __restrict__ means,
                                              const double* __restrict__ classSums,
                                              const double* __restrict__ featureSums,
                                              const double* __restrict__ classWeights, double totalWeight,
                                              double lambda, double step, double biasRatio, int fitBias, int K, int D,
                                              double* __restrict__ out) {
    __shared__ double scratch[32];
    const long long weights = (long long)K * D;
    // ĝ's mean over classes, in the host's order (train.DualityGap#at).
    double mean = 0;
    if (fitBias) {
        for (int k = 0; k < K; ++k) {
            mean += sums[weights + k] / K;
        }
    }
    for (int k = blockIdx.x; k < K; k += gridDim.x) {
        const long long row = (long long)k * D;
        const double gb = fitBias ? sums[weights + k] : 0.0;
        const double centred = S4J_BUG(6) ? gb : __dadd_rn(gb, -mean);
        double squares = 0, gradSquares = 0, gradMax = 0, uu = 0, uv = 0, vv = 0, sw = 0, fw = 0, slope = 0,
               shift = 0;
        for (int j = threadIdx.x; j < D; j += blockDim.x) {
            const double w = (double)W[row + j];
            const double g = __dadd_rn(sums[row + j], -__dmul_rn(lambda, w));
            squares += w * w;
            gradSquares += g * g;
            gradMax = fmax(gradMax, fabs(g));
            if (classSums != nullptr) {
                const double s = featureSums[j];
                const double u = __dadd_rn(g, -(centred * s / totalWeight));
                const double v = __dadd_rn(__dadd_rn(classSums[row + j], -__dmul_rn(lambda, w)),
                                           -(classWeights[k] * s / totalWeight));
                uu += u * u;
                uv += u * v;
                vv += v * v;
                sw += classSums[row + j] * w;
                fw += s * w;
            }
            const double r = means != nullptr ? __dadd_rn(g, -__dmul_rn(gb, means[j])) : g;
            if (means != nullptr) {
                shift += r * means[j];
            }
            const double next = __dadd_rn(point[row + j], __dmul_rn(step, r));
            slope += g * __dadd_rn(next, -previous[row + j]);
        }
        squares = block_sum(squares, scratch);
        gradSquares = block_sum(gradSquares, scratch);
        gradMax = block_max(gradMax, scratch);
        uu = block_sum(uu, scratch);
        uv = block_sum(uv, scratch);
        vv = block_sum(vv, scratch);
        sw = block_sum(sw, scratch);
        fw = block_sum(fw, scratch);
        slope = block_sum(slope, scratch);
        shift = block_sum(shift, scratch);
        if (threadIdx.x == 0) {
            const long long i = weights + k;
            const double direction = means != nullptr ? __dadd_rn(__dmul_rn(biasRatio, gb), -shift) : gb;
            const double next = __dadd_rn(point[i], __dmul_rn(step, direction));
            double* o = out + (long long)k * S4J_ASCENT_ROW;
            o[0] = squares;
            o[1] = gradSquares;
            o[2] = gradMax;
            o[3] = uu;
            o[4] = uv;
            o[5] = vv;
            o[6] = sw;
            o[7] = fw;
            o[8] = slope + gb * __dadd_rn(next, -previous[i]);
            o[9] = shift;
            o[10] = gb;
            o[11] = (double)b[k];
            if (k == 0) {
                out[(long long)K * S4J_ASCENT_ROW] = sums[weights + K];
                out[(long long)K * S4J_ASCENT_ROW + 1] = sums[weights + K + 1];
            }
        }
    }
}

// momentum_update_kernel: one accelerated step, x_{k+1} = y + step·d(y), y ← x_{k+1} + beta·(x_{k+1} − x_k),
// x_k ← x_{k+1}, and W, b ← y rounded to float (beta 0: a plain step). d from the sums of the evaluation at y and the
// classes' `shift` in ascentSums (ascent_sums_kernel's output, read at column 9).
// Shapes: W K×D floats, b K, point/previous K·D + K doubles, sums K·D + K + 2 doubles, ascentSums K·ROW + 2 doubles,
// means D (or NULL). Threads: one per parameter (K·D weights, then K biases), grid-stride, any grid.
extern "C" __global__ void momentum_update_kernel(float* __restrict__ W, float* __restrict__ b,
                                                  double* __restrict__ point, double* __restrict__ previous,
                                                  const double* __restrict__ sums,
                                                  const double* __restrict__ ascentSums,
                                                  const double* __restrict__ means, double lambda, double step,
                                                  double beta, double biasRatio, int fitBias, int K, int D) {
    const long long weights = (long long)K * D;
    S4J_GRID_STRIDE(i, weights + K) {
        double direction;
        if (i < weights) {
            const double g = __dadd_rn(sums[i], -__dmul_rn(lambda, (double)W[i]));
            const long long k = i / D;
            const double gb = fitBias ? sums[weights + k] : 0.0;
            direction = means != nullptr ? __dadd_rn(g, -__dmul_rn(gb, means[i - k * D])) : g;
        } else if (fitBias) {
            const long long k = i - weights;
            const double gb = sums[i];
            direction = means != nullptr
                    ? __dadd_rn(__dmul_rn(biasRatio, gb), -ascentSums[k * S4J_ASCENT_ROW + 9]) : gb;
        } else {
            continue;  // no bias: b stays as uploaded
        }
        const double next = __dadd_rn(point[i], __dmul_rn(step, direction));
        if (S4J_BUG(7)) {
            previous[i] = next;  // planted: x_k overwritten before the momentum term reads it
        }
        const double y = __dadd_rn(next, __dmul_rn(beta, __dadd_rn(next, -previous[i])));
        previous[i] = next;
        point[i] = y;
        if (i < weights) {
            W[i] = (float)y;
        } else {
            b[i - weights] = (float)y;
        }
    }
}
