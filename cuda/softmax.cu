// softmax.cu: kernels softmax_residual_kernel, softmax_rows_kernel.
// Contract, host launch (Kernels), CPU twin, harness check and Java test of each: the kernel table of cuda/README.md.
// The numerically stable softmax of each row of logits, in place.
// Shapes: Z is N×K (row-major), labels N ints in 0..K-1, weights N floats ω_n ≥ 0 or NULL (every ω_n = 1),
// rowLogLikelihood N doubles, rowCorrect N ints.
// Threads: one thread per row, grid-stride; the row is read three times (max, exponentials, scaling), from cache
// after the first. One thread per row keeps every sum in a fixed order with no cross-thread step, like the CPU engine
// (ChunkedEvaluator.softmaxResidual), whose arithmetic these kernels repeat operation for operation.
#pragma once
#include "softmax4j.cuh"

// Per row: subtract the max (no exp overflows, the largest term is exactly 1), p = e / Σe, and replace Z by the
// residual Y − P. The label's residual 1 − p_y is computed as Σ_{k≠y} p_k: when p_y is near 1, 1 − p_y in float would
// cancel most of its digits. ln p_y = (z_y − max) − ln(e_y + Σ_{k≠y} e_k), the log taken in double so that a confident
// right answer keeps the digits of ln(1 + tiny). rowCorrect is 1 when the first largest logit is the label's.
// A label outside 0..K-1 (the host checks labels; this only keeps a bad one from reading out of bounds) gives a NaN
// log-likelihood, so that it cannot go unnoticed, and residuals −p.
// Weighted examples: the row's residuals are multiplied by ω_n in float after they are computed and its log-likelihood
// by ω_n in double, as the CPU engine does (ChunkedEvaluator.weigh); rowCorrect stays unweighted. A weight of 1 (NULL)
// changes nothing, bit for bit.
extern "C" __global__ void softmax_residual_kernel(float* __restrict__ Z, const int* __restrict__ labels,
                                                   const float* __restrict__ weights,
                                                   double* __restrict__ rowLogLikelihood,
                                                   int* __restrict__ rowCorrect, int N, int K) {
    S4J_GRID_STRIDE(n, N) {
        float* z = Z + n * K;
        const int label = labels[n];
        const float weight = weights ? weights[n] : 1.f;
        const bool labelValid = label >= 0 && label < K;
        float max = z[0];
        int best = 0;
        for (int k = 1; k < K; ++k) {
            if (z[k] > max) {
                max = z[k];
                best = k;
            }
        }
        const float labelLogit = (labelValid ? z[label] : 0.f) - max;
        float others = 0.f;
        float labelExp = 0.f;
        for (int k = 0; k < K; ++k) {
            const float e = expf(z[k] - max);
            z[k] = e;
            if (k == label) {
                labelExp = e;
            } else {
                others += e;
            }
        }
        const float inverse = 1.f / (others + labelExp);
        for (int k = 0; k < K; ++k) {
            z[k] = ((k == label) ? others * inverse : -z[k] * inverse) * weight;
        }
        rowLogLikelihood[n] = labelValid
                                  ? (double)weight * ((double)labelLogit - log((double)labelExp + (double)others))
                                  : (double)NAN;
        rowCorrect[n] = (labelValid && best == label) ? 1 : 0;
    }
}

// Z replaced by P = softmax(Z), row by row, with the same max subtraction (prediction; no labels).
extern "C" __global__ void softmax_rows_kernel(float* __restrict__ Z, int N, int K) {
    S4J_GRID_STRIDE(n, N) {
        float* z = Z + n * K;
        float max = z[0];
        for (int k = 1; k < K; ++k) {
            max = fmaxf(max, z[k]);
        }
        float sum = 0.f;
        for (int k = 0; k < K; ++k) {
            const float e = expf(z[k] - max);
            z[k] = e;
            sum += e;
        }
        const float inverse = 1.f / sum;
        for (int k = 0; k < K; ++k) {
            z[k] *= inverse;
        }
    }
}
