package org.softmax4j.engine.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Whether the CUDA engine can run in this JVM, asked once and remembered: JCuda's driver binding loads (its native
 * library first placed safely by {@link NativeLibraries}), cuInit succeeds, there is a device, its compute capability
 * is at least 7.5, its primary context can be retained and the kernel module loads with every kernel in it. Never
 * throws: every failure becomes a short reason, and a failure after the primary context was retained releases it. Run {@code java -cp ... org.softmax4j.engine.cuda.CudaProbe} to see
 * the result.
 */
public final class CudaProbe {

    /**
     * The outcome: a usable device, or the reason there is none. A device that the probe found stops being available
     * when a sticky error makes its context unusable (see {@link Driver}); {@link #reason()} then says so.
     */
    public record Result(CudaDevice device, String reason) {
        /** Whether the CUDA engine can run now: the probe found a device and its context is still usable. */
        public boolean available() {
            return device != null && device.unusableReason() == null;
        }

        /** Why the CUDA engine cannot run: the probe's reason, or why the context became unusable; null if it can. */
        @Override
        public String reason() {
            return device == null ? reason : device.unusableReason();
        }

        /** The device and kernel image when available, else the reason. */
        public String summary() {
            return !available() ? reason() : device.summary() + "; kernels: " + device.kernelImage()
                    + "; dense logits: " + (device.cublasAvailable() ? "cuBLAS"
                    : "own kernel (cuBLAS: " + device.cublasStatus() + ")");
        }
    }

    /** Loads the kernel module into the current context (a parameter so that tests can make it fail). */
    @FunctionalInterface
    interface ModuleLoader {
        KernelImage.Loaded load(int driverVersion, int major, int minor);
    }

    private CudaProbe() {
    }

    /** The probe's result, computed on first use. */
    public static Result result() {
        return Holder.RESULT;
    }

    private static final class Holder {
        static final Result RESULT = run(KernelImage::load);
    }

    /** The probe with {@code loader} for the kernels; never throws. Package-private for tests (in a JVM of their own). */
    static Result run(ModuleLoader loader) {
        try {
            return probe(loader);
        } catch (RuntimeException | LinkageError e) {
            return new Result(null, "the CUDA probe failed: " + CublasGemm.firstLine(String.valueOf(e.getMessage())));
        }
    }

    private static Result probe(ModuleLoader loader) {
        try {
            NativeLibraries.place(NativeLibraries.DRIVER);
        } catch (IOException e) {
            return unavailable("cannot place JCuda's native library: " + e.getMessage());
        }
        try {
            JCudaDriver.setExceptionsEnabled(false);
        } catch (LinkageError e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("libcuda.so")) {
                return unavailable("no CUDA driver (libcuda.so.1 not found)");
            }
            return unavailable("JCuda's driver binding does not load: " + CublasGemm.firstLine(message));
        }
        int result = JCudaDriver.cuInit(0);
        if (result == CUresult.CUDA_ERROR_NO_DEVICE) {
            return unavailable("no CUDA device");
        }
        if (result != CUresult.CUDA_SUCCESS) {
            return unavailable("the CUDA driver does not start (cuInit: " + CUresult.stringFor(result) + ")");
        }
        int[] value = new int[1];
        Driver.check("cuDriverGetVersion", JCudaDriver.cuDriverGetVersion(value));
        int driverVersion = value[0];
        Driver.check("cuDeviceGetCount", JCudaDriver.cuDeviceGetCount(value));
        if (value[0] == 0) {
            return unavailable("no CUDA device");
        }
        CUdevice device = new CUdevice();
        Driver.check("cuDeviceGet(0)", JCudaDriver.cuDeviceGet(device, 0));
        byte[] nameBytes = new byte[256];
        Driver.check("cuDeviceGetName", JCudaDriver.cuDeviceGetName(nameBytes, nameBytes.length, device));
        String name = cString(nameBytes);
        int major = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        int minor = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        if (major * 10 + minor < CudaDevice.MIN_COMPUTE_CAPABILITY) {
            return unavailable(name + ": compute capability " + major + "." + minor + " < 7.5");
        }
        int multiprocessors = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        long[] total = new long[1];
        Driver.check("cuDeviceTotalMem", JCudaDriver.cuDeviceTotalMem(total, device));
        CUcontext context = new CUcontext();
        int retained = JCudaDriver.cuDevicePrimaryCtxRetain(context, device);
        if (retained == CUresult.CUDA_ERROR_DEVICE_UNAVAILABLE) {
            return unavailable(name + " is busy: its compute mode is exclusive-process and another process holds it "
                    + "(cuDevicePrimaryCtxRetain: CUDA_ERROR_DEVICE_UNAVAILABLE)");
        }
        Driver.check("cuDevicePrimaryCtxRetain", retained);
        // From here on, every way out but success releases the primary context again: a JVM without a usable
        // device must not hold one (its memory, and on an exclusive-process GPU the device itself).
        Result probed = null;
        try {
            probed = withContext(loader, device, context, name, major, minor, multiprocessors, driverVersion,
                    total[0]);
            return probed;
        } finally {
            if (probed == null || !probed.available()) {
                JCudaDriver.cuDevicePrimaryCtxRelease(device);
            }
        }
    }

    /** The probe's steps that need the retained primary context. */
    private static Result withContext(ModuleLoader loader, CUdevice device, CUcontext context, String name, int major,
                                      int minor, int multiprocessors, int driverVersion, long totalMemory) {
        Driver.check("cuCtxSetCurrent", JCudaDriver.cuCtxSetCurrent(context));
        KernelImage.Loaded image;
        Kernels kernels;
        try {
            image = loader.load(driverVersion, major, minor);
            kernels = new Kernels(image.module(), multiprocessors,
                    Kernels.syncLaunchesRequested(System.getProperty(Kernels.SYNC_LAUNCHES_PROPERTY)));
        } catch (CudaException e) {
            return unavailable("the kernels do not load on " + name + " (driver "
                    + CudaDevice.versionString(driverVersion) + "): " + e.getMessage());
        }
        String cublas = CublasGemm.probe();
        return new Result(new CudaDevice(device, context, name, major, minor, multiprocessors, driverVersion,
                totalMemory, image.description(), kernels, cublas == null, cublas == null ? "cuBLAS loads" : cublas,
                Driver.CONTEXT_LOSS), null);
    }

    private static int attribute(CUdevice device, int attribute) {
        int[] value = new int[1];
        Driver.check("cuDeviceGetAttribute(" + attribute + ")",
                JCudaDriver.cuDeviceGetAttribute(value, attribute, device));
        return value[0];
    }

    private static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    private static Result unavailable(String reason) {
        return new Result(null, reason);
    }

    /** Prints "cuda available: ..." or "cuda unavailable: reason"; exits 0 either way. */
    public static void main(String[] args) {
        Result result = result();
        System.out.println((result.available() ? "cuda available: " : "cuda unavailable: ") + result.summary());
    }
}
