// emu.h: what the emulator's driver (driver.cpp) needs from its kernel table (kernels.cpp). Internal to cuda/emu.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace s4jemu {

// One kernel argument that is a pointer: its position, name, value and whether the kernel accepts NULL there.
struct PointerArgument {
    int index;
    const char* name;
    const void* value;
    bool nullable;
};

// A launch with its arguments copied out of kernelParams (as cuLaunchKernel does: the caller may reuse its buffers
// as soon as the call returns). runBlock runs one block on the calling host thread.
class BoundKernel {
public:
    virtual ~BoundKernel() = default;
    virtual void runBlock(unsigned gridX, unsigned blockX, unsigned blockIndex) = 0;
    virtual std::vector<PointerArgument> pointers() const = 0;
};

struct KernelInfo {
    const char* name;
    // "const float* X, int N, ..." from the compiled function's parameter types and the table's names.
    std::string signature;
    // Copies the arguments out of kernelParams; each kernelParams[i] points at a value of parameter i's type.
    std::unique_ptr<BoundKernel> (*bind)(void** kernelParams);
};

// Every kernel compiled into the emulator, in the order of the table in kernels.cpp.
const std::vector<KernelInfo>& kernels();
const KernelInfo* findKernel(const std::string& name);

// Resumes the CUDA threads of a block in reverse index order at every barrier (chaos: a read that misses a barrier
// then sees the other half of the block's writes; see cuda/test/shim_fibers.h).
void setReverseThreadOrder(bool reverse);

// True when `address` is on a fiber stack's guard page of the calling host thread (a stack overflow in a kernel).
bool onFiberStackGuard(const void* address);

}  // namespace s4jemu
