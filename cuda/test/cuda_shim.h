// cuda_shim.h: just enough of CUDA to run this project's kernels, unchanged, on the CPU, compiled by g++.
// Model: a launch runs its blocks ONE AT A TIME, in blockIdx order; each CUDA thread of a block is a std::thread
// (from a pool made once, reused for every block and launch), __syncthreads is a std::barrier over the block's threads, and a
// barrier at the end of each block keeps the next block from starting while a thread of this one still runs.
// Because only one block runs at a time, `__shared__` can be a function-local static: one array, used by one block.
// Warp shuffles go through a per-warp exchange buffer and a 32-thread barrier (every lane must take part, as with a
// full mask on the GPU). Atomics (none used by the kernels today) go through std::atomic_ref.
// With S4J_SHIM_FIBERS defined (the CUDA emulator, cuda/emu), the threads of a block are fibers instead (shim_fibers.h):
// one host thread runs a whole block, switching fibers at each barrier, so blocks can run on several host threads at
// once; `__shared__`, gridDim and blockDim are then thread_local.
// What it does not model: the GPU's memory model (no races show up here that the barriers hide), the rounding of
// fast intrinsics, occupancy and timing. It checks logic and indexing; the device run is still owed.
#pragma once
#define S4J_CUDA_SHIM 1

#include <algorithm>
#include <atomic>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <math.h>
#include <memory>
#include <thread>
#include <vector>

struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct uint3 {
    unsigned x, y, z;
};
struct alignas(16) float4 {
    float x, y, z, w;
};
inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }

#ifdef S4J_SHIM_FIBERS
#define S4J_SHIM_TLS thread_local
#else
#define S4J_SHIM_TLS
#endif
inline S4J_SHIM_TLS dim3 gridDim;
inline S4J_SHIM_TLS dim3 blockDim;
inline thread_local uint3 blockIdx;
inline thread_local uint3 threadIdx;

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static S4J_SHIM_TLS
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)

using std::max;
using std::min;

inline int __ffsll(long long value) { return __builtin_ffsll(value); }
inline int __popcll(unsigned long long value) { return __builtin_popcountll(value); }
// The kernels use these to forbid FMA contraction; the harness is built with -ffp-contract=off to match.
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dmul_rn(double a, double b) { return a * b; }
template <typename T>
inline T __ldg(const T* p) { return *p; }

namespace s4jshim {

[[noreturn]] inline void fail(const char* what) {
    std::fprintf(stderr, "cuda_shim: %s\n", what);
    std::abort();
}

}  // namespace s4jshim

