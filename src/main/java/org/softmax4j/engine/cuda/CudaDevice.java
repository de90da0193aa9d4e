package org.softmax4j.engine.cuda;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * The GPU this JVM uses: device 0 of the driver, its primary context (retained once for the life of the JVM: it is
 * shared with anything else in the process that uses the device, and released by the driver at exit), the kernel module
 * loaded into that context, and whether cuBLAS is usable. Made once by {@link CudaProbe}; immutable after that, except
 * that a sticky error (see {@link Driver}) makes it unusable for the rest of the JVM: every later entry then throws
 * {@link CudaException} with one message naming the first error, and closing what was made on it frees nothing.
 * Every thread that calls CUDA calls {@link #makeCurrent()} first: a context is current per thread.
 */
public final class CudaDevice {
    /** The lowest compute capability, ×10, that the kernels are built for (sm_75). */
    static final int MIN_COMPUTE_CAPABILITY = 75;
    /** The name the CUDA emulator (cuda/emu, a libcuda.so.1 that runs kernels on the CPU) gives its device. */
    static final String EMULATOR_NAME_PREFIX = "CUDA emulator";

    private final CUdevice device;
    private final CUcontext context;
    private final String name;
    private final int major;
    private final int minor;
    private final int multiprocessors;
    private final int driverVersion;
    private final long totalMemory;
    private final String kernelImage;
    private final Kernels kernels;
    private final boolean cublasAvailable;
    private final String cublasStatus;
    /** The process's latch of sticky errors (one per process, like the errors; tests give their own). */
    private final Driver.ContextLoss contextLoss;

    CudaDevice(CUdevice device, CUcontext context, String name, int major, int minor, int multiprocessors,
               int driverVersion, long totalMemory, String kernelImage, Kernels kernels, boolean cublasAvailable,
               String cublasStatus, Driver.ContextLoss contextLoss) {
        this.device = device;
        this.context = context;
        this.name = name;
        this.major = major;
        this.minor = minor;
        this.multiprocessors = multiprocessors;
        this.driverVersion = driverVersion;
        this.totalMemory = totalMemory;
        this.kernelImage = kernelImage;
        this.kernels = kernels;
        this.cublasAvailable = cublasAvailable;
        this.cublasStatus = cublasStatus;
        this.contextLoss = contextLoss;
    }

    /**
     * Makes the primary context current on the calling thread. Cheap; call it at the start of every CUDA entry.
     *
     * @throws CudaException when a sticky error has made the context unusable ({@link #unusableReason()})
     */
    public void makeCurrent() {
        checkUsable();
        int result = JCudaDriver.cuCtxSetCurrent(context);
        if (result != CUresult.CUDA_SUCCESS) {  // the message is built only on failure: a call allocates nothing
            Driver.check("cuCtxSetCurrent(primary context of " + name + ")", result);
        }
    }

    /**
     * Why the GPU context can no longer be used ("the GPU context is unusable after CUDA_ERROR_ILLEGAL_ADDRESS in
     * cuMemcpyDtoH(sums, 8 bytes); restart the JVM"), or null while it can.
     */
    public String unusableReason() {
        return contextLoss.reason();
    }

    /** Throws {@link CudaException} with {@link #unusableReason()} when the context is unusable. */
    void checkUsable() {
        String reason = contextLoss.reason();
        if (reason != null) {
            throw new CudaException(reason, contextLoss.result());
        }
    }

    /** Free and total device memory in bytes, now. */
    public long[] memoryInfo() {
        makeCurrent();
        long[] free = new long[1];
        long[] total = new long[1];
        Driver.check("cuMemGetInfo", JCudaDriver.cuMemGetInfo(free, total));
        return new long[]{free[0], total[0]};
    }

    /** Waits for all work on the device; from any thread (it makes the context current first). */
    public void synchronize() {
        makeCurrent();
        Driver.check("cuCtxSynchronize", JCudaDriver.cuCtxSynchronize());
    }

    public String name() {
        return name;
    }

    /** "9.0" for an H200. */
    public String computeCapability() {
        return major + "." + minor;
    }

    public int computeCapabilityMajor() {
        return major;
    }

    public int computeCapabilityMinor() {
        return minor;
    }

    public int multiprocessors() {
        return multiprocessors;
    }

    /** "13.0" for driver R580. */
    public String driverVersion() {
        return versionString(driverVersion);
    }

    public long totalMemory() {
        return totalMemory;
    }

    /** Which kernel image was loaded, and why. */
    public String kernelImage() {
        return kernelImage;
    }

    public boolean cublasAvailable() {
        return cublasAvailable;
    }

    /** Whether cuBLAS is used for the dense logits, and if not, why. */
    public String cublasStatus() {
        return cublasStatus;
    }

    /** Blocks of every fused launch on this device: {@link #fusedBlocksPerSm()} × the multiprocessors. */
    public int fusedGridSize() {
        return kernels.fusedGridSize();
    }

    /** Fused blocks per multiprocessor: as many as the fused kernels' occupancy allows here (see {@link Kernels}). */
    public int fusedBlocksPerSm() {
        return kernels.fusedBlocksPerSm();
    }

    /** Whether every launch is followed by a wait that names a faulting kernel ({@value Kernels#SYNC_LAUNCHES_PROPERTY}). */
    public boolean syncLaunches() {
        return kernels.syncLaunches();
    }

    /**
     * Whether this is the CUDA emulator (cuda/emu: the kernels run on the CPU): its results are checks of logic, its
     * speeds are not GPU figures.
     */
    public boolean emulated() {
        return emulated(name);
    }

    static boolean emulated(String name) {
        return name.startsWith(EMULATOR_NAME_PREFIX);
    }

    Kernels kernels() {
        return kernels;
    }

    CUdevice device() {
        return device;
    }

    /**
     * One line for people, e.g. "NVIDIA H200 (compute capability 9.0, 132 SMs, 139.80 GiB, fused grid 2 blocks/SM),
     * driver 13.0"; for the emulator "CUDA emulator (CPU), emulating compute capability 9.0, 132 SMs, 141.00 GiB,
     * fused grid 2 blocks/SM, driver 13.0", so that it never reads as a GPU.
     */
    public String summary() {
        return summary(name, computeCapability(), multiprocessors, totalMemory, fusedBlocksPerSm(), driverVersion());
    }

    static String summary(String name, String computeCapability, int multiprocessors, long totalMemory,
                          int fusedBlocksPerSm, String driverVersion) {
        String details = multiprocessors + " SMs, " + DeviceMemoryException.bytes(totalMemory) + ", fused grid "
                + fusedBlocksPerSm + " blocks/SM";
        if (emulated(name)) {
            return name + ", emulating compute capability " + computeCapability + ", " + details + ", driver "
                    + driverVersion;
        }
        return name + " (compute capability " + computeCapability + ", " + details + "), driver " + driverVersion;
    }

    /**
     * Shorter than {@link #summary()}: "NVIDIA H200 (compute capability 9.0)", or "CUDA emulator (CPU), emulating
     * compute capability 9.0".
     */
    public String shortName() {
        return emulated() ? name + ", emulating compute capability " + computeCapability()
                : name + " (compute capability " + computeCapability() + ")";
    }

    static String versionString(int version) {
        return version / 1000 + "." + (version % 1000) / 10;
    }
}
