// planted.cpp: small driver-API programs, each with one bug the CUDA emulator claims to catch (cuda/emu/README.md),
// and the same program without the bug where that makes sense. cuda/emu/test/run.sh runs every mode and checks the
// emulator's report. Linked against the emulator's libcuda.so.1. Usage: planted MODE.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
extern "C" {
CUresult cuInit(unsigned);
CUresult cuDeviceGet(int*, int);
CUresult cuDevicePrimaryCtxRetain(void**, int);
CUresult cuDevicePrimaryCtxRelease_v2(int);
CUresult cuCtxSetCurrent(void*);
CUresult cuCtxSynchronize();
CUresult cuMemAlloc_v2(CUdeviceptr*, size_t);
CUresult cuMemFree_v2(CUdeviceptr);
CUresult cuMemHostAlloc(void**, size_t, unsigned);
CUresult cuMemFreeHost(void*);
CUresult cuMemcpyHtoD_v2(CUdeviceptr, const void*, size_t);
CUresult cuMemcpyDtoH_v2(void*, CUdeviceptr, size_t);
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr, const void*, size_t, void*);
CUresult cuModuleLoadData(void**, const void*);
CUresult cuModuleUnload(void*);
CUresult cuModuleGetFunction(void**, void*, const char*);
CUresult cuLaunchKernel(void*, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void*, void**,
                        void**);
CUresult cuStreamCreate(void**, unsigned);
CUresult cuStreamDestroy_v2(void*);
CUresult cuEventCreate(void**, unsigned);
CUresult cuEventDestroy_v2(void*);
CUresult cuEventRecord(void*, void*);
CUresult cuStreamWaitEvent(void*, void*, unsigned);
const char* s4j_emu_live_objects();
const char* s4j_emu_kernel_table();
}

