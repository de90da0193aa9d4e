// driver.cpp: a CPU implementation of the part of the CUDA driver API that softmax4j's engine uses, built as
// libcuda.so.1 (cuda/emu/build.sh). Put its directory first on LD_LIBRARY_PATH and JCuda (hence the whole CUDA engine)
// runs on the CPU: memory, contexts, modules, launches of the project's own kernels (kernels.cpp), streams, events.
// It exists to find host-side bugs without a GPU, so it is stricter than a driver where it can be:
// - device memory is its own: every pointer is checked against the live allocations (copies, memsets, every pointer
//   argument of a launch); each allocation ends at a PROT_NONE guard page (a kernel that touches the byte past a
//   buffer faults at once, and the fault handler names the kernel and the allocation), the ≤ 15 bytes of alignment
//   slack before the guard hold a canary checked after every kernel, and new memory is filled with NaN bytes;
// - a context is current per OS thread, as on a driver: a call without one returns CUDA_ERROR_INVALID_CONTEXT;
// - streams are asynchronous (a worker thread each, in order); the legacy default stream synchronises with blocking
//   streams and not with non-blocking ones; events order streams; S4J_EMU_CHAOS=<seed> delays queued work at random,
//   so a missing wait gives a wrong answer instead of passing by luck, and resumes a block's threads in reverse order
//   at every barrier (a shared-memory read that misses a barrier sees the other half of the writes);
// - a launch checks its shape against the device's limits and the kernel's registers and shared memory, and runs
//   its blocks on several host threads (the kernels' blocks are independent);
// - faults can be injected (S4J_EMU_FAIL), and live objects are reported at exit and on demand (leak report).
// Settings (environment, read by cuInit): see cuda/emu/README.md.
#include "emu.h"

#include <dlfcn.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

