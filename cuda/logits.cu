// logits.cu: kernels logits_dense_kernel, logits_binary_kernel.
// Contract, host launch (Kernels), CPU twin, harness check and Java test of each: the kernel table of cuda/README.md.
// Z = X·Wᵀ + b, the logits of every row.
// Shapes: X is N×D floats, or N×wordsPerRow 64-bit words (feature j of row n = bit j%64 of word j/64); W is K×D;
// b is K; Z is N×K. All row-major.
// Threads: one thread per output Z[n,k] (e = n·K + k), grid-stride, so any grid and block size work. Neighbouring
// threads take neighbouring k of one row: they read the same x (one broadcast load) and rows of W, which are small
// and stay in cache. This is the readable path and the oracle of fused.cu, not the fast one.
#pragma once
#include "softmax4j.cuh"

extern "C" __global__ void logits_dense_kernel(const float* __restrict__ X, const float* __restrict__ W,
                                               const float* __restrict__ b, float* __restrict__ Z, int N, int D,
                                               int K) {
    S4J_GRID_STRIDE(e, (long long)N * K) {
        const long long n = e / K;
        const int k = (int)(e - n * K);
        const float* x = X + n * D;
        const float* w = W + (long long)k * D;
        float sum = 0.f;
        for (int j = 0; j < D; ++j) {
            sum = fmaf(x[j], w[j], sum);
        }
        Z[e] = b[k] + sum;
    }
}

// The same for bit-packed rows: the dot product with a 0/1 vector is the sum of W[k, j] over the set bits j.
extern "C" __global__ void logits_binary_kernel(const unsigned long long* __restrict__ X, int wordsPerRow,
                                                const float* __restrict__ W, const float* __restrict__ b,
                                                float* __restrict__ Z, int N, int D, int K) {
    S4J_GRID_STRIDE(e, (long long)N * K) {
        const long long n = e / K;
        const int k = (int)(e - n * K);
        const unsigned long long* x = X + n * wordsPerRow;
        const float* w = W + (long long)k * D;
        float sum = 0.f;
        for (int word = 0; word < wordsPerRow; ++word) {
            unsigned long long bits = x[word] & feature_mask(word, D);
            while (bits != 0ull) {
                const int j = word * 64 + __ffsll((long long)bits) - 1;
                sum += w[j];
                bits &= bits - 1ull;
            }
        }
        Z[e] = b[k] + sum;
    }
}
