package org.softmax4j.engine.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasStatus;

/**
 * The dense logits Z = X·Wᵀ + b through cuBLAS, for the unfused dense path. Optional: libJCublas2 needs
 * libcublas.so.12, which CUDA-13-only machines lack, so this is the only class that touches JCublas, it is probed
 * first, and any failure (a {@link LinkageError} or a cuBLAS status) means our own logits kernel is used instead.
 *
 * <p>The gradient Rᵀ·X stays on our gradient kernel: cuBLAS sums it in float, and over many rows that misses the
 * 1e-5 tolerance that float partial sums with double (or compensated) accumulation meet (docs/GPU-FACTS.md, precision).
 *
 * <p>Row-major arrays seen by column-major cuBLAS are transposed, so Z (N×K) = X·Wᵀ is computed as
 * Zᵀ (K×N, column-major) = W (K×D) · Xᵀ: {@code Sgemm(OP_T, OP_N, m=K, n=N, k=D, W, lda=D, X, ldb=D, Z, ldc=K)};
 * the bias is then added as the rank-one update Zᵀ += b·1ᵀ ({@code Sger}).
 */
final class CublasGemm implements AutoCloseable {
    /** Set to false to use our own logits kernel even where cuBLAS loads. */
    static final String PROPERTY = "softmax4j.cublas";

    /** The host scalars α = 1 and β = 0 (cuBLAS reads them at the call; never written). */
    private static final Pointer ONE = Pointer.to(new float[]{1f});
    private static final Pointer ZERO = Pointer.to(new float[]{0f});

    private final cublasHandle handle;
    private boolean closed;

    private CublasGemm(cublasHandle handle) {
        this.handle = handle;
    }

    /**
     * Whether cuBLAS works here, with the context current: null when it does, else why not. Never throws.
     */
    static String probe() {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            return "disabled by -D" + PROPERTY + "=false";
        }
        try {
            NativeLibraries.place(NativeLibraries.CUBLAS);
            JCublas2.setExceptionsEnabled(false);
            cublasHandle handle = new cublasHandle();
            int status = JCublas2.cublasCreate(handle);
            if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
                return "cublasCreate failed: " + cublasStatus.stringFor(status);
            }
            JCublas2.cublasDestroy(handle);
            return null;
        } catch (LinkageError e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("libcublas.so.12")) {
                return "libcublas.so.12 not found";
            }
            return "JCublas does not load: " + firstLine(message);
        } catch (Exception e) {
            return "JCublas does not load: " + firstLine(String.valueOf(e.getMessage()));
        }
    }

    /** A handle for one evaluator, with the context current. */
    static CublasGemm create() {
        cublasHandle handle = new cublasHandle();
        check("cublasCreate", JCublas2.cublasCreate(handle));
        return new CublasGemm(handle);
    }

    /**
     * Z = X·Wᵀ + b for {@code n} dense rows.
     *
     * @param ones n floats equal to 1
     */
    void logits(CUdeviceptr x, CUdeviceptr w, CUdeviceptr b, CUdeviceptr ones, CUdeviceptr z, int n, int d, int k) {
        check("cublasSgemm(logits " + n + "x" + k + ")",
                JCublas2.cublasSgemm(handle, cublasOperation.CUBLAS_OP_T, cublasOperation.CUBLAS_OP_N, k, n, d, ONE,
                        w, d, x, d, ZERO, z, k));
        check("cublasSger(bias)", JCublas2.cublasSger(handle, k, n, ONE, b, 1, ones, 1, z, k));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            check("cublasDestroy", JCublas2.cublasDestroy(handle));
        }
    }

    private static void check(String call, int status) {
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
            throw new CudaException(call + " failed: " + cublasStatus.stringFor(status), 0);
        }
    }

    static String firstLine(String text) {
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).strip();
    }
}