namespace {

// CUresult values (cuda.h).
constexpr CUresult SUCCESS = 0, INVALID_VALUE = 1, OUT_OF_MEMORY = 2, NOT_INITIALIZED = 3, NO_DEVICE = 100,
                   INVALID_DEVICE = 101, INVALID_IMAGE = 200, INVALID_CONTEXT = 201, NO_BINARY_FOR_GPU = 209,
                   INVALID_PTX = 218, UNSUPPORTED_PTX_VERSION = 222, INVALID_HANDLE = 400, NOT_FOUND = 500,
                   NOT_READY = 600, ILLEGAL_ADDRESS = 700, LAUNCH_OUT_OF_RESOURCES = 701, LAUNCH_FAILED = 719,
                   NOT_SUPPORTED = 801, UNKNOWN = 999;

struct ResultName {
    CUresult value;
    const char* name;
};
const ResultName kResultNames[] = {
    {0, "CUDA_SUCCESS"}, {1, "CUDA_ERROR_INVALID_VALUE"}, {2, "CUDA_ERROR_OUT_OF_MEMORY"},
    {3, "CUDA_ERROR_NOT_INITIALIZED"}, {100, "CUDA_ERROR_NO_DEVICE"}, {101, "CUDA_ERROR_INVALID_DEVICE"},
    {200, "CUDA_ERROR_INVALID_IMAGE"}, {201, "CUDA_ERROR_INVALID_CONTEXT"}, {209, "CUDA_ERROR_NO_BINARY_FOR_GPU"},
    {218, "CUDA_ERROR_INVALID_PTX"}, {222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"}, {400, "CUDA_ERROR_INVALID_HANDLE"},
    {500, "CUDA_ERROR_NOT_FOUND"}, {600, "CUDA_ERROR_NOT_READY"}, {700, "CUDA_ERROR_ILLEGAL_ADDRESS"},
    {701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"}, {702, "CUDA_ERROR_LAUNCH_TIMEOUT"},
    {714, "CUDA_ERROR_HARDWARE_STACK_ERROR"}, {715, "CUDA_ERROR_ILLEGAL_INSTRUCTION"},
    {716, "CUDA_ERROR_MISALIGNED_ADDRESS"}, {719, "CUDA_ERROR_LAUNCH_FAILED"}, {801, "CUDA_ERROR_NOT_SUPPORTED"},
    {999, "CUDA_ERROR_UNKNOWN"}};

const char* resultName(CUresult r) {
    for (const ResultName& n : kResultNames) {
        if (n.value == r) return n.name;
    }
    return "CUDA_ERROR_(unnamed)";
}

// Errors after which a real context is unusable: every later call returns them.
bool sticky(CUresult r) {
    return r == 700 || r == 702 || r == 710 || r == 714 || r == 715 || r == 716 || r == 717 || r == 718 || r == 719;
}

// ---- settings ----------------------------------------------------------------------------------------------------

struct Settings {
    int devices = 1;
    int ccMajor = 9, ccMinor = 0;
    int multiprocessors = 132;
    long long totalMemory = 150754820096LL;  // an H200's 140.4 GiB as cuDeviceTotalMem reports it
    int driverVersion = 13000;
    unsigned threads = 0;  // host threads for the blocks of a launch; 0: the cores
    bool chaos = false;
    unsigned long long chaosSeed = 0;
    std::string failSpec;
    bool quiet = false;
    std::string name;
};

Settings settings;

long long parseBytes(const char* text) {
    char* end = nullptr;
    double value = std::strtod(text, &end);
    switch (end != nullptr ? *end : 0) {
        case 'k': case 'K': value *= 1024.0; break;
        case 'm': case 'M': value *= 1024.0 * 1024.0; break;
        case 'g': case 'G': value *= 1024.0 * 1024.0 * 1024.0; break;
        default: break;
    }
    return (long long)value;
}

void say(const char* format, ...) {
    char line[2048];
    va_list args;
    va_start(args, format);
    std::vsnprintf(line, sizeof line, format, args);
    va_end(args);
    std::fprintf(stderr, "cuda emulator: %s\n", line);
    std::fflush(stderr);
}

// ---- fault injection ---------------------------------------------------------------------------------------------

// S4J_EMU_FAIL="cuMemAlloc_v2#3=CUDA_ERROR_OUT_OF_MEMORY,cuLaunchKernel:fused_binary_kernel#1=700": the n-th call of
// the function (of a launch of that kernel) returns the result. Sticky results from cuLaunchKernel are raised by the
// kernel's execution, as on a GPU: the launch succeeds and a later call reports it.
struct FaultRule {
    std::string function;
    std::string kernel;
    long long nth;
    CUresult result;
    long long calls = 0;
};
std::vector<FaultRule> faultRules;

CUresult parseResult(const std::string& text) {
    for (const ResultName& n : kResultNames) {
        if (text == n.name) return n.value;
    }
    return (CUresult)std::strtol(text.c_str(), nullptr, 10);
}

void parseFaults(const std::string& spec) {
    size_t start = 0;
    while (start < spec.size()) {
        size_t end = spec.find(',', start);
        if (end == std::string::npos) end = spec.size();
        const std::string rule = spec.substr(start, end - start);
        start = end + 1;
        const size_t hash = rule.find('#');
        const size_t equals = rule.find('=');
        if (hash == std::string::npos || equals == std::string::npos || equals < hash) {
            say("S4J_EMU_FAIL: cannot read '%s' (expected FUNCTION[:KERNEL]#N=RESULT)", rule.c_str());
            std::exit(2);
        }
        FaultRule f;
        std::string head = rule.substr(0, hash);
        const size_t colon = head.find(':');
        if (colon != std::string::npos) {
            f.kernel = head.substr(colon + 1);
            head = head.substr(0, colon);
        }
        f.function = head;
        f.nth = std::strtoll(rule.c_str() + hash + 1, nullptr, 10);
        f.result = parseResult(rule.substr(equals + 1));
        faultRules.push_back(f);
    }
}

// The injected result for this call, or SUCCESS. Caller holds the lock.
CUresult injected(const char* function, const char* kernel = nullptr) {
    for (FaultRule& f : faultRules) {
        if (f.function != function) continue;
        if (!f.kernel.empty() && (kernel == nullptr || f.kernel != kernel)) continue;
        if (++f.calls == f.nth) {
            say("injected %s into %s call #%lld%s%s", resultName(f.result), function, f.nth,
                kernel != nullptr ? " of " : "", kernel != nullptr ? kernel : "");
            return f.result;
        }
    }
    return SUCCESS;
}

// ---- state -------------------------------------------------------------------------------------------------------

// Never destroyed: worker threads still wait on them while the process exits.
std::mutex& lock = *new std::mutex;                            // guards everything below
std::condition_variable& changed = *new std::condition_variable;  // a stream advanced or an event completed
bool initialized = false;
unsigned long long serials = 0;

struct Allocation {
    char* mapping;
    size_t mappingBytes;
    char* base;
    size_t size;
    size_t slack;  // canary bytes after size, before the guard page
    unsigned long long serial;
    std::string origin;  // "cuMemAlloc_v2 call #3 (1.0 KiB)"
};
std::map<const char*, Allocation> deviceMemory;  // by base address
std::map<const char*, Allocation> pinnedMemory;
long long usedMemory = 0;
long long allocCalls = 0;
long long pinnedCalls = 0;
// Copies from device to host memory so far (synchronous and asynchronous) and their bytes: a test counts the traffic
// of a training step.
long long copyBackCalls = 0;
long long copyBackBytes = 0;

constexpr unsigned char kCanary = 0xA5;

struct Context;
struct Stream;

struct Event {
    Context* context;
    unsigned flags;
    unsigned long long recorded = 0;   // records so far
    unsigned long long completed = 0;  // records executed
    std::chrono::steady_clock::time_point when;
    unsigned long long serial;
};

struct Dependency {
    Stream* stream = nullptr;  // wait until stream->completed >= value
    Event* event = nullptr;    // or event->completed >= value
    unsigned long long value = 0;
};

struct Work {
    unsigned long long sequence;
    std::string what;
    std::vector<Dependency> waits;
    std::function<void()> run;
};

struct Stream {
    Context* context;
    bool legacy;
    bool nonBlocking;
    unsigned long long serial;
    unsigned long long submitted = 0;
    unsigned long long completed = 0;
    std::deque<Work> queue;
    std::thread worker;
    bool stopping = false;
    std::mt19937_64 chaos;
};

struct Module {
    Context* context;
    std::set<std::string> names;
    unsigned long long serial;
};

struct Function {
    Module* module;
    const s4jemu::KernelInfo* info;
};

struct Context {
    int retains = 0;
    CUresult stickyError = SUCCESS;
    std::string stickyWhy;
    Stream* legacy = nullptr;
    std::set<Stream*> streams;  // created ones, not the legacy stream
};

Context primary;
std::set<Event*> events;
std::set<Module*> modules;
std::set<Function*> functions;
long long launches = 0;

thread_local Context* current = nullptr;

// Worker threads (stream workers and block threads): the fault handler treats a fault on one of them as a kernel's or
// a copy's. Fixed slots, read without locking from the signal handler.
constexpr int kMaxWorkers = 256;
std::atomic<pid_t> workerThreads[kMaxWorkers];
// What each worker runs, for the fault handler (set before, cleared after; the strings outlive the work).
std::atomic<const char*> workerActivity[kMaxWorkers];

int registerWorker() {
    const pid_t tid = (pid_t)syscall(SYS_gettid);
    for (int i = 0; i < kMaxWorkers; ++i) {
        pid_t expected = 0;
        if (workerThreads[i].compare_exchange_strong(expected, tid)) return i;
    }
    return -1;
}

thread_local int workerSlot = -1;

void setActivity(const char* what) {
    if (workerSlot >= 0) workerActivity[workerSlot].store(what);
}

std::string bytesText(long long bytes) {
    char text[64];
    if (bytes >= (1LL << 30)) std::snprintf(text, sizeof text, "%.1f GiB", bytes / (double)(1LL << 30));
    else if (bytes >= (1LL << 20)) std::snprintf(text, sizeof text, "%.1f MiB", bytes / (double)(1LL << 20));
    else if (bytes >= 1024) std::snprintf(text, sizeof text, "%.1f KiB", bytes / 1024.0);
    else std::snprintf(text, sizeof text, "%lld bytes", bytes);
    return text;
}

// The allocation holding [address, address + bytes), or null. Caller holds the lock.
const Allocation* findRange(std::map<const char*, Allocation>& memory, const void* address, size_t bytes) {
    const char* a = static_cast<const char*>(address);
    auto it = memory.upper_bound(a);
    if (it == memory.begin()) return nullptr;
    --it;
    const Allocation& alloc = it->second;
    if (a >= alloc.base && a <= alloc.base + alloc.size && bytes <= (size_t)(alloc.base + alloc.size - a)) {
        return &alloc;
    }
    return nullptr;
}

// The allocation nearest to an address (for messages about one that is outside every allocation).
std::string nearest(const void* address) {
    const char* a = static_cast<const char*>(address);
    auto it = deviceMemory.upper_bound(a);
    std::string text;
    if (it != deviceMemory.begin()) {
        auto before = std::prev(it);
        char line[256];
        std::snprintf(line, sizeof line, "; the allocation below it is %p..%p (%zu bytes, %s)",
                      (void*)before->second.base, (void*)(before->second.base + before->second.size),
                      before->second.size, before->second.origin.c_str());
        text = line;
    }
    return text;
}

// Checks a device range, or says why not (caller holds the lock).
CUresult checkDevice(const char* call, CUdeviceptr pointer, size_t bytes) {
    if (findRange(deviceMemory, reinterpret_cast<const void*>(pointer), bytes) != nullptr) return SUCCESS;
    const void* p = reinterpret_cast<const void*>(pointer);
    if (findRange(pinnedMemory, p, 0) != nullptr) {
        say("%s: %p is pinned host memory, not device memory", call, p);
    } else if (findRange(deviceMemory, p, 0) != nullptr) {
        const Allocation* alloc = findRange(deviceMemory, p, 0);
        say("%s: %zu bytes at %p run past the end of the allocation %p..%p (%zu bytes, %s) by %zu bytes", call, bytes,
            p, (void*)alloc->base, (void*)(alloc->base + alloc->size), alloc->size, alloc->origin.c_str(),
            (size_t)((const char*)p + bytes - (alloc->base + alloc->size)));
    } else {
        say("%s: %p is not device memory (never allocated by cuMemAlloc, already freed, or a host address)%s", call,
            p, nearest(p).c_str());
    }
    return INVALID_VALUE;
}

// Fails the current call when no context is current or the context has a sticky error. Caller holds the lock.
CUresult checkContext(const char* call) {
    if (!initialized) return NOT_INITIALIZED;
    if (current == nullptr) {
        say("%s: no current context on this thread (call cuCtxSetCurrent on every thread that uses CUDA)", call);
        return INVALID_CONTEXT;
    }
    if (current->retains == 0) {
        say("%s: the current context was released (cuDevicePrimaryCtxRelease) and is no longer usable", call);
        return INVALID_CONTEXT;
    }
    if (current->stickyError != SUCCESS) return current->stickyError;
    return SUCCESS;
}

void setSticky(Context* context, CUresult error, const std::string& why) {
    if (context->stickyError == SUCCESS) {
        context->stickyError = error;
        context->stickyWhy = why;
        say("%s: %s (the context is now unusable: every later call returns this error)", why.c_str(),
            resultName(error));
    }
}

// ---- the block threads ---------------------------------------------------------------------------------------------

class BlockPool {
public:
    void start(unsigned threads) {
        for (unsigned i = 0; i + 1 < threads; ++i) {
            threads_.emplace_back([this] { loop(); });
        }
    }

    // Runs every block of `kernel`; the calling thread works too. A second launch arriving while one runs (another
    // stream) runs its blocks on its own thread only.
    void run(s4jemu::BoundKernel& kernel, unsigned grid, unsigned block, const char* activity) {
        std::unique_lock<std::mutex> guard(mutex_);
        if (job_ != nullptr || threads_.empty()) {
            guard.unlock();
            for (unsigned b = 0; b < grid; ++b) kernel.runBlock(grid, block, b);
            return;
        }
        Job job{&kernel, grid, block, activity};
        job_ = &job;
        ++generation_;
        wake_.notify_all();
        guard.unlock();
        work(job);
        guard.lock();
        done_.wait(guard, [&] { return job.active == 0; });
        job_ = nullptr;
    }

private:
    struct Job {
        s4jemu::BoundKernel* kernel;
        unsigned grid, block;
        const char* activity;
        std::atomic<unsigned> next{0};
        int active = 0;
    };

    static void work(Job& job) {
        for (unsigned b = job.next++; b < job.grid; b = job.next++) {
            job.kernel->runBlock(job.grid, job.block, b);
        }
    }

    void loop() {
        workerSlot = registerWorker();
        unsigned long long seen = 0;
        std::unique_lock<std::mutex> guard(mutex_);
        for (;;) {
            wake_.wait(guard, [&] { return generation_ != seen && job_ != nullptr; });
            seen = generation_;
            Job& job = *job_;
            ++job.active;
            guard.unlock();
            setActivity(job.activity);
            work(job);
            setActivity(nullptr);
            guard.lock();
            if (--job.active == 0) done_.notify_all();
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_, done_;
    Job* job_ = nullptr;
    unsigned long long generation_ = 0;
    std::vector<std::thread> threads_;
};

BlockPool* blockPool = nullptr;

// ---- streams -----------------------------------------------------------------------------------------------------

bool satisfied(const Dependency& d) {
    if (d.stream != nullptr) return d.stream->completed >= d.value;
    return d.event->completed >= d.value;
}

void streamLoop(Stream* stream) {
    workerSlot = registerWorker();
    std::unique_lock<std::mutex> guard(lock);
    for (;;) {
        changed.wait(guard, [&] {
            if (stream->stopping && stream->queue.empty()) return true;
            if (stream->queue.empty()) return false;
            if (stream->context->stickyError != SUCCESS) return true;  // everything after a fault is skipped
            for (const Dependency& d : stream->queue.front().waits) {
                if (!satisfied(d)) return false;
            }
            return true;
        });
        if (stream->queue.empty()) return;  // stopping
        Work work = std::move(stream->queue.front());
        stream->queue.pop_front();
        unsigned delayMicros = 0;
        if (settings.chaos && (stream->chaos() & 1) != 0) delayMicros = (unsigned)(stream->chaos() % 3000);
        const bool skip = stream->context->stickyError != SUCCESS;
        guard.unlock();
        if (delayMicros > 0) std::this_thread::sleep_for(std::chrono::microseconds(delayMicros));
        if (!skip) {
            setActivity(work.what.c_str());
            work.run();
            setActivity(nullptr);
        }
        guard.lock();
        stream->completed = work.sequence;
        changed.notify_all();
    }
}

Stream* newStream(Context* context, bool legacy, bool nonBlocking) {
    Stream* stream = new Stream();
    stream->context = context;
    stream->legacy = legacy;
    stream->nonBlocking = nonBlocking;
    stream->serial = ++serials;
    stream->chaos.seed(settings.chaosSeed * 1000003ULL + stream->serial);
    stream->worker = std::thread(streamLoop, stream);
    return stream;
}

// Queues work on a stream with the legacy default stream's implicit ordering. Caller holds the lock.
unsigned long long enqueue(Context* context, Stream* stream, std::string what, std::vector<Dependency> waits,
                           std::function<void()> run) {
    if (stream->legacy) {
        for (Stream* other : context->streams) {
            if (!other->nonBlocking && other->submitted > 0) waits.push_back({other, nullptr, other->submitted});
        }
    } else if (!stream->nonBlocking && context->legacy->submitted > 0) {
        waits.push_back({context->legacy, nullptr, context->legacy->submitted});
    }
    const unsigned long long sequence = ++stream->submitted;
    stream->queue.push_back(Work{sequence, std::move(what), std::move(waits), std::move(run)});
    changed.notify_all();
    return sequence;
}

void waitFor(std::unique_lock<std::mutex>& guard, Stream* stream, unsigned long long sequence) {
    changed.wait(guard, [&] { return stream->completed >= sequence; });
}

void synchronizeContext(std::unique_lock<std::mutex>& guard, Context* context) {
    std::vector<std::pair<Stream*, unsigned long long>> targets;
    targets.emplace_back(context->legacy, context->legacy->submitted);
    for (Stream* s : context->streams) targets.emplace_back(s, s->submitted);
    for (auto& [s, sequence] : targets) waitFor(guard, s, sequence);
}

// The stream a handle names (0, CU_STREAM_LEGACY and CU_STREAM_PER_THREAD: the legacy default stream), or null.
Stream* streamOf(void* handle) {
    if (handle == nullptr || handle == reinterpret_cast<void*>(1) || handle == reinterpret_cast<void*>(2)) {
        return current->legacy;
    }
    Stream* stream = static_cast<Stream*>(handle);
    return current->streams.count(stream) != 0 ? stream : nullptr;
}

// ---- leak report -------------------------------------------------------------------------------------------------

std::string leakReport(bool atExit) {
    std::string text;
    char line[512];
    for (auto& [base, a] : deviceMemory) {
        std::snprintf(line, sizeof line, "  device memory %p, %zu bytes (%s)\n", (void*)base, a.size,
                      a.origin.c_str());
        text += line;
    }
    for (auto& [base, a] : pinnedMemory) {
        std::snprintf(line, sizeof line, "  pinned host memory %p, %zu bytes (%s)\n", (void*)base, a.size,
                      a.origin.c_str());
        text += line;
    }
    for (Stream* s : primary.streams) {
        std::snprintf(line, sizeof line, "  stream #%llu (%s)\n", s->serial, s->nonBlocking ? "non-blocking" : "blocking");
        text += line;
    }
    for (Event* e : events) {
        std::snprintf(line, sizeof line, "  event #%llu\n", e->serial);
        text += line;
    }
    if (!atExit) {
        return text;
    }
    std::string held;
    for (Module* m : modules) {
        std::snprintf(line, sizeof line, "  module #%llu (%zu kernels)\n", m->serial, m->names.size());
        held += line;
    }
    if (primary.retains > 0) {
        std::snprintf(line, sizeof line, "  the primary context, retained %d time(s)\n", primary.retains);
        held += line;
    }
    if (!held.empty()) {
        text += (text.empty() ? "" : "") + std::string("held at exit (the driver frees them; a process may keep its "
                                                        "primary context and module for its lifetime):\n") + held;
    }
    return text;
}

void reportAtExit() {
    std::lock_guard<std::mutex> guard(lock);
    if (!initialized) return;
    const bool leaks = !deviceMemory.empty() || !pinnedMemory.empty() || !primary.streams.empty() || !events.empty();
    std::string text = leakReport(true);
    if (leaks && primary.stickyError != SUCCESS) {
        // After a sticky error nothing can be freed (every call returns the error); a driver frees it all at exit.
        std::fprintf(stderr, "cuda emulator: at exit, after the sticky error %s (%s), still held (not leaks: the "
                             "context could not free them):\n%s", resultName(primary.stickyError),
                     primary.stickyWhy.c_str(), text.c_str());
    } else if (leaks) {
        std::fprintf(stderr, "cuda emulator: leak report at exit: not freed:\n%s", text.c_str());
    } else if (!settings.quiet) {
        std::fprintf(stderr, "cuda emulator: leak report at exit: no device memory, pinned memory, stream or event "
                             "left (%lld launches)\n", launches);
    }
}

// ---- the fault handler -------------------------------------------------------------------------------------------

struct sigaction previousSegv, previousBus;

void writeText(const char* text) {
    ssize_t ignored = write(2, text, std::strlen(text));
    (void)ignored;
}

void onFault(int signal, siginfo_t* info, void* context) {
    const pid_t tid = (pid_t)syscall(SYS_gettid);
    int slot = -1;
    for (int i = 0; i < kMaxWorkers; ++i) {
        if (workerThreads[i].load() == tid) {
            slot = i;
            break;
        }
    }
    if (slot < 0) {
        // Not ours (the JVM uses SIGSEGV itself): hand it on.
        struct sigaction& previous = signal == SIGSEGV ? previousSegv : previousBus;
        if ((previous.sa_flags & SA_SIGINFO) != 0 && previous.sa_sigaction != nullptr) {
            previous.sa_sigaction(signal, info, context);
            return;
        }
        if (previous.sa_handler == SIG_IGN) return;
        if (previous.sa_handler != SIG_DFL && previous.sa_handler != nullptr) {
            previous.sa_handler(signal);
            return;
        }
        ::signal(signal, SIG_DFL);
        return;  // re-faults with the default action
    }
    char text[1024];
    const char* activity = workerActivity[slot].load();
    const char* address = static_cast<const char*>(info->si_addr);
    std::string where = "an address outside every allocation";
    if (s4jemu::onFiberStackGuard(address)) {
        where = "the guard page of a CUDA thread's stack (a stack overflow in the kernel)";
    } else if (lock.try_lock()) {
        for (auto& [base, a] : deviceMemory) {
            if (address >= a.base + a.size && address < a.mapping + a.mappingBytes) {
                std::snprintf(text, sizeof text, "%zu bytes past the end of the allocation %p..%p (%zu bytes, %s)",
                              (size_t)(address - (a.base + a.size)), (void*)a.base, (void*)(a.base + a.size), a.size,
                              a.origin.c_str());
                where = text;
                break;
            }
            if (address >= a.mapping && address < a.base) {
                std::snprintf(text, sizeof text, "%zu bytes before the start of the allocation %p..%p (%zu bytes, %s)",
                              (size_t)(a.base - address), (void*)a.base, (void*)(a.base + a.size), a.size,
                              a.origin.c_str());
                where = text;
                break;
            }
        }
        lock.unlock();
    }
    std::snprintf(text, sizeof text, "cuda emulator: memory fault (signal %d) at %p in %s: %s. Aborting.\n", signal,
                  (void*)address, activity != nullptr ? activity : "emulator work", where.c_str());
    writeText(text);
    ::signal(SIGABRT, SIG_DFL);
    std::abort();
}

void installFaultHandler() {
    struct sigaction action;
    std::memset(&action, 0, sizeof action);
    action.sa_sigaction = onFault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &previousSegv);
    sigaction(SIGBUS, &action, &previousBus);
}

// ---- modules -----------------------------------------------------------------------------------------------------

// The kernel names in a CUDA ELF image: its sections ".text.<kernel>".
bool elfNames(const unsigned char* image, size_t size, std::set<std::string>& names) {
    if (size < 64 || std::memcmp(image, "\x7f" "ELF", 4) != 0 || image[4] != 2) return false;
    auto u16 = [&](size_t at) { unsigned short v; std::memcpy(&v, image + at, 2); return v; };
    auto u64 = [&](size_t at) { unsigned long long v; std::memcpy(&v, image + at, 8); return v; };
    const unsigned long long sectionOffset = u64(0x28);
    const unsigned sectionSize = u16(0x3A), sectionCount = u16(0x3C), namesIndex = u16(0x3E);
    if (sectionOffset + (unsigned long long)sectionSize * sectionCount > size || namesIndex >= sectionCount) return false;
    const unsigned long long namesAt = u64(sectionOffset + (unsigned long long)namesIndex * sectionSize + 0x18);
    const unsigned long long namesBytes = u64(sectionOffset + (unsigned long long)namesIndex * sectionSize + 0x20);
    if (namesAt + namesBytes > size) return false;
    for (unsigned i = 0; i < sectionCount; ++i) {
        unsigned nameOffset;
        std::memcpy(&nameOffset, image + sectionOffset + (unsigned long long)i * sectionSize, 4);
        if (nameOffset >= namesBytes) continue;
        const char* name = reinterpret_cast<const char*>(image + namesAt + nameOffset);
        const size_t length = strnlen(name, namesBytes - nameOffset);
        const std::string section(name, length);
        if (section.rfind(".text.", 0) == 0) names.insert(section.substr(6));
    }
    return true;
}

// The kernel names of PTX text (".entry name("), its .version as major*10+minor and its .target sm.
bool ptxNames(const char* text, size_t size, std::set<std::string>& names, int& version, int& target) {
    const std::string ptx(text, strnlen(text, size));
    if (ptx.find(".version") == std::string::npos) return false;
    int major = 0, minor = 0;
    std::sscanf(ptx.c_str() + ptx.find(".version"), ".version %d.%d", &major, &minor);
    version = major * 10 + minor;
    const size_t t = ptx.find(".target sm_");
    target = t == std::string::npos ? 0 : std::atoi(ptx.c_str() + t + 11);
    for (size_t at = ptx.find(".entry"); at != std::string::npos; at = ptx.find(".entry", at + 6)) {
        size_t begin = at + 6;
        while (begin < ptx.size() && (ptx[begin] == ' ' || ptx[begin] == '\t')) ++begin;
        size_t end = begin;
        while (end < ptx.size() && (std::isalnum((unsigned char)ptx[end]) || ptx[end] == '_')) ++end;
        names.insert(ptx.substr(begin, end - begin));
    }
    return true;
}

// The PTX ISA version a driver reads: 13.0 reads 9.0; 12.x reads 8.x (12.6: 8.5).
int maxPtxVersion() {
    if (settings.driverVersion >= 13000) return 90;
    if (settings.driverVersion >= 12080) return 87;
    if (settings.driverVersion >= 12060) return 85;
    return 80 + (settings.driverVersion % 1000) / 10;
}

using ZstdDecompress = size_t (*)(void*, size_t, const void*, size_t);
using ZstdIsError = unsigned (*)(size_t);

// Reads a fatbin (magic 0xBA55ED50): picks SASS for the emulated compute capability (same major, minor ≤), else PTX
// the driver can JIT (ISA version and target ≤), and returns its kernel names. Compressed entries (nvcc
// -compress-all: zstd) are inflated through libzstd.so.1 when the system has it.
CUresult fatbinNames(const unsigned char* image, std::set<std::string>& names, std::string& why) {
    unsigned short headerSize;
    unsigned long long fatSize;
    std::memcpy(&headerSize, image + 6, 2);
    std::memcpy(&fatSize, image + 8, 8);
    const int cc = settings.ccMajor * 10 + settings.ccMinor;
    const unsigned char* chosen = nullptr;
    bool chosenIsPtx = false;
    int chosenArch = -1;
    unsigned long long chosenSize = 0, chosenFlags = 0, chosenInflated = 0;
    std::string seen;
    for (unsigned long long at = headerSize; at + 64 <= headerSize + fatSize;) {
        const unsigned char* entry = image + at;
        unsigned short kind;
        unsigned entryHeader, arch;
        unsigned long long padded, flags, inflated;
        unsigned payload;
        std::memcpy(&kind, entry, 2);
        std::memcpy(&entryHeader, entry + 4, 4);
        std::memcpy(&padded, entry + 8, 8);
        std::memcpy(&payload, entry + 16, 4);
        std::memcpy(&arch, entry + 28, 4);
        std::memcpy(&flags, entry + 40, 8);
        std::memcpy(&inflated, entry + 56, 8);
        const bool ptx = kind == 1;
        seen += (seen.empty() ? "" : ", ") + std::string(ptx ? "PTX " : "SASS ") + "sm_" + std::to_string(arch);
        const bool sass = kind == 2 && (int)arch / 10 == settings.ccMajor && (int)arch <= cc;
        if (sass && (chosen == nullptr || chosenIsPtx || (int)arch > chosenArch)) {
            chosen = entry + entryHeader;
            chosenIsPtx = false;
            chosenArch = (int)arch;
            chosenSize = payload;
            chosenFlags = flags;
            chosenInflated = inflated;
        } else if (ptx && (int)arch <= cc && (chosen == nullptr || (chosenIsPtx && (int)arch > chosenArch))) {
            chosen = entry + entryHeader;
            chosenIsPtx = true;
            chosenArch = (int)arch;
            chosenSize = payload;
            chosenFlags = flags;
            chosenInflated = inflated;
        }
        at += entryHeader + padded;
    }
    if (chosen == nullptr) {
        why = "the fatbin has no SASS or PTX for compute capability " + std::to_string(cc / 10) + "." +
              std::to_string(cc % 10) + " (it has " + seen + ")";
        return NO_BINARY_FOR_GPU;
    }
    std::vector<unsigned char> inflatedBytes;
    const unsigned char* body = chosen;
    size_t bodySize = chosenSize;
    if ((chosenFlags & 0xA000) != 0) {  // compressed
        static void* zstd = dlopen("libzstd.so.1", RTLD_NOW | RTLD_LOCAL);
        auto decompress = zstd != nullptr ? (ZstdDecompress)dlsym(zstd, "ZSTD_decompress") : nullptr;
        auto isError = zstd != nullptr ? (ZstdIsError)dlsym(zstd, "ZSTD_isError") : nullptr;
        if (decompress == nullptr || isError == nullptr) {
            say("cuModuleLoadData: libzstd.so.1 is not on this system, so the compressed fatbin's kernel names are "
                "not checked; every kernel the emulator knows is offered");
            for (const s4jemu::KernelInfo& k : s4jemu::kernels()) names.insert(k.name);
            return SUCCESS;
        }
        inflatedBytes.resize(chosenInflated + 1);
        const size_t n = decompress(inflatedBytes.data(), chosenInflated, chosen, chosenSize);
        if (isError(n)) {
            why = "a compressed fatbin entry does not inflate";
            return INVALID_IMAGE;
        }
        inflatedBytes[n] = 0;
        body = inflatedBytes.data();
        bodySize = n;
    }
    if (chosenIsPtx) {
        int version = 0, target = 0;
        if (!ptxNames(reinterpret_cast<const char*>(body), bodySize, names, version, target)) {
            why = "the fatbin's PTX entry is not PTX";
            return INVALID_IMAGE;
        }
        if (version > maxPtxVersion()) {
            why = "the fatbin's PTX is ISA " + std::to_string(version / 10) + "." + std::to_string(version % 10) +
                  ", newer than the emulated driver reads";
            return UNSUPPORTED_PTX_VERSION;
        }
        return SUCCESS;
    }
    if (!elfNames(body, bodySize, names)) {
        why = "the fatbin's SASS entry for sm_" + std::to_string(chosenArch) + " is not an ELF image";
        return INVALID_IMAGE;
    }
    return SUCCESS;
}

}  // namespace

// =====================================================================================================================
// The driver API (signatures of cuda.h, 12.x names as JCuda 12.6 imports them).

extern "C" {

CUresult cuInit(unsigned flags) {
    std::lock_guard<std::mutex> guard(lock);
    if (flags != 0) return INVALID_VALUE;
    if (initialized) return SUCCESS;
    if (const char* v = std::getenv("S4J_EMU_DEVICES")) settings.devices = std::atoi(v);
    if (const char* v = std::getenv("S4J_EMU_CC")) std::sscanf(v, "%d.%d", &settings.ccMajor, &settings.ccMinor);
    if (const char* v = std::getenv("S4J_EMU_SMS")) settings.multiprocessors = std::max(1, std::atoi(v));
    if (const char* v = std::getenv("S4J_EMU_MEMORY")) settings.totalMemory = parseBytes(v);
    if (const char* v = std::getenv("S4J_EMU_DRIVER")) {
        int major = 0, minor = 0;
        if (std::strchr(v, '.') != nullptr && std::sscanf(v, "%d.%d", &major, &minor) == 2) {
            settings.driverVersion = major * 1000 + minor * 10;
        } else {
            settings.driverVersion = std::atoi(v);
        }
    }
    if (const char* v = std::getenv("S4J_EMU_THREADS")) settings.threads = (unsigned)std::max(1, std::atoi(v));
    if (const char* v = std::getenv("S4J_EMU_CHAOS")) {
        settings.chaos = true;
        settings.chaosSeed = std::strtoull(v, nullptr, 10);
    }
    if (const char* v = std::getenv("S4J_EMU_FAIL")) parseFaults(v);
    if (const char* v = std::getenv("S4J_EMU_QUIET")) settings.quiet = std::strcmp(v, "0") != 0;
    // Java's CudaDevice.emulated() looks for this prefix; its summary adds the emulated compute capability.
    settings.name = "CUDA emulator (CPU)";
    if (settings.threads == 0) settings.threads = std::max(1u, std::thread::hardware_concurrency());
    if (CUresult r = injected("cuInit"); r != SUCCESS) return r;
    if (settings.chaos) s4jemu::setReverseThreadOrder(true);
    blockPool = new BlockPool();
    blockPool->start(settings.threads);
    installFaultHandler();
    std::atexit(reportAtExit);
    initialized = true;
    if (!settings.quiet) {
        say("%s, emulating compute capability %d.%d, %d SMs, %s, driver %d.%d, %u host threads%s", settings.name.c_str(), settings.ccMajor, settings.ccMinor, settings.multiprocessors,
            bytesText(settings.totalMemory).c_str(), settings.driverVersion / 1000, (settings.driverVersion % 1000) / 10,
            settings.threads,
            settings.chaos ? (", chaos seed " + std::to_string(settings.chaosSeed)).c_str() : "");
    }
    return settings.devices <= 0 ? NO_DEVICE : SUCCESS;
}

CUresult cuDriverGetVersion(int* version) {
    if (version == nullptr) return INVALID_VALUE;
    const char* v = std::getenv("S4J_EMU_DRIVER");
    if (!initialized && v != nullptr) {
        int major = 0, minor = 0;
        *version = std::sscanf(v, "%d.%d", &major, &minor) == 2 ? major * 1000 + minor * 10 : std::atoi(v);
        return SUCCESS;
    }
    *version = settings.driverVersion;
    return SUCCESS;
}

CUresult cuDeviceGetCount(int* count) {
    if (!initialized) return NOT_INITIALIZED;
    if (count == nullptr) return INVALID_VALUE;
    *count = std::max(0, settings.devices);
    return SUCCESS;
}

CUresult cuDeviceGet(CUdevice* device, int ordinal) {
    if (!initialized) return NOT_INITIALIZED;
    if (device == nullptr) return INVALID_VALUE;
    if (ordinal < 0 || ordinal >= settings.devices) return INVALID_DEVICE;
    *device = ordinal;
    return SUCCESS;
}

CUresult cuDeviceGetName(char* name, int length, CUdevice device) {
    if (!initialized) return NOT_INITIALIZED;
    if (name == nullptr || length <= 0) return INVALID_VALUE;
    if (device < 0 || device >= settings.devices) return INVALID_DEVICE;
    std::snprintf(name, (size_t)length, "%s", settings.name.c_str());
    return SUCCESS;
}

CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice device) {
    if (!initialized) return NOT_INITIALIZED;
    if (bytes == nullptr) return INVALID_VALUE;
    if (device < 0 || device >= settings.devices) return INVALID_DEVICE;
    *bytes = (size_t)settings.totalMemory;
    return SUCCESS;
}

CUresult cuDeviceGetAttribute(int* value, int attribute, CUdevice device) {
    std::lock_guard<std::mutex> guard(lock);
    if (!initialized) return NOT_INITIALIZED;
    if (value == nullptr) return INVALID_VALUE;
    if (device < 0 || device >= settings.devices) return INVALID_DEVICE;
    const int cc = settings.ccMajor * 10 + settings.ccMinor;
    switch (attribute) {
        case 1: *value = 1024; return SUCCESS;                 // MAX_THREADS_PER_BLOCK
        case 2: case 3: *value = 1024; return SUCCESS;         // MAX_BLOCK_DIM_X, Y
        case 4: *value = 64; return SUCCESS;                   // MAX_BLOCK_DIM_Z
        case 5: *value = 2147483647; return SUCCESS;           // MAX_GRID_DIM_X
        case 6: case 7: *value = 65535; return SUCCESS;        // MAX_GRID_DIM_Y, Z
        case 8: *value = 49152; return SUCCESS;                // MAX_SHARED_MEMORY_PER_BLOCK
        case 9: *value = 65536; return SUCCESS;                // TOTAL_CONSTANT_MEMORY
        case 10: *value = 32; return SUCCESS;                  // WARP_SIZE
        case 12: *value = 65536; return SUCCESS;               // MAX_REGISTERS_PER_BLOCK
        case 13: *value = 1980000; return SUCCESS;             // CLOCK_RATE (kHz)
        case 16: *value = settings.multiprocessors; return SUCCESS;
        case 20: *value = 0; return SUCCESS;                   // COMPUTE_MODE: default
        case 31: *value = 1; return SUCCESS;                   // CONCURRENT_KERNELS
        case 36: *value = 2619000; return SUCCESS;             // MEMORY_CLOCK_RATE
        case 37: *value = 6144; return SUCCESS;                // GLOBAL_MEMORY_BUS_WIDTH
        case 38: *value = 60 * 1024 * 1024; return SUCCESS;    // L2_CACHE_SIZE
        case 39: *value = cc >= 80 && cc != 86 && cc != 89 ? 2048 : (cc == 75 ? 1024 : 1536); return SUCCESS;
        case 40: *value = 2; return SUCCESS;                   // ASYNC_ENGINE_COUNT
        case 41: *value = 1; return SUCCESS;                   // UNIFIED_ADDRESSING
        case 75: *value = settings.ccMajor; return SUCCESS;
        case 76: *value = settings.ccMinor; return SUCCESS;
        case 81: *value = cc >= 90 ? 233472 : (cc >= 80 ? 167936 : 65536); return SUCCESS;  // SMEM per SM
        case 82: *value = 65536; return SUCCESS;               // MAX_REGISTERS_PER_MULTIPROCESSOR
        case 97: *value = cc >= 90 ? 232448 : (cc >= 80 ? 166912 : 65536); return SUCCESS;  // opt-in SMEM per block
        case 106: *value = cc >= 90 ? 32 : (cc == 75 ? 16 : 32); return SUCCESS;  // MAX_BLOCKS_PER_MULTIPROCESSOR
        // The emulator's own (no driver has them): live objects, for tests' leak checks. 0x534A0000 + n.
        case 0x534A0001: *value = (int)deviceMemory.size(); return SUCCESS;
        case 0x534A0002: *value = (int)pinnedMemory.size(); return SUCCESS;
        case 0x534A0003: *value = (int)primary.streams.size(); return SUCCESS;
        case 0x534A0004: *value = (int)events.size(); return SUCCESS;
        case 0x534A0005: *value = (int)modules.size(); return SUCCESS;
        case 0x534A0006: *value = primary.retains; return SUCCESS;
        case 0x534A0007: *value = 1; return SUCCESS;  // "this is the emulator"
        case 0x534A0008: *value = (int)std::min<long long>(launches, 0x7fffffff); return SUCCESS;
        case 0x534A0009: {  // prints the report of live objects to stderr; value: how many lines
            const std::string text = leakReport(false);
            *value = (int)std::count(text.begin(), text.end(), '\n');
            if (*value > 0) std::fprintf(stderr, "cuda emulator: live objects:\n%s", text.c_str());
            return SUCCESS;
        }
        // Calls so far (failed ones too): a test counts them around code that must allocate nothing.
        case 0x534A000A: *value = (int)std::min<long long>(allocCalls, 0x7fffffff); return SUCCESS;
        case 0x534A000B: *value = (int)std::min<long long>(pinnedCalls, 0x7fffffff); return SUCCESS;
        // Device-to-host copies so far, and their bytes modulo 2^31 (a test takes differences over a few steps).
        case 0x534A000C: *value = (int)(copyBackCalls & 0x7fffffff); return SUCCESS;
        case 0x534A000D: *value = (int)(copyBackBytes & 0x7fffffff); return SUCCESS;
        default: break;
    }
    static std::set<int> reported;
    if (reported.insert(attribute).second) say("cuDeviceGetAttribute(%d): attribute not emulated", attribute);
    return INVALID_VALUE;
}

CUresult cuDevicePrimaryCtxRetain(void** context, CUdevice device) {
    std::lock_guard<std::mutex> guard(lock);
    if (!initialized) return NOT_INITIALIZED;
    if (context == nullptr) return INVALID_VALUE;
    if (device < 0 || device >= settings.devices) return INVALID_DEVICE;
    if (CUresult r = injected("cuDevicePrimaryCtxRetain"); r != SUCCESS) return r;
    if (primary.legacy == nullptr) primary.legacy = newStream(&primary, true, false);
    ++primary.retains;
    *context = &primary;
    return SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
    std::unique_lock<std::mutex> guard(lock);
    if (!initialized) return NOT_INITIALIZED;
    if (device < 0 || device >= settings.devices) return INVALID_DEVICE;
    if (primary.retains <= 0) {
        say("cuDevicePrimaryCtxRelease: the primary context is not retained");
        return INVALID_CONTEXT;
    }
    if (--primary.retains == 0) {
        // Destroyed, as on a driver: its work ends and its sticky error is gone.
        synchronizeContext(guard, &primary);
        primary.stickyError = SUCCESS;
        primary.stickyWhy.clear();
    }
    return SUCCESS;
}

CUresult cuDevicePrimaryCtxGetState(CUdevice device, unsigned* flags, int* active) {
    std::lock_guard<std::mutex> guard(lock);
    if (!initialized) return NOT_INITIALIZED;
    if (device < 0 || device >= settings.devices) return INVALID_DEVICE;
    if (flags != nullptr) *flags = 0;
    if (active != nullptr) *active = primary.retains > 0 ? 1 : 0;
    return SUCCESS;
}

CUresult cuCtxSetCurrent(void* context) {
    std::lock_guard<std::mutex> guard(lock);
    if (!initialized) return NOT_INITIALIZED;
    if (context != nullptr && context != &primary) {
        say("cuCtxSetCurrent: %p is not a context of this driver", context);
        return INVALID_CONTEXT;
    }
    current = static_cast<Context*>(context);
    return SUCCESS;
}

CUresult cuCtxGetCurrent(void** context) {
    if (!initialized) return NOT_INITIALIZED;
    if (context == nullptr) return INVALID_VALUE;
    *context = current;
    return SUCCESS;
}

CUresult cuCtxGetDevice(CUdevice* device) {
    std::lock_guard<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuCtxGetDevice"); r != SUCCESS) return r;
    *device = 0;
    return SUCCESS;
}

CUresult cuCtxSynchronize() {
    std::unique_lock<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuCtxSynchronize"); r != SUCCESS) return r;
    if (CUresult r = injected("cuCtxSynchronize"); r != SUCCESS) return r;
    Context* context = current;
    synchronizeContext(guard, context);
    return context->stickyError;
}

CUresult cuMemGetInfo_v2(size_t* free, size_t* total) {
    std::lock_guard<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuMemGetInfo"); r != SUCCESS) return r;
    if (free == nullptr || total == nullptr) return INVALID_VALUE;
    *total = (size_t)settings.totalMemory;
    *free = (size_t)std::max(0LL, settings.totalMemory - usedMemory);
    return SUCCESS;
}

}  // extern "C"

namespace {

// Maps `bytes` with a guard page before and after; the data ends 16-byte aligned right before the rear guard, and the
// alignment slack between the data's end and the guard holds canary bytes.
CUresult mapGuarded(const char* call, size_t bytes, Allocation& out) {
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    const size_t rounded = (std::max<size_t>(bytes, 1) + 15) & ~(size_t)15;
    const size_t dataPages = (rounded + page - 1) / page * page;
    const size_t total = page + dataPages + page;
    void* mapping = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapping == MAP_FAILED) {
        say("%s: the host cannot map %s", call, bytesText((long long)bytes).c_str());
        return OUT_OF_MEMORY;
    }
    char* m = static_cast<char*>(mapping);
    mprotect(m, page, PROT_NONE);
    mprotect(m + page + dataPages, page, PROT_NONE);
    out.mapping = m;
    out.mappingBytes = total;
    out.base = m + page + dataPages - rounded;
    out.size = bytes;
    out.slack = rounded - bytes;
    std::memset(out.base + bytes, kCanary, out.slack);
    return SUCCESS;
}

// The first allocation whose canary changed, after a kernel: a write past its end that the guard page did not see.
void checkCanaries(const char* kernel) {
    std::lock_guard<std::mutex> guard(lock);
    for (auto& [base, a] : deviceMemory) {
        for (size_t i = 0; i < a.slack; ++i) {
            if ((unsigned char)a.base[a.size + i] != kCanary) {
                say("kernel %s wrote past the end of the allocation %p..%p (%zu bytes, %s): the byte at +%zu after its "
                    "end changed. Aborting.",
                    kernel, (void*)a.base, (void*)(a.base + a.size), a.size, a.origin.c_str(), i);
                ::signal(SIGABRT, SIG_DFL);
                std::abort();
            }
        }
    }
}

}  // namespace

extern "C" {

CUresult cuMemAlloc_v2(CUdeviceptr* pointer, size_t bytes) {
    std::lock_guard<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuMemAlloc"); r != SUCCESS) return r;
    if (pointer == nullptr || bytes == 0) return INVALID_VALUE;
    ++allocCalls;
    if (CUresult r = injected("cuMemAlloc_v2"); r != SUCCESS) return r;
    const long long charged = (long long)((bytes + 511) & ~(size_t)511);
    if (usedMemory + charged > settings.totalMemory) return OUT_OF_MEMORY;
    Allocation a;
    if (CUresult r = mapGuarded("cuMemAlloc", bytes, a); r != SUCCESS) return r;
    std::memset(a.base, 0xFF, bytes);  // NaN in every float and double: reading before writing shows
    a.serial = ++serials;
    a.origin = "cuMemAlloc call #" + std::to_string(allocCalls);
    usedMemory += charged;
    deviceMemory.emplace(a.base, a);
    *pointer = reinterpret_cast<CUdeviceptr>(a.base);
    return SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr pointer) {
    std::unique_lock<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuMemFree"); r != SUCCESS) return r;
    auto it = deviceMemory.find(reinterpret_cast<const char*>(pointer));
    if (it == deviceMemory.end()) {
        say("cuMemFree: %p is not the start of a live allocation (freed twice, an offset pointer, or never "
            "allocated)%s", (void*)pointer, nearest((void*)pointer).c_str());
        return INVALID_VALUE;
    }
    // cuMemFree synchronises with the device in practice; kernels may still read this memory.
    synchronizeContext(guard, current);
    it = deviceMemory.find(reinterpret_cast<const char*>(pointer));
    if (it == deviceMemory.end()) return INVALID_VALUE;
    const Allocation a = it->second;
    deviceMemory.erase(it);
    usedMemory -= (long long)((a.size + 511) & ~(size_t)511);
    munmap(a.mapping, a.mappingBytes);
    return SUCCESS;
}

CUresult cuMemHostAlloc(void** pointer, size_t bytes, unsigned flags) {
    std::lock_guard<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuMemHostAlloc"); r != SUCCESS) return r;
    if (pointer == nullptr || bytes == 0) return INVALID_VALUE;
    if ((flags & ~0xFu) != 0) return INVALID_VALUE;
    ++pinnedCalls;
    if (CUresult r = injected("cuMemHostAlloc"); r != SUCCESS) return r;
    Allocation a;
    if (CUresult r = mapGuarded("cuMemHostAlloc", bytes, a); r != SUCCESS) return r;
    a.serial = ++serials;
    a.origin = "cuMemHostAlloc call #" + std::to_string(pinnedCalls);
    pinnedMemory.emplace(a.base, a);
    *pointer = a.base;
    return SUCCESS;
}

CUresult cuMemFreeHost(void* pointer) {
    std::unique_lock<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuMemFreeHost"); r != SUCCESS) return r;
    auto it = pinnedMemory.find(static_cast<const char*>(pointer));
    if (it == pinnedMemory.end()) {
        say("cuMemFreeHost: %p is not pinned memory from cuMemHostAlloc (or was freed)", pointer);
        return INVALID_VALUE;
    }
    synchronizeContext(guard, current);  // copies may still read it
    it = pinnedMemory.find(static_cast<const char*>(pointer));
    if (it == pinnedMemory.end()) return INVALID_VALUE;
    munmap(it->second.mapping, it->second.mappingBytes);
    pinnedMemory.erase(it);
    return SUCCESS;
}

}  // extern "C"

namespace {

// A copy or memset: checks, then queues it on `stream`; `wait` makes the call return when it has run (the
// synchronous variants). `source` is a host pointer that is not pinned: it is staged now (as a driver does for
// pageable memory), so the caller may reuse it when the call returns.
CUresult transfer(const char* call, void* streamHandle, bool wait, std::function<void()> run) {
    std::unique_lock<std::mutex> guard(lock);
    Stream* stream = streamOf(streamHandle);
    if (stream == nullptr) {
        say("%s: %p is not a stream of the current context (destroyed?)", call, streamHandle);
        return INVALID_HANDLE;
    }
    Context* context = current;
    const unsigned long long sequence = enqueue(context, stream, call, {}, std::move(run));
    if (wait) {
        waitFor(guard, stream, sequence);
        return context->stickyError;
    }
    return SUCCESS;
}

bool isPinned(const void* host, size_t bytes) { return findRange(pinnedMemory, host, bytes) != nullptr; }

CUresult copyToDevice(const char* call, CUdeviceptr destination, const void* source, size_t bytes, void* stream,
                      bool async) {
    bool pinned = false;
    {
        std::lock_guard<std::mutex> guard(lock);
        if (CUresult r = checkContext(call); r != SUCCESS) return r;
        if (CUresult r = injected(call); r != SUCCESS) return r;
        if (CUresult r = checkDevice(call, destination, bytes); r != SUCCESS) return r;
        if (bytes > 0 && source == nullptr) return INVALID_VALUE;
        pinned = async && isPinned(source, bytes);
    }
    char* d = reinterpret_cast<char*>(destination);
    if (!async) return transfer(call, nullptr, true, [d, source, bytes] { std::memcpy(d, source, bytes); });
    if (pinned) return transfer(call, stream, false, [d, source, bytes] { std::memcpy(d, source, bytes); });
    // Pageable host memory: staged now, so the caller may reuse it at once (a driver does the same).
    auto staged = std::make_shared<std::vector<char>>(static_cast<const char*>(source),
                                                      static_cast<const char*>(source) + bytes);
    return transfer(call, stream, false, [d, staged] { std::memcpy(d, staged->data(), staged->size()); });
}

}  // namespace

extern "C" {

CUresult cuMemcpyHtoD_v2(CUdeviceptr destination, const void* source, size_t bytes) {
    return copyToDevice("cuMemcpyHtoD_v2", destination, source, bytes, nullptr, false);
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr destination, const void* source, size_t bytes, void* stream) {
    return copyToDevice("cuMemcpyHtoDAsync_v2", destination, source, bytes, stream, true);
}

CUresult cuMemcpyDtoH_v2(void* destination, CUdeviceptr source, size_t bytes) {
    {
        std::lock_guard<std::mutex> guard(lock);
        if (CUresult r = checkContext("cuMemcpyDtoH"); r != SUCCESS) return r;
        if (CUresult r = injected("cuMemcpyDtoH_v2"); r != SUCCESS) return r;
        if (CUresult r = checkDevice("cuMemcpyDtoH", source, bytes); r != SUCCESS) return r;
        if (bytes > 0 && destination == nullptr) return INVALID_VALUE;
        ++copyBackCalls;
        copyBackBytes += (long long)bytes;
    }
    const char* s = reinterpret_cast<const char*>(source);
    return transfer("cuMemcpyDtoH_v2", nullptr, true, [destination, s, bytes] { std::memcpy(destination, s, bytes); });
}

CUresult cuMemcpyDtoHAsync_v2(void* destination, CUdeviceptr source, size_t bytes, void* stream) {
    bool pinned;
    {
        std::lock_guard<std::mutex> guard(lock);
        if (CUresult r = checkContext("cuMemcpyDtoHAsync"); r != SUCCESS) return r;
        if (CUresult r = injected("cuMemcpyDtoHAsync_v2"); r != SUCCESS) return r;
        if (CUresult r = checkDevice("cuMemcpyDtoHAsync", source, bytes); r != SUCCESS) return r;
        pinned = isPinned(destination, bytes);
        ++copyBackCalls;
        copyBackBytes += (long long)bytes;
    }
    const char* s = reinterpret_cast<const char*>(source);
    // Into pageable memory the copy is synchronous, as on a driver.
    return transfer("cuMemcpyDtoHAsync_v2", stream, !pinned,
                    [destination, s, bytes] { std::memcpy(destination, s, bytes); });
}

CUresult cuMemcpyDtoD_v2(CUdeviceptr destination, CUdeviceptr source, size_t bytes) {
    {
        std::lock_guard<std::mutex> guard(lock);
        if (CUresult r = checkContext("cuMemcpyDtoD"); r != SUCCESS) return r;
        if (CUresult r = checkDevice("cuMemcpyDtoD (destination)", destination, bytes); r != SUCCESS) return r;
        if (CUresult r = checkDevice("cuMemcpyDtoD (source)", source, bytes); r != SUCCESS) return r;
    }
    char* d = reinterpret_cast<char*>(destination);
    const char* s = reinterpret_cast<const char*>(source);
    // Asynchronous with respect to the host for device-to-device copies (cuda.h); ordered on the legacy stream.
    return transfer("cuMemcpyDtoD_v2", nullptr, false, [d, s, bytes] { std::memmove(d, s, bytes); });
}

CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr destination, CUdeviceptr source, size_t bytes, void* stream) {
    {
        std::lock_guard<std::mutex> guard(lock);
        if (CUresult r = checkContext("cuMemcpyDtoDAsync"); r != SUCCESS) return r;
        if (CUresult r = checkDevice("cuMemcpyDtoDAsync (destination)", destination, bytes); r != SUCCESS) return r;
        if (CUresult r = checkDevice("cuMemcpyDtoDAsync (source)", source, bytes); r != SUCCESS) return r;
    }
    char* d = reinterpret_cast<char*>(destination);
    const char* s = reinterpret_cast<const char*>(source);
    return transfer("cuMemcpyDtoDAsync_v2", stream, false, [d, s, bytes] { std::memmove(d, s, bytes); });
}

static CUresult memset32(const char* call, CUdeviceptr destination, unsigned value, size_t count, void* stream,
                         bool wait) {
    {
        std::lock_guard<std::mutex> guard(lock);
        if (CUresult r = checkContext(call); r != SUCCESS) return r;
        if (CUresult r = injected(call); r != SUCCESS) return r;
        if (destination % 4 != 0) {
            say("%s: %p is not 4-byte aligned", call, (void*)destination);
            return INVALID_VALUE;
        }
        if (CUresult r = checkDevice(call, destination, count * 4); r != SUCCESS) return r;
    }
    unsigned* d = reinterpret_cast<unsigned*>(destination);
    return transfer(call, stream, wait, [d, value, count] { std::fill(d, d + count, value); });
}

CUresult cuMemsetD32_v2(CUdeviceptr destination, unsigned value, size_t count) {
    return memset32("cuMemsetD32_v2", destination, value, count, nullptr, true);
}

CUresult cuMemsetD32Async(CUdeviceptr destination, unsigned value, size_t count, void* stream) {
    return memset32("cuMemsetD32Async", destination, value, count, stream, false);
}

CUresult cuMemsetD8_v2(CUdeviceptr destination, unsigned char value, size_t count) {
    {
        std::lock_guard<std::mutex> guard(lock);
        if (CUresult r = checkContext("cuMemsetD8"); r != SUCCESS) return r;
        if (CUresult r = checkDevice("cuMemsetD8", destination, count); r != SUCCESS) return r;
    }
    char* d = reinterpret_cast<char*>(destination);
    return transfer("cuMemsetD8_v2", nullptr, true, [d, value, count] { std::memset(d, value, count); });
}

// ---- modules and launches ----------------------------------------------------------------------------------------

CUresult cuModuleLoadData(void** module, const void* image) {
    std::lock_guard<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuModuleLoadData"); r != SUCCESS) return r;
    if (module == nullptr || image == nullptr) return INVALID_VALUE;
    if (CUresult r = injected("cuModuleLoadData"); r != SUCCESS) return r;
    const unsigned char* bytes = static_cast<const unsigned char*>(image);
    unsigned magic;
    std::memcpy(&magic, bytes, 4);
    std::set<std::string> names;
    std::string why;
    CUresult result = SUCCESS;
    if (magic == 0xBA55ED50u) {
        result = fatbinNames(bytes, names, why);
    } else if (std::memcmp(bytes, "\x7f" "ELF", 4) == 0) {
        // A cubin (JCuda's PTX compiler makes one). Its size is not given; sections lie within a few MB.
        if (!elfNames(bytes, 16u << 20, names)) {
            why = "an ELF image that is not a 64-bit CUDA cubin";
            result = INVALID_IMAGE;
        }
    } else {
        int version = 0, target = 0;
        if (!ptxNames(static_cast<const char*>(image), 64u << 20, names, version, target)) {
            why = "neither a fatbin, a cubin nor PTX text";
            result = INVALID_IMAGE;
        } else if (version > maxPtxVersion()) {
            why = "PTX ISA " + std::to_string(version / 10) + "." + std::to_string(version % 10) +
                  " is newer than the emulated driver " + std::to_string(settings.driverVersion / 1000) + "." +
                  std::to_string((settings.driverVersion % 1000) / 10) + " reads";
            result = UNSUPPORTED_PTX_VERSION;
        } else if (target > settings.ccMajor * 10 + settings.ccMinor) {
            why = "PTX for sm_" + std::to_string(target) + " cannot run on compute capability " +
                  std::to_string(settings.ccMajor) + "." + std::to_string(settings.ccMinor);
            result = NO_BINARY_FOR_GPU;
        }
    }
    if (result == SUCCESS && names.empty()) {
        why = "the image has no kernels";
        result = INVALID_IMAGE;
    }
    if (result == SUCCESS) {
        for (const std::string& name : names) {
            if (s4jemu::findKernel(name) == nullptr) {
                why = "the image has a kernel the emulator was not built with: " + name;
                result = INVALID_IMAGE;
                break;
            }
        }
    }
    if (result != SUCCESS) {
        say("cuModuleLoadData: %s (%s)", why.c_str(), resultName(result));
        return result;
    }
    Module* m = new Module{current, names, ++serials};
    modules.insert(m);
    *module = m;
    return SUCCESS;
}

CUresult cuModuleUnload(void* module) {
    std::unique_lock<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuModuleUnload"); r != SUCCESS) return r;
    Module* m = static_cast<Module*>(module);
    if (modules.count(m) == 0) return INVALID_HANDLE;
    synchronizeContext(guard, current);
    for (auto it = functions.begin(); it != functions.end();) {
        if ((*it)->module == m) {
            delete *it;
            it = functions.erase(it);
        } else {
            ++it;
        }
    }
    modules.erase(m);
    delete m;
    return SUCCESS;
}

CUresult cuModuleGetFunction(void** function, void* module, const char* name) {
    std::lock_guard<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuModuleGetFunction"); r != SUCCESS) return r;
    Module* m = static_cast<Module*>(module);
    if (function == nullptr || name == nullptr) return INVALID_VALUE;
    if (modules.count(m) == 0) return INVALID_HANDLE;
    if (m->names.count(name) == 0) {
        say("cuModuleGetFunction: the module has no kernel named '%s'", name);
        return NOT_FOUND;
    }
    const s4jemu::KernelInfo* info = s4jemu::findKernel(name);
    for (Function* f : functions) {
        if (f->module == m && f->info == info) {
            *function = f;
            return SUCCESS;
        }
    }
    Function* f = new Function{m, info};
    functions.insert(f);
    *function = f;
    return SUCCESS;
}

}  // extern "C"

