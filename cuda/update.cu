// update.cu: kernels ascent_update_kernel.
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