namespace {

void* context = nullptr;
void* module = nullptr;

void check(const char* what, CUresult result) {
    if (result != 0) {
        std::printf("%s returned %d\n", what, result);
        std::exit(3);
    }
}

// A module with every kernel the emulator knows, as PTX text (the emulator reads the .entry names).
void setUp() {
    check("cuInit", cuInit(0));
    int device = 0;
    check("cuDeviceGet", cuDeviceGet(&device, 0));
    check("cuDevicePrimaryCtxRetain", cuDevicePrimaryCtxRetain(&context, device));
    check("cuCtxSetCurrent", cuCtxSetCurrent(context));
    std::string ptx = ".version 8.0\n.target sm_75\n.address_size 64\n";
    for (const char* name : {"ascent_update_kernel", "sum_doubles_kernel", "fused_binary_kernel"}) {
        ptx += std::string(".visible .entry ") + name + "(\n)\n{\n}\n";
    }
    check("cuModuleLoadData", cuModuleLoadData(&module, ptx.c_str()));
}

void tearDown() {
    check("cuModuleUnload", cuModuleUnload(module));
    check("cuDevicePrimaryCtxRelease", cuDevicePrimaryCtxRelease_v2(0));
}

void* function(const char* name) {
    void* f = nullptr;
    check(name, cuModuleGetFunction(&f, module, name));
    return f;
}

// W += step * (gradW - lambdaShare * W) over K*D weights and b += step * gradBias: writes every entry of W and b.
// `weights` is how many floats W's allocation holds (K*D when correct).
void ascent(size_t weights, int K, int D) {
    CUdeviceptr W, b, gW, gB;
    check("cuMemAlloc W", cuMemAlloc_v2(&W, weights * sizeof(float)));
    check("cuMemAlloc b", cuMemAlloc_v2(&b, K * sizeof(float)));
    check("cuMemAlloc gradW", cuMemAlloc_v2(&gW, (size_t)K * D * sizeof(double)));
    check("cuMemAlloc gradBias", cuMemAlloc_v2(&gB, K * sizeof(double)));
    std::vector<float> w(weights, 1.0f);
    std::vector<double> g((size_t)K * D, 0.5);
    check("copy W", cuMemcpyHtoD_v2(W, w.data(), weights * sizeof(float)));
    check("copy b", cuMemcpyHtoD_v2(b, w.data(), K * sizeof(float)));
    check("copy gradW", cuMemcpyHtoD_v2(gW, g.data(), g.size() * sizeof(double)));
    check("copy gradBias", cuMemcpyHtoD_v2(gB, g.data(), K * sizeof(double)));
    double step = 0.1, lambda = 0.0;
    void* args[] = {&W, &b, &gW, &gB, &step, &lambda, &K, &D};
    check("cuLaunchKernel", cuLaunchKernel(function("ascent_update_kernel"), 1, 1, 1, 256, 1, 1, 0, nullptr, args,
                                           nullptr));
    check("cuCtxSynchronize", cuCtxSynchronize());
    std::printf("ascent: done\n");
    for (CUdeviceptr p : {W, b, gW, gB}) check("cuMemFree", cuMemFree_v2(p));
}

// Sums `count` doubles copied on a non-blocking stream; `wait` makes the kernel's stream wait for the copy's event.
// Returns true when the sum is right. The copy's stream is delayed at random under S4J_EMU_CHAOS.
bool copyThenSum(bool wait) {
    const int count = 1 << 16;
    void* host = nullptr;
    check("cuMemHostAlloc", cuMemHostAlloc(&host, count * sizeof(double), 0));
    double* values = static_cast<double*>(host);
    for (int i = 0; i < count; ++i) values[i] = 1.0;
    CUdeviceptr device, out;
    check("cuMemAlloc", cuMemAlloc_v2(&device, count * sizeof(double)));
    check("cuMemAlloc", cuMemAlloc_v2(&out, sizeof(double)));
    void* stream = nullptr;
    void* copied = nullptr;
    check("cuStreamCreate", cuStreamCreate(&stream, 1 /* CU_STREAM_NON_BLOCKING */));
    check("cuEventCreate", cuEventCreate(&copied, 2));
    check("cuMemcpyHtoDAsync", cuMemcpyHtoDAsync_v2(device, host, count * sizeof(double), stream));
    check("cuEventRecord", cuEventRecord(copied, stream));
    if (wait) check("cuStreamWaitEvent", cuStreamWaitEvent(nullptr, copied, 0));
    int n = count;
    void* args[] = {&device, &n, &out};
    check("cuLaunchKernel", cuLaunchKernel(function("sum_doubles_kernel"), 1, 1, 1, 256, 1, 1, 0, nullptr, args,
                                           nullptr));
    double sum = 0;
    check("cuMemcpyDtoH", cuMemcpyDtoH_v2(&sum, out, sizeof sum));  // on the legacy stream, after the kernel
    check("cuCtxSynchronize", cuCtxSynchronize());
    check("cuEventDestroy", cuEventDestroy_v2(copied));
    check("cuStreamDestroy", cuStreamDestroy_v2(stream));
    check("cuMemFree", cuMemFree_v2(device));
    check("cuMemFree", cuMemFree_v2(out));
    check("cuMemFreeHost", cuMemFreeHost(host));
    return sum == (double)count;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    setUp();
    if (mode == "correct-ascent") {
        ascent(10 * 63, 10, 63);
    } else if (mode == "overrun-guard") {
        // W one float short, its size a multiple of 16 bytes: the kernel's last write lands on the guard page.
        ascent(10 * 64 - 4, 10, 64 - 0);  // 636 floats = 2544 bytes; the kernel writes 640
    } else if (mode == "overrun-slack") {
        // W one float short with a size that is not a multiple of 16: the write lands in the alignment slack.
        ascent(10 * 63 - 1, 10, 63);
    } else if (mode == "pointer-width") {
        // A 32-bit value where the kernel takes a pointer (as a Pointer.to(new int[]{...}) for a CUdeviceptr would).
        CUdeviceptr out;
        check("cuMemAlloc", cuMemAlloc_v2(&out, sizeof(double)));
        struct {
            int value;
            int next;
        } narrow = {4096, 0x5a5a};
        int count = 1;
        void* args[] = {&narrow, &count, &out};
        const CUresult r = cuLaunchKernel(function("sum_doubles_kernel"), 1, 1, 1, 256, 1, 1, 0, nullptr, args,
                                          nullptr);
        std::printf("pointer-width: cuLaunchKernel returned %d\n", r);
        check("cuMemFree", cuMemFree_v2(out));
    } else if (mode == "no-context") {
        CUresult fromThread = -1;
        std::thread([&] {
            CUdeviceptr p;
            fromThread = cuMemAlloc_v2(&p, 64);
        }).join();
        std::printf("no-context: cuMemAlloc from a new thread returned %d\n", fromThread);
        std::thread([&] {
            cuCtxSetCurrent(context);
            CUdeviceptr p;
            fromThread = cuMemAlloc_v2(&p, 64);
            if (fromThread == 0) cuMemFree_v2(p);
        }).join();
        std::printf("no-context: after cuCtxSetCurrent it returned %d\n", fromThread);
    } else if (mode == "missing-wait" || mode == "with-wait") {
        int wrong = 0;
        const int trials = 40;
        for (int t = 0; t < trials; ++t) {
            if (!copyThenSum(mode == "with-wait")) ++wrong;
        }
        std::printf("%s: %d of %d sums wrong\n", mode.c_str(), wrong, trials);
    } else if (mode == "leak") {
        CUdeviceptr leaked;
        check("cuMemAlloc", cuMemAlloc_v2(&leaked, 1000));
        std::printf("leak: live objects now:\n%s", s4j_emu_live_objects());
    } else if (mode == "unknown-kernel") {
        void* f = nullptr;
        std::printf("unknown-kernel: cuModuleGetFunction returned %d\n",
                    cuModuleGetFunction(&f, module, "no_such_kernel"));
        void* other = nullptr;
        const char* ptx = ".version 8.0\n.target sm_75\n.address_size 64\n.visible .entry mystery_kernel(\n)\n{\n}\n";
        std::printf("unknown-kernel: cuModuleLoadData returned %d\n", cuModuleLoadData(&other, ptx));
    } else if (mode == "kernel-table") {
        std::fputs(s4j_emu_kernel_table(), stdout);
    } else {
        std::printf("unknown mode '%s'\n", mode.c_str());
        return 2;
    }
    tearDown();
    return 0;
}
