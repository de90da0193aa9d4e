// reduce.cu: kernels sum_doubles_kernel, sum_ints_kernel, reduce_partials_kernel.
// Contract, host launch (Kernels), CPU twin, harness check and Java test of each: the kernel table of cuda/README.md.
// The final sums, in double (or 64-bit integers), in an order fixed by the launch shape alone, so that a
// result is bitwise the same from run to run (no atomics).
// sum_doubles_kernel / sum_ints_kernel: ONE block (blocks other than 0 return at once); thread t sums values t,
// t + blockDim, ... in order, then a block sum. blockDim.x must be a multiple of 32.
// reduce_partials_kernel: one thread per output i (grid-stride, any grid), summing the blocks' partials in block order;
// neighbouring threads read neighbouring i of one block's row, so the loads are coalesced.
#pragma once
#include "softmax4j.cuh"

extern "C" __global__ void sum_doubles_kernel(const double* __restrict__ values, int count, double* __restrict__ out) {
    __shared__ double scratch[32];
    if (blockIdx.x != 0) {
        return;  // the whole block leaves: no thread of it is left waiting at a barrier
    }
    double sum = 0.0;
    for (int i = threadIdx.x; i < count; i += blockDim.x) {
        sum += values[i];
    }
    sum = block_sum(sum, scratch);
    if (threadIdx.x == 0) {
        out[0] = sum;
    }
}

extern "C" __global__ void sum_ints_kernel(const int* __restrict__ values, int count, long long* __restrict__ out) {
    __shared__ long long scratch[32];
    if (blockIdx.x != 0) {
        return;
    }
    long long sum = 0;
    for (int i = threadIdx.x; i < count; i += blockDim.x) {
        sum += values[i];
    }
    sum = block_sum(sum, scratch);
    if (threadIdx.x == 0) {
        out[0] = sum;
    }
}

extern "C" __global__ void reduce_partials_kernel(const double* __restrict__ partials, int numBlocks, int width,
                                                  double* __restrict__ out) {
    S4J_GRID_STRIDE(i, width) {
        double sum = 0.0;
        const int blocks = S4J_BUG(2) ? numBlocks - 1 : numBlocks;
        for (int block = 0; block < blocks; ++block) {
            sum += partials[(long long)block * width + i];
        }
        out[i] = sum;
    }
}
