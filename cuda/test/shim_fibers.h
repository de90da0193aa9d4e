// shim_fibers.h: the fiber executor of cuda_shim.h (included by it when S4J_SHIM_FIBERS is defined; the CUDA emulator
// in cuda/emu uses it). One host thread runs one whole block at a time: each CUDA thread of the block is a fiber with
// its own stack, and a fiber runs until it reaches a barrier (__syncthreads, or the warp barrier inside a shuffle),
// then the next fiber runs. A barrier opens when every live thread of its scope (block or warp) has arrived; a thread
// that has returned no longer counts. When a round over the block's fibers finds none able to run, the threads wait at
// barriers that can never open (a __syncthreads in divergent code): the executor stops with that message.
// Why fibers: with a std::thread per CUDA thread (the harness's model), every barrier costs futex wake-ups of 256 OS
// threads and blocks run one at a time; here a barrier costs 256 user-space switches of ~6 instructions, and blocks of
// one launch run on as many host threads as there are cores. x86-64 System V only (the switch is 14 instructions of
// assembly below); the kernels never change MXCSR or the x87 control word, so those are not saved.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <string>

// Under AddressSanitizer (the harness's build) every switch is announced to it, and a stack is unpoisoned before it
// is reused: a fiber that ends never unwinds its last frames, whose redzones would otherwise stay poisoned.
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define S4J_FIBER_ASAN 1
#else
#define S4J_FIBER_ASAN 0
#endif

extern "C" void s4j_fiber_switch(void** saveStack, void* loadStack);
extern "C" void s4j_fiber_start();

// s4j_fiber_switch pushes the callee-saved registers, saves the stack pointer to *saveStack, loads loadStack and pops
// the other fiber's registers; its `ret` resumes that fiber. A new fiber's stack is laid out so that the first switch
// "returns" into s4j_fiber_start with r12 = its argument and r13 = its entry function. Weak: every translation unit
// that includes this header may emit them.
__asm__(R"(
    .text
    .weak s4j_fiber_switch
    .type s4j_fiber_switch, @function
s4j_fiber_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size s4j_fiber_switch, .-s4j_fiber_switch
    .weak s4j_fiber_start
    .type s4j_fiber_start, @function
s4j_fiber_start:
    movq %r12, %rdi
    callq *%r13
    ud2
    .size s4j_fiber_start, .-s4j_fiber_start
)");

namespace s4jshim {

// Bytes of stack per CUDA thread, plus one PROT_NONE guard page below each stack (an overflow faults at once).
inline constexpr size_t kFiberStackBytes = 128 * 1024;
inline constexpr unsigned kMaxBlockThreads = 1024;

struct Fiber {
    void* stack = nullptr;            // saved stack pointer while suspended
    const unsigned long long* waitOn = nullptr;  // the generation counter of the barrier it waits at
    unsigned long long waitValue = 0;            // ... and the value it had on arrival
    bool done = false;
};

// The state of the block this host thread is running. One per host thread, reused for every block.
struct BlockRun {
    unsigned threads = 0;
    unsigned current = 0;
    unsigned remaining = 0;
    void* schedulerStack = nullptr;
    void (*body)(void*) = nullptr;
    void* bodyArg = nullptr;
    Fiber fibers[kMaxBlockThreads];
    // Barriers: arrivals, live threads and a generation counter that opens the barrier when it changes.
    unsigned blockArrived = 0, blockLive = 0;
    unsigned long long blockGeneration = 0;
    unsigned warpArrived[kMaxBlockThreads / 32] = {}, warpLive[kMaxBlockThreads / 32] = {};
    unsigned long long warpGeneration[kMaxBlockThreads / 32] = {};
    // Shuffle slots, double-buffered by the parity of the warp's barrier generation: a lane writes shuffle s+1's
    // value only after every lane of its warp has arrived at shuffle s+1's barrier, hence has read shuffle s's.
    std::uint64_t exchange[2][kMaxBlockThreads];
    // The host thread's stack, as AddressSanitizer needs it for switches back to the scheduler.
    const void* schedulerBottom = nullptr;
    size_t schedulerSize = 0;
    // Stacks: one mapping, each stack above its guard page; grown to the largest block seen, never shrunk.
    char* stacks = nullptr;
    unsigned stackCount = 0;

    ~BlockRun() {
        if (stacks != nullptr) {
            munmap(stacks, stackCount * (kFiberStackBytes + pageSize()));
        }
    }

    static size_t pageSize() {
        static const size_t size = (size_t)sysconf(_SC_PAGESIZE);
        return size;
    }

    void reserveStacks(unsigned count) {
        if (count <= stackCount) {
            return;
        }
        if (stacks != nullptr) {
            munmap(stacks, stackCount * (kFiberStackBytes + pageSize()));
        }
        const size_t stride = kFiberStackBytes + pageSize();
        void* mapping = mmap(nullptr, count * stride, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                             -1, 0);
        if (mapping == MAP_FAILED) {
            fail("cannot map the fiber stacks");
        }
        stacks = static_cast<char*>(mapping);
        stackCount = count;
        for (unsigned i = 0; i < count; ++i) {
            mprotect(stacks + i * stride, pageSize(), PROT_NONE);  // the guard below stack i
        }
    }

