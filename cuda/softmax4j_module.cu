// softmax4j_module.cu: the one translation unit nvcc compiles, so that every kernel lands in one module (one fatbin,
// one PTX) that the host loads once. The cuda/test harness compiles the same file with g++ through its shim.
#include "softmax4j.cuh"
#include "logits.cu"
#include "softmax.cu"
#include "gradient.cu"
#include "reduce.cu"
#include "update.cu"
#include "fused.cu"