// Registers and static shared memory per kernel and target, from cuda/build-report.txt (generated by build.sh).
namespace {
struct KernelResources {
    const char* name;
    int sm;
    int registers;
    int sharedBytes;
};
const KernelResources kResources[] = {
#include "kernel_resources.inc"
};

// The resources of `name` on the emulated target: its own entry, else the highest target below it.
KernelResources resourcesOf(const char* name) {
    const int cc = settings.ccMajor * 10 + settings.ccMinor;
    KernelResources best{name, -1, 32, 0};
    for (const KernelResources& r : kResources) {
        if (std::strcmp(r.name, name) == 0 && r.sm <= cc && r.sm > best.sm) best = r;
    }
    if (best.sm < 0) {  // below every target: the lowest
        for (const KernelResources& r : kResources) {
            if (std::strcmp(r.name, name) == 0 && (best.sm < 0 || r.sm < best.sm)) best = r;
        }
    }
    return best;
}

int blocksPerMultiprocessor(const KernelResources& r, int blockSize, size_t dynamicShared) {
    const int cc = settings.ccMajor * 10 + settings.ccMinor;
    const int warps = (blockSize + 31) / 32;
    const int registersPerWarp = ((std::max(r.registers, 1) + 7) / 8 * 8 * 32 + 255) / 256 * 256;
    const int byRegisters = 65536 / std::max(1, warps * registersPerWarp);
    const int maxThreads = cc >= 80 && cc != 86 && cc != 89 ? 2048 : (cc == 75 ? 1024 : 1536);
    const int byThreads = maxThreads / std::max(1, blockSize);
    const long long smemPerSm = cc >= 90 ? 233472 : (cc >= 80 ? 167936 : 65536);
    const long long perBlock = r.sharedBytes + (long long)dynamicShared + (cc >= 80 ? 1024 : 0);
    const int bySmem = perBlock > 0 ? (int)(smemPerSm / perBlock) : 1 << 20;
    const int maxBlocks = cc == 75 ? 16 : 32;
    return std::max(0, std::min({byRegisters, byThreads, bySmem, maxBlocks}));
}
}  // namespace

