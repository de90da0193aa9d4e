package org.softmax4j.engine.cuda;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

/**
 * The GPU this JVM uses: device 0 of the driver, its primary context (retained once for the life of the JVM: it is
 * shared with anything else in the process that uses the device, and released by the driver at exit), the kernel module
 * loaded into that context, and whether cuBLAS is usable. Made once by {@link CudaProbe}; immutable after that.
 * Every thread that calls CUDA calls {@link #makeCurrent()} first: a context is current per thread.
 */
public final class CudaDevice {
    /** The lowest compute capability, ×10, that the kernels are built for (sm_75). */
    static final int MIN_COMPUTE_CAPABILITY = 75;
    /** Fused-kernel blocks per multiprocessor: the grid is fixed per device so results are bitwise repeatable. */
    static final int FUSED_BLOCKS_PER_SM = 4;

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

    CudaDevice(CUdevice device, CUcontext context, String name, int major, int minor, int multiprocessors,
               int driverVersion, long totalMemory, String kernelImage, Kernels kernels, boolean cublasAvailable,
               String cublasStatus) {
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
    }

    /** Makes the primary context current on the calling thread. Cheap; call it at the start of every CUDA entry. */
    public void makeCurrent() {
        Driver.check("cuCtxSetCurrent(primary context of " + name + ")", JCudaDriver.cuCtxSetCurrent(context));
    }

    /** Free and total device memory in bytes, now. */
    public long[] memoryInfo() {
        makeCurrent();
        long[] free = new long[1];
        long[] total = new long[1];
        Driver.check("cuMemGetInfo", JCudaDriver.cuMemGetInfo(free, total));
        return new long[]{free[0], total[0]};
    }

    /** Waits for all work on the device. */
    public void synchronize() {
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

    /** Blocks of every fused launch on this device: {@value #FUSED_BLOCKS_PER_SM} × the multiprocessors. */
    public int fusedGridSize() {
        return kernels.fusedGridSize();
    }

    Kernels kernels() {
        return kernels;
    }

    CUdevice device() {
        return device;
    }

    /** One line for people, e.g. "NVIDIA H200 (compute capability 9.0, 132 SMs, 139.8 GiB), driver 13.0". */
    public String summary() {
        return name + " (compute capability " + computeCapability() + ", " + multiprocessors + " SMs, "
                + DeviceMemoryException.bytes(totalMemory) + "), driver " + driverVersion();
    }

    static String versionString(int version) {
        return version / 1000 + "." + (version % 1000) / 10;
    }
}
