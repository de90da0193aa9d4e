// softmax4j_module.cu: kernels none (it includes every kernel file).
// Contract, host launch (Kernels), CPU twin, harness check and Java test of each: the kernel table of cuda/README.md.
// The one translation unit nvcc compiles, so that every kernel lands in one module (one fatbin,
// one PTX) that the host loads once. The cuda/test harness compiles the same file with g++ through its shim.
#include "softmax4j.cuh"
#include "logits.cu"
#include "softmax.cu"
#include "gradient.cu"
#include "reduce.cu"
#include "update.cu"
#include "fused.cu"