extern "C" {

CUresult cuFuncGetAttribute(int* value, int attribute, void* function) {
    std::lock_guard<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuFuncGetAttribute"); r != SUCCESS) return r;
    Function* f = static_cast<Function*>(function);
    if (functions.count(f) == 0) return INVALID_HANDLE;
    const KernelResources r = resourcesOf(f->info->name);
    switch (attribute) {
        case 0: *value = std::min(1024, 65536 / std::max(1, (r.registers + 7) / 8 * 8)) / 32 * 32; return SUCCESS;
        case 1: *value = r.sharedBytes; return SUCCESS;
        case 4: *value = r.registers; return SUCCESS;
        case 5: *value = settings.ccMajor * 10 + settings.ccMinor; return SUCCESS;
        case 6: *value = settings.ccMajor * 10 + settings.ccMinor; return SUCCESS;
        default: *value = 0; return SUCCESS;
    }
}

CUresult cuOccupancyMaxActiveBlocksPerMultiprocessor(int* blocks, void* function, int blockSize,
                                                     size_t dynamicShared) {
    std::lock_guard<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuOccupancyMaxActiveBlocksPerMultiprocessor"); r != SUCCESS) return r;
    Function* f = static_cast<Function*>(function);
    if (blocks == nullptr || blockSize <= 0) return INVALID_VALUE;
    if (functions.count(f) == 0) return INVALID_HANDLE;
    *blocks = blocksPerMultiprocessor(resourcesOf(f->info->name), blockSize, dynamicShared);
    return SUCCESS;
}

CUresult cuOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(int* blocks, void* function, int blockSize,
                                                              size_t dynamicShared, unsigned) {
    return cuOccupancyMaxActiveBlocksPerMultiprocessor(blocks, function, blockSize, dynamicShared);
}

CUresult cuLaunchKernel(void* function, unsigned gridX, unsigned gridY, unsigned gridZ, unsigned blockX,
                        unsigned blockY, unsigned blockZ, unsigned sharedBytes, void* streamHandle,
                        void** kernelParams, void** extra) {
    std::unique_lock<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuLaunchKernel"); r != SUCCESS) return r;
    Function* f = static_cast<Function*>(function);
    if (functions.count(f) == 0) {
        say("cuLaunchKernel: %p is not a function of a loaded module", function);
        return INVALID_HANDLE;
    }
    const char* name = f->info->name;
    Stream* stream = streamOf(streamHandle);
    if (stream == nullptr) {
        say("cuLaunchKernel(%s): %p is not a stream of the current context", name, streamHandle);
        return INVALID_HANDLE;
    }
    const unsigned long long threads = (unsigned long long)blockX * blockY * blockZ;
    if (gridX == 0 || gridY == 0 || gridZ == 0 || blockX == 0 || blockY == 0 || blockZ == 0 || blockX > 1024 ||
        blockY > 1024 || blockZ > 64 || threads > 1024 || gridX > 2147483647u || gridY > 65535 || gridZ > 65535) {
        say("cuLaunchKernel(%s): grid %ux%ux%u, block %ux%ux%u is outside the device's limits", name, gridX, gridY,
            gridZ, blockX, blockY, blockZ);
        return INVALID_VALUE;
    }
    if (blockY != 1 || blockZ != 1 || gridY != 1 || gridZ != 1) {
        say("cuLaunchKernel(%s): the emulator runs 1-D launches only (grid %ux%ux%u, block %ux%ux%u)", name, gridX,
            gridY, gridZ, blockX, blockY, blockZ);
        return NOT_SUPPORTED;
    }
    const KernelResources resources = resourcesOf(name);
    if ((long long)resources.sharedBytes + sharedBytes > 49152) {
        say("cuLaunchKernel(%s): %d bytes of static and %u of dynamic shared memory exceed 48 KiB", name,
            resources.sharedBytes, sharedBytes);
        return INVALID_VALUE;
    }
    if (blocksPerMultiprocessor(resources, (int)blockX, sharedBytes) == 0) {
        say("cuLaunchKernel(%s): blocks of %u threads at %d registers each do not fit on a multiprocessor", name,
            blockX, resources.registers);
        return LAUNCH_OUT_OF_RESOURCES;
    }
    if (extra != nullptr) {
        say("cuLaunchKernel(%s): arguments through `extra` are not emulated; pass kernelParams", name);
        return NOT_SUPPORTED;
    }
    if (kernelParams == nullptr) {
        say("cuLaunchKernel(%s): kernelParams is NULL", name);
        return INVALID_VALUE;
    }
    CUresult fault = injected("cuLaunchKernel", name);
    if (fault != SUCCESS && !sticky(fault)) return fault;
    std::shared_ptr<s4jemu::BoundKernel> bound = f->info->bind(kernelParams);
    for (const s4jemu::PointerArgument& p : bound->pointers()) {
        if (p.value == nullptr) {
            if (p.nullable) continue;
            say("cuLaunchKernel(%s): argument %d (%s) is NULL", name, p.index, p.name);
            return INVALID_VALUE;
        }
        if (findRange(deviceMemory, p.value, 0) == nullptr) {
            const std::string call = "cuLaunchKernel(" + std::string(name) + ") argument " + std::to_string(p.index) +
                                     " (" + p.name + ")";
            checkDevice(call.c_str(), reinterpret_cast<CUdeviceptr>(p.value), 0);
            return INVALID_VALUE;
        }
    }
    ++launches;
    Context* context = current;
    char shape[64];
    std::snprintf(shape, sizeof shape, " (launch #%lld, %ux%u)", launches, gridX, blockX);
    const std::string what = std::string("kernel ") + name + shape;
    auto activity = std::make_shared<std::string>(what);
    enqueue(context, stream, what, {}, [bound, gridX, blockX, name, fault, context, activity] {
        if (fault != SUCCESS) {  // an injected fault "inside" the kernel
            std::lock_guard<std::mutex> g(lock);
            setSticky(context, fault, *activity);
            return;
        }
        blockPool->run(*bound, gridX, blockX, activity->c_str());
        checkCanaries(name);
    });
    return SUCCESS;
}

// ---- streams and events ------------------------------------------------------------------------------------------

CUresult cuStreamCreate(void** stream, unsigned flags) {
    std::lock_guard<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuStreamCreate"); r != SUCCESS) return r;
    if (stream == nullptr || (flags & ~1u) != 0) return INVALID_VALUE;
    if (CUresult r = injected("cuStreamCreate"); r != SUCCESS) return r;
    Stream* s = newStream(current, false, (flags & 1u) != 0);
    current->streams.insert(s);
    *stream = s;
    return SUCCESS;
}

CUresult cuStreamCreateWithPriority(void** stream, unsigned flags, int) { return cuStreamCreate(stream, flags); }

CUresult cuStreamDestroy_v2(void* handle) {
    std::unique_lock<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuStreamDestroy"); r != SUCCESS) return r;
    Stream* stream = static_cast<Stream*>(handle);
    if (current->streams.count(stream) == 0) {
        say("cuStreamDestroy: %p is not a stream of the current context (destroyed twice?)", handle);
        return INVALID_HANDLE;
    }
    current->streams.erase(stream);
    // Work already queued still runs (as on a driver); the worker ends when its queue is empty.
    stream->stopping = true;
    changed.notify_all();
    guard.unlock();
    stream->worker.join();
    delete stream;
    return SUCCESS;
}

CUresult cuStreamSynchronize(void* handle) {
    std::unique_lock<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuStreamSynchronize"); r != SUCCESS) return r;
    Stream* stream = streamOf(handle);
    if (stream == nullptr) return INVALID_HANDLE;
    Context* context = current;
    waitFor(guard, stream, stream->submitted);
    return context->stickyError;
}

CUresult cuStreamQuery(void* handle) {
    std::lock_guard<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuStreamQuery"); r != SUCCESS) return r;
    Stream* stream = streamOf(handle);
    if (stream == nullptr) return INVALID_HANDLE;
    return stream->completed >= stream->submitted ? SUCCESS : NOT_READY;
}

CUresult cuEventCreate(void** event, unsigned flags) {
    std::lock_guard<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuEventCreate"); r != SUCCESS) return r;
    if (event == nullptr || (flags & ~0xFu) != 0) return INVALID_VALUE;
    if (CUresult r = injected("cuEventCreate"); r != SUCCESS) return r;
    Event* e = new Event{current, flags, 0, 0, {}, ++serials};
    events.insert(e);
    *event = e;
    return SUCCESS;
}

CUresult cuEventDestroy_v2(void* handle) {
    std::lock_guard<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuEventDestroy"); r != SUCCESS) return r;
    Event* e = static_cast<Event*>(handle);
    if (events.count(e) == 0) {
        say("cuEventDestroy: %p is not an event (destroyed twice?)", handle);
        return INVALID_HANDLE;
    }
    events.erase(e);
    // Work may still refer to it (a record or a wait in a queue): kept, never reused. A few bytes per event.
    return SUCCESS;
}

CUresult cuEventRecord(void* handle, void* streamHandle) {
    std::lock_guard<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuEventRecord"); r != SUCCESS) return r;
    Event* e = static_cast<Event*>(handle);
    if (events.count(e) == 0) return INVALID_HANDLE;
    Stream* stream = streamOf(streamHandle);
    if (stream == nullptr) return INVALID_HANDLE;
    const unsigned long long record = ++e->recorded;
    enqueue(current, stream, "cuEventRecord", {}, [e, record] {
        std::lock_guard<std::mutex> g(lock);
        e->completed = record;
        e->when = std::chrono::steady_clock::now();
        changed.notify_all();
    });
    return SUCCESS;
}

CUresult cuEventRecordWithFlags(void* handle, void* stream, unsigned) { return cuEventRecord(handle, stream); }

CUresult cuEventSynchronize(void* handle) {
    std::unique_lock<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuEventSynchronize"); r != SUCCESS) return r;
    Event* e = static_cast<Event*>(handle);
    if (events.count(e) == 0) return INVALID_HANDLE;
    const unsigned long long target = e->recorded;
    Context* context = current;
    changed.wait(guard, [&] { return e->completed >= target || context->stickyError != SUCCESS; });
    return context->stickyError;
}

CUresult cuEventQuery(void* handle) {
    std::lock_guard<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuEventQuery"); r != SUCCESS) return r;
    Event* e = static_cast<Event*>(handle);
    if (events.count(e) == 0) return INVALID_HANDLE;
    return e->completed >= e->recorded ? SUCCESS : NOT_READY;
}

CUresult cuEventElapsedTime(float* milliseconds, void* start, void* end) {
    std::lock_guard<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuEventElapsedTime"); r != SUCCESS) return r;
    Event* a = static_cast<Event*>(start);
    Event* b = static_cast<Event*>(end);
    if (milliseconds == nullptr) return INVALID_VALUE;
    if (events.count(a) == 0 || events.count(b) == 0) return INVALID_HANDLE;
    if (((a->flags | b->flags) & 2u) != 0) return INVALID_HANDLE;  // CU_EVENT_DISABLE_TIMING
    if (a->recorded == 0 || b->recorded == 0) return INVALID_HANDLE;
    if (a->completed < a->recorded || b->completed < b->recorded) return NOT_READY;
    *milliseconds = std::chrono::duration<float, std::milli>(b->when - a->when).count();
    return SUCCESS;
}

CUresult cuStreamWaitEvent(void* streamHandle, void* handle, unsigned flags) {
    std::lock_guard<std::mutex> guard(lock);
    if (CUresult r = checkContext("cuStreamWaitEvent"); r != SUCCESS) return r;
    if (flags != 0) return INVALID_VALUE;
    Event* e = static_cast<Event*>(handle);
    if (events.count(e) == 0) return INVALID_HANDLE;
    Stream* stream = streamOf(streamHandle);
    if (stream == nullptr) return INVALID_HANDLE;
    if (e->recorded == 0) return SUCCESS;  // never recorded: nothing to wait for
    enqueue(current, stream, "cuStreamWaitEvent", {Dependency{nullptr, e, e->recorded}}, [] {});
    return SUCCESS;
}

// ---- errors ------------------------------------------------------------------------------------------------------

CUresult cuGetErrorName(CUresult error, const char** name) {
    if (name == nullptr) return INVALID_VALUE;
    *name = resultName(error);
    return SUCCESS;
}

CUresult cuGetErrorString(CUresult error, const char** text) {
    if (text == nullptr) return INVALID_VALUE;
    *text = resultName(error);
    return SUCCESS;
}

// The emulator's own entry points, for C++ tests (cuda/emu/test): the live-object report and the kernel table.
const char* s4j_emu_live_objects() {
    static std::string text;
    std::lock_guard<std::mutex> guard(lock);
    text = leakReport(false);
    return text.c_str();
}

const char* s4j_emu_kernel_table() {
    static std::string text;
    text.clear();
    for (const s4jemu::KernelInfo& k : s4jemu::kernels()) text += std::string(k.name) + "(" + k.signature + ")\n";
    return text.c_str();
}

// Every other function JCuda imports (stubs.cpp, generated by build.sh from libJCudaDriver's imports) ends here.
CUresult s4j_emu_unsupported(const char* function) {
    static std::mutex reportedLock;
    static std::set<std::string> reported;
    std::lock_guard<std::mutex> guard(reportedLock);
    if (reported.insert(function).second) say("%s is not emulated (CUDA_ERROR_NOT_SUPPORTED)", function);
    return NOT_SUPPORTED;
}

}  // extern "C"