    // Lowest and highest address of fiber i's stack, for the emulator's fault handler.
    bool onStackGuard(const void* address) const {
        if (stacks == nullptr) return false;
        const char* a = static_cast<const char*>(address);
        const size_t stride = kFiberStackBytes + pageSize();
        if (a < stacks || a >= stacks + stackCount * stride) return false;
        return (size_t)(a - stacks) % stride < pageSize();
    }
};

inline thread_local BlockRun* blockRun = nullptr;

// The order in which a round resumes the fibers of a block: 0, 1, ... (default) or the reverse. A read of shared
// memory that misses a barrier sees the writer's value only when the writer happens to run first, so running the
// kernels in both orders catches a missing __syncthreads whichever thread reads (cuda/test/run.sh does both; the
// emulator reverses under chaos).
// The initial order comes from S4J_FIBER_ORDER=reverse.
inline std::atomic<bool> reverseFiberOrder{std::getenv("S4J_FIBER_ORDER") != nullptr &&
                                           std::strcmp(std::getenv("S4J_FIBER_ORDER"), "reverse") == 0};

inline BlockRun& run() {
    if (blockRun == nullptr) {
        fail("a device function ran outside a launch");
    }
    return *blockRun;
}

// From a fiber back to the scheduler; returns when the fiber is resumed (never, when `exiting`).
inline void toScheduler(BlockRun& r, void** saveStack, bool exiting) {
#if S4J_FIBER_ASAN
    void* fakeStack = nullptr;
    __sanitizer_start_switch_fiber(exiting ? nullptr : &fakeStack, r.schedulerBottom, r.schedulerSize);
    s4j_fiber_switch(saveStack, r.schedulerStack);
    __sanitizer_finish_switch_fiber(fakeStack, nullptr, nullptr);
#else
    (void)exiting;
    s4j_fiber_switch(saveStack, r.schedulerStack);
#endif
}

// Suspends the current fiber until `generation` differs from `value`.
inline void waitFor(BlockRun& r, const unsigned long long* generation, unsigned long long value) {
    Fiber& fiber = r.fibers[r.current];
    fiber.waitOn = generation;
    fiber.waitValue = value;
    toScheduler(r, &fiber.stack, false);
}

inline void arrive(BlockRun& r, unsigned& arrived, unsigned live, unsigned long long& generation) {
    if (++arrived >= live) {
        arrived = 0;
        ++generation;  // the last arrival opens the barrier and runs on
        return;
    }
    waitFor(r, &generation, generation);
}

extern "C" inline void s4j_fiber_main(void* argument) {
    BlockRun& r = *static_cast<BlockRun*>(argument);
#if S4J_FIBER_ASAN
    __sanitizer_finish_switch_fiber(nullptr, &r.schedulerBottom, &r.schedulerSize);
#endif
    r.body(r.bodyArg);
    // Returned: the thread leaves its barriers' counts, which may open a barrier the others wait at.
    Fiber& fiber = r.fibers[r.current];
    fiber.done = true;
    --r.remaining;
    const unsigned warp = r.current / 32;
    if (--r.blockLive > 0 && r.blockArrived > 0 && r.blockArrived >= r.blockLive) {
        r.blockArrived = 0;
        ++r.blockGeneration;
    }
    if (--r.warpLive[warp] > 0 && r.warpArrived[warp] > 0 && r.warpArrived[warp] >= r.warpLive[warp]) {
        r.warpArrived[warp] = 0;
        ++r.warpGeneration[warp];
    }
    void* unused = nullptr;
    toScheduler(r, &unused, true);  // never resumed
    fail("a finished fiber was resumed");
}

inline BlockRun& hostBlockRun() {
    static thread_local std::unique_ptr<BlockRun> mine;
    if (!mine) {
        mine = std::make_unique<BlockRun>();
    }
    return *mine;
}

// Runs body(bodyArg) as every thread of block `block` of a launch of shape grid × threads, on the calling host
// thread, and returns when all have returned. The caller sets nothing else: gridDim, blockDim, blockIdx are set here.
inline void runBlock(void (*body)(void*), void* bodyArg, dim3 grid, dim3 threads, uint3 block) {
    if (threads.y != 1 || threads.z != 1 || threads.x == 0 || threads.x > kMaxBlockThreads) {
        fail("only 1-D blocks of 1..1024 threads are modelled");
    }
    BlockRun& r = hostBlockRun();
    r.reserveStacks(threads.x);
    r.threads = threads.x;
    r.remaining = threads.x;
    r.body = body;
    r.bodyArg = bodyArg;
    r.blockArrived = 0;
    r.blockLive = threads.x;
    for (unsigned w = 0; w * 32 < threads.x; ++w) {
        r.warpArrived[w] = 0;
        r.warpLive[w] = std::min(32u, threads.x - w * 32);
    }
    const size_t stride = kFiberStackBytes + BlockRun::pageSize();
    for (unsigned t = 0; t < threads.x; ++t) {
        Fiber& fiber = r.fibers[t];
        fiber.done = false;
        fiber.waitOn = nullptr;
        // Initial frame (see s4j_fiber_switch): r15 r14 r13=entry r12=argument rbx rbp, return address; the stack
        // pointer is 16-byte aligned when s4j_fiber_start calls the entry.
        char* top = r.stacks + (t + 1) * stride;
#if S4J_FIBER_ASAN
        ASAN_UNPOISON_MEMORY_REGION(top - kFiberStackBytes, kFiberStackBytes);
#endif
        void** frame = reinterpret_cast<void**>(top - 72);
        frame[0] = nullptr;
        frame[1] = nullptr;
        frame[2] = reinterpret_cast<void*>(&s4j_fiber_main);
        frame[3] = &r;
        frame[4] = nullptr;
        frame[5] = nullptr;
        frame[6] = reinterpret_cast<void*>(&s4j_fiber_start);
        fiber.stack = frame;
    }
    gridDim = grid;
    blockDim = threads;
    blockIdx = block;
    BlockRun* outer = blockRun;
    blockRun = &r;
    while (r.remaining > 0) {
        bool progress = false;
        const bool reverse = reverseFiberOrder.load(std::memory_order_relaxed);
        for (unsigned i = 0; i < r.threads; ++i) {
            const unsigned t = reverse ? r.threads - 1 - i : i;
            Fiber& fiber = r.fibers[t];
            if (fiber.done || (fiber.waitOn != nullptr && *fiber.waitOn == fiber.waitValue)) {
                continue;
            }
            fiber.waitOn = nullptr;
            r.current = t;
            threadIdx = uint3{t, 0, 0};
#if S4J_FIBER_ASAN
            void* fakeStack = nullptr;
            __sanitizer_start_switch_fiber(&fakeStack, r.stacks + t * stride + BlockRun::pageSize(), kFiberStackBytes);
            s4j_fiber_switch(&r.schedulerStack, fiber.stack);
            __sanitizer_finish_switch_fiber(fakeStack, nullptr, nullptr);
#else
            s4j_fiber_switch(&r.schedulerStack, fiber.stack);
#endif
            progress = true;
        }
        if (!progress) {
            fail("deadlock: the threads of a block wait at barriers that cannot open (a __syncthreads or a shuffle "
                 "in divergent code?)");
        }
    }
    blockRun = outer;
}

// Runs kernel<<<grid, block>>>(args...) block after block on the calling thread (the harness's interface; the
// emulator runs blocks on several threads with runBlock).
template <typename... Params, typename... Args>
void launch(void (*kernel)(Params...), dim3 grid, dim3 block, Args... args) {
    static_assert(sizeof...(Params) == sizeof...(Args), "argument count differs from the kernel's");
    if (grid.x == 0 || grid.y == 0 || grid.z == 0) {
        fail("empty grid");
    }
    auto call = [&]() { kernel(static_cast<Params>(args)...); };
    using Call = decltype(call);
    for (unsigned bz = 0; bz < grid.z; ++bz) {
        for (unsigned by = 0; by < grid.y; ++by) {
            for (unsigned bx = 0; bx < grid.x; ++bx) {
                runBlock([](void* c) { (*static_cast<Call*>(c))(); }, &call, grid, block, uint3{bx, by, bz});
            }
        }
    }
}

}  // namespace s4jshim

inline void __syncthreads() {
    s4jshim::BlockRun& r = s4jshim::run();
    s4jshim::arrive(r, r.blockArrived, r.blockLive, r.blockGeneration);
}

template <typename T>
inline T s4j_shuffle(T value, unsigned sourceLane) {
    static_assert(sizeof(T) <= 8, "shuffle of a value wider than 64 bits");
    s4jshim::BlockRun& r = s4jshim::run();
    const unsigned tid = threadIdx.x;
    const unsigned warp = tid / 32;
    const unsigned warpThreads = std::min(32u, blockDim.x - warp * 32);
    if (sourceLane >= warpThreads) {
        s4jshim::fail("shuffle from a lane past the end of a partial warp (blockDim.x not a multiple of 32?)");
    }
    const unsigned parity = (unsigned)(r.warpGeneration[warp] & 1);
    std::uint64_t slot = 0;
    std::memcpy(&slot, &value, sizeof value);
    r.exchange[parity][tid] = slot;
    s4jshim::arrive(r, r.warpArrived[warp], r.warpLive[warp], r.warpGeneration[warp]);
    const std::uint64_t other = r.exchange[parity][warp * 32 + sourceLane];
    T result;
    std::memcpy(&result, &other, sizeof result);
    return result;
}
