package org.softmax4j.engine.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Chooses and loads the kernel module built by scripts/build-kernels.sh. Drivers ≥ 13.0 load the fatbin (SASS for
 * sm_75..sm_90 and PTX 9.0). Drivers 12.x cannot read PTX 9.0, so they get the PTX lowered to {@code .version 8.0};
 * when that driver's JIT rejects it, JCuda's bundled PTX compiler makes a cubin for the device. No nvcc at run time.
 */
final class KernelImage {
    static final String FATBIN = "/org/softmax4j/cuda/softmax4j.fatbin";
    static final String PTX = "/org/softmax4j/cuda/softmax4j.ptx";
    /** The first driver version (cuDriverGetVersion) that reads the fatbin's PTX 9.0. */
    static final int FATBIN_DRIVER = 13000;

    /** A loaded module and one line saying which image it came from and why. */
    record Loaded(CUmodule module, String description) {
    }

    private KernelImage() {
    }

    /**
     * Loads the module into the current context.
     *
     * @throws CudaException with every attempt's reason when no image loads
     */
    static Loaded load(int driverVersion, int major, int minor) {
        String driver = "driver " + CudaDevice.versionString(driverVersion);
        StringBuilder failures = new StringBuilder();
        if (driverVersion >= FATBIN_DRIVER) {
            byte[] fatbin = resource(FATBIN);
            if (fatbin == null) {
                failures.append("fatbin missing from the jar (").append(FATBIN).append("); ");
            } else {
                CUmodule module = new CUmodule();
                int result = JCudaDriver.cuModuleLoadData(module, fatbin);
                if (result == CUresult.CUDA_SUCCESS) {
                    return new Loaded(module, "fatbin (" + driver + " >= 13.0)");
                }
                failures.append("fatbin rejected: ").append(CUresult.stringFor(result)).append("; ");
            }
        }
        byte[] ptx = resource(PTX);
        if (ptx == null) {
            throw new CudaException(failures + "lowered PTX missing from the jar (" + PTX + ")", 0);
        }
        CUmodule module = new CUmodule();
        // cuModuleLoadData hands the bytes to the driver as they are: PTX must end with a NUL.
        int result = JCudaDriver.cuModuleLoadData(module, nulTerminated(ptx));
        if (result == CUresult.CUDA_SUCCESS) {
            return new Loaded(module, "lowered PTX, JIT-compiled by the " + driver
                    + (failures.length() == 0 ? " (< 13.0 reads no PTX 9.0)" : " (" + trim(failures) + ")"));
        }
        String rejected = "the " + driver + " rejected the lowered PTX: " + CUresult.stringFor(result);
        byte[] cubin;
        try {
            cubin = PtxCompiler.compile(ptx, major, minor);
        } catch (IOException | RuntimeException | LinkageError e) {
            throw new CudaException(failures + rejected + "; JCuda's PTX compiler failed too: " + e.getMessage(), 0);
        }
        module = new CUmodule();
        result = JCudaDriver.cuModuleLoadData(module, cubin);
        if (result == CUresult.CUDA_SUCCESS) {
            return new Loaded(module, "lowered PTX compiled for sm_" + major + minor
                    + " by JCuda's PTX compiler (" + rejected + ")");
        }
        throw new CudaException(failures + rejected + "; the sm_" + major + minor + " cubin from JCuda's PTX compiler"
                + " was rejected too: " + CUresult.stringFor(result), result);
    }

    static byte[] nulTerminated(byte[] ptx) {
        if (ptx.length > 0 && ptx[ptx.length - 1] == 0) {
            return ptx;
        }
        return Arrays.copyOf(ptx, ptx.length + 1);
    }

    /** The resource's bytes, or null when the jar has none. */
    static byte[] resource(String name) {
        try (InputStream in = KernelImage.class.getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new CudaException("cannot read " + name + " from the jar: " + e.getMessage(), 0);
        }
    }

    private static String trim(StringBuilder failures) {
        String text = failures.toString();
        return text.endsWith("; ") ? text.substring(0, text.length() - 2) : text;
    }
}
