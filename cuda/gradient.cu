// gradient.cu: kernels gradient_dense_kernel, gradient_binary_kernel, bias_gradient_kernel.
// Contract, host launch (Kernels), CPU twin, harness check and Java test of each: the kernel table of cuda/README.md.
// G = Rᵀ·X (∂L/∂W, K×D) and ∂L/∂b = Σ_n R[n, :], from the residuals R = Y − P (N×K floats).
// Shapes: R is N×K, X is N×D floats or N×wordsPerRow 64-bit words, G is K×D doubles, gradBias is K doubles.
// Threads (G): one thread per entry G[k, j], grid-stride; neighbouring threads take neighbouring j, so the loads of X
// are coalesced and the load of R[n, k] is one broadcast. Each entry is summed over n = 0..N-1 in order, in double
// (a float product of two floats is exact in double), so G is the exact-order oracle for fused.cu's partials.
#pragma once
#include "softmax4j.cuh"

extern "C" __global__ void gradient_dense_kernel(const float* __restrict__ R, const float* __restrict__ X,
                                                 double* __restrict__ G, int N, int D, int K) {
    S4J_GRID_STRIDE(e, (long long)K * D) {
        const int k = (int)(e / D);
        const int j = (int)(e - (long long)k * D);
        double sum = 0.0;
        for (long long n = 0; n < N; ++n) {
            sum += (double)R[n * K + k] * (double)X[n * D + (S4J_BUG(3) ? (D - 1 - j) : j)];
        }
        G[e] = sum;
    }
}

// The same for bit-packed rows: Σ of R[n, k] over the rows whose bit j is set.
extern "C" __global__ void gradient_binary_kernel(const float* __restrict__ R, const unsigned long long* __restrict__ X,
                                                  int wordsPerRow, double* __restrict__ G, int N, int D, int K) {
    S4J_GRID_STRIDE(e, (long long)K * D) {
        const int k = (int)(e / D);
        const int j = (int)(e - (long long)k * D);
        const int word = j >> 6;
        const int bit = j & 63;
        double sum = 0.0;
        for (long long n = 0; n < N; ++n) {
            if ((X[n * wordsPerRow + word] >> bit) & 1ull) {
                sum += (double)R[n * K + k];
            }
        }
        G[e] = sum;
    }
}

// gradBias[k] = Σ_n R[n, k]. One block per class (grid-stride over k by block), the block's threads striding over n
// and summing in double, then a block sum in a fixed order. blockDim.x must be a multiple of 32; any grid.
extern "C" __global__ void bias_gradient_kernel(const float* __restrict__ R, double* __restrict__ gradBias, int N,
                                                int K) {
    __shared__ double scratch[32];
    // The loop bound depends on blockIdx only, so every thread of a block makes the same block_sum calls.
    for (int k = blockIdx.x; k < K; k += gridDim.x) {
        double sum = 0.0;
        for (long long n = threadIdx.x; n < N; n += blockDim.x) {
            sum += (double)R[n * K + k];
        }
        sum = block_sum(sum, scratch);
        if (threadIdx.x == 0) {
            gradBias[k] = sum;
        }
    }
}