#ifdef S4J_SHIM_FIBERS
#include "shim_fibers.h"
#else
namespace s4jshim {

struct LaunchState {
    explicit LaunchState(unsigned threads) : blockBarrier(threads), exchange(threads) {
        for (unsigned w = 0; w * 32 < threads; ++w) {
            warpBarriers.push_back(std::make_unique<std::barrier<>>(std::min(32u, threads - w * 32)));
        }
    }
    std::barrier<> blockBarrier;
    std::vector<std::unique_ptr<std::barrier<>>> warpBarriers;
    std::vector<std::uint64_t> exchange;  // one slot per thread of the block
};

inline LaunchState* current = nullptr;

inline LaunchState& state() {
    if (current == nullptr) {
        fail("a device function ran outside a launch");
    }
    return *current;
}

// The CUDA threads: a pool of OS threads made once (thread creation dominated the run time when each launch made
// its own), parked between launches on a barrier with the launching thread. Pool thread t plays threadIdx.x = t.
class Pool {
public:
    static constexpr unsigned kThreads = 256;  // the largest block the harness launches
    static Pool& instance() {
        static Pool pool;
        return pool;
    }
    // Runs `body(t)` on pool threads t = 0..kThreads-1 and returns when all are done.
    template <typename Body>
    void run(Body& body) {
        job_ = [&body](unsigned t) { body(t); };
        start_.arrive_and_wait();
        done_.arrive_and_wait();
        job_ = nullptr;
    }
    ~Pool() {
        stopping_ = true;
        start_.arrive_and_wait();
        for (auto& thread : threads_) thread.join();
    }

private:
    Pool() : start_(kThreads + 1), done_(kThreads + 1) {
        for (unsigned t = 0; t < kThreads; ++t) {
            threads_.emplace_back([this, t] {
                for (;;) {
                    start_.arrive_and_wait();
                    if (stopping_) return;
                    job_(t);
                    done_.arrive_and_wait();
                }
            });
        }
    }
    std::barrier<> start_, done_;
    std::function<void(unsigned)> job_;
    std::atomic<bool> stopping_{false};
    std::vector<std::thread> threads_;
};

// Runs kernel<<<grid, block>>>(args...) and returns when every block is done (like a synchronised launch).
template <typename... Params, typename... Args>
void launch(void (*kernel)(Params...), dim3 grid, dim3 block, Args... args) {
    static_assert(sizeof...(Params) == sizeof...(Args), "argument count differs from the kernel's");
    if (block.y != 1 || block.z != 1 || block.x == 0 || block.x > Pool::kThreads) {
        fail("only 1-D blocks of 1..256 threads are modelled");
    }
    if (grid.x == 0 || grid.y == 0 || grid.z == 0) {
        fail("empty grid");
    }
    gridDim = grid;
    blockDim = block;
    LaunchState launchState(block.x);
    current = &launchState;
    auto body = [&](unsigned t) {
        if (t >= block.x) {
            return;
        }
        threadIdx = uint3{t, 0, 0};
        for (unsigned bz = 0; bz < grid.z; ++bz) {
            for (unsigned by = 0; by < grid.y; ++by) {
                for (unsigned bx = 0; bx < grid.x; ++bx) {
                    blockIdx = uint3{bx, by, bz};
                    kernel(static_cast<Params>(args)...);
                    launchState.blockBarrier.arrive_and_wait();  // end of block: its shared memory is free
                }
            }
        }
    };
    Pool::instance().run(body);
    current = nullptr;
}

}  // namespace s4jshim

inline void __syncthreads() { s4jshim::state().blockBarrier.arrive_and_wait(); }

template <typename T>
inline T s4j_shuffle(T value, unsigned sourceLane) {
    static_assert(sizeof(T) <= 8, "shuffle of a value wider than 64 bits");
    auto& st = s4jshim::state();
    const unsigned tid = threadIdx.x;
    const unsigned warp = tid / 32;
    const unsigned warpThreads = std::min(32u, blockDim.x - warp * 32);
    if (sourceLane >= warpThreads) {
        s4jshim::fail("shuffle from a lane past the end of a partial warp (blockDim.x not a multiple of 32?)");
    }
    std::uint64_t slot = 0;
    std::memcpy(&slot, &value, sizeof value);
    st.exchange[tid] = slot;
    st.warpBarriers[warp]->arrive_and_wait();  // every lane has published
    const std::uint64_t other = st.exchange[warp * 32 + sourceLane];
    st.warpBarriers[warp]->arrive_and_wait();  // every lane has read before any slot is overwritten
    T result;
    std::memcpy(&result, &other, sizeof result);
    return result;
}

#endif  // S4J_SHIM_FIBERS

template <typename T>
inline T __shfl_xor_sync(unsigned mask, T value, int laneMask, int width = 32) {
    if (mask != 0xffffffffu || width != 32) {
        s4jshim::fail("only full-warp shuffles are modelled");
    }
    return s4j_shuffle(value, (threadIdx.x % 32) ^ (unsigned)laneMask);
}

template <typename T>
inline T __shfl_sync(unsigned mask, T value, int sourceLane, int width = 32) {
    if (mask != 0xffffffffu || width != 32) {
        s4jshim::fail("only full-warp shuffles are modelled");
    }
    return s4j_shuffle(value, (unsigned)sourceLane);
}

template <typename T>
inline T atomicAdd(T* address, T value) {
    return std::atomic_ref<T>(*address).fetch_add(value);
}
