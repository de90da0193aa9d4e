// softmax4j.cuh: what every kernel file shares: the sizes the fused kernels are built around, ceil_div, and the
// warp and block sums. Compiled by nvcc for the device, and by g++ through cuda/test/cuda_shim.h for the CPU harness;
// the kernels use only what both provide.
#pragma once

#if !defined(__CUDACC__) && !defined(S4J_CUDA_SHIM)
#error "softmax4j kernels: compile with nvcc, or include cuda/test/cuda_shim.h first"
#endif

// The largest K the fused kernels take. They keep a row's K logits in registers (fully unrolled loops over
// MAX_FUSED_CLASSES with a `k < K` guard, so every index is a compile-time constant and nothing goes to local memory).
// With 32, the fused kernels use 92 (binary) and 89 (dense) registers at sm_90, no spill (cuda/build-report.txt):
// two blocks of 256 threads per SM. 64 would add ~32-64 registers per thread (one block per SM, or spills), and the
// residual tile (256 rows × 64 floats = 64 KB) would not fit in static shared memory beside the lookup tables.
// Larger K goes through the unfused kernels.
#define MAX_FUSED_CLASSES 32

// Threads per block of the fused kernels: at most this many, a multiple of 32. One tile of rows = one row per thread.
#define S4J_FUSED_MAX_THREADS 256

// Static shared memory of the fused kernels, in floats (44 KB): the residual tile (rows × K rounded up to 4) and the
// per-chunk tables share it. Static, so that the host launches with sharedMemBytes = 0 and needs no opt-in attribute.
#define S4J_FUSED_ARENA_FLOATS 11264

#define S4J_WARP_SIZE 32
#define S4J_FULL_MASK 0xffffffffu

// Device helpers are `static` (internal linkage) so that the harness can compile this header once per
// translation unit without duplicate symbols; nvcc inlines them anyway.
static __device__ __forceinline__ long long ceil_div(long long a, long long b) {
    return (a + b - 1) / b;
}

// Σ over the 32 lanes of a warp by an xor butterfly. Every lane ends with the same bits: each step adds the same two
// values on both partner lanes, and float/double addition is commutative. Must be called by all 32 lanes.
template <typename T>
static __device__ __forceinline__ T warp_sum(T value) {
#pragma unroll
    for (int offset = S4J_WARP_SIZE / 2; offset > 0; offset >>= 1) {
        value += __shfl_xor_sync(S4J_FULL_MASK, value, offset);
    }
    return value;
}

// Σ over the block, returned to every thread, in an order fixed by blockDim alone (warp butterflies, then warp 0's,
// warp 1's, ... sums in order), so that a result is bitwise the same from run to run. Every thread of the block must
// call it (it contains __syncthreads); blockDim.x must be a multiple of 32. `scratch` holds 32 values in shared
// memory; the trailing barrier lets the caller reuse it at once.
template <typename T>
static __device__ __forceinline__ T block_sum(T value, T* scratch) {
    value = warp_sum(value);
    const int lane = threadIdx.x & (S4J_WARP_SIZE - 1);
    const int warp = threadIdx.x / S4J_WARP_SIZE;
    if (lane == 0) {
        scratch[warp] = value;
    }
    __syncthreads();
    T total = scratch[0];
    const int warps = blockDim.x / S4J_WARP_SIZE;
    for (int w = 1; w < warps; ++w) {
        total += scratch[w];
    }
    __syncthreads();
    return total;
}

// The bits of word `w` of a bit-packed row that are features (< D). The contract says bits past D are zero; masking
// them costs one AND and makes a malformed row unable to index past a row of W.
static __device__ __forceinline__ unsigned long long feature_mask(int w, int D) {
    const int valid = D - w * 64;
    if (valid >= 64) {
        return ~0ull;
    }
    return valid <= 0 ? 0ull : ((1ull << valid) - 1ull);
}

// Grid-stride loops: every kernel except the one-block reductions accepts any grid.
#define S4J_GRID_STRIDE(index, total)                                                                        \
    for (long long index = (long long)blockIdx.x * blockDim.x + threadIdx.x; index < (long long)(total);    \
         index += (long long)gridDim.x * blockDim.x)

// A deliberately wrong variant for the harness's planted-bug check (cuda/test/run.sh). Never defined by nvcc builds.
#ifdef PLANT_BUG
extern int s4j_planted_bug;
#define S4J_BUG(n) (s4j_planted_bug == (n))
#else
#define S4J_BUG(n) false
#endif
