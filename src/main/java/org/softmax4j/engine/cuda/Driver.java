package org.softmax4j.engine.cuda;

import jcuda.driver.CUresult;

/**
 * The one check every CUDA driver call goes through, and the latch of sticky errors.
 *
 * <p>A sticky error (a kernel read an illegal address, trapped, ran too long...) leaves the whole process's CUDA state
 * inconsistent: in the words of cuda.h, "any further CUDA work will return the same error. To continue using CUDA, the
 * process must be terminated and relaunched". It is therefore latched once per process ({@link #CONTEXT_LOSS}), not
 * per call site: {@link CudaDevice} reads the latch, refuses every later entry with one clear message, and its
 * engines then free nothing on close. A kernel's fault is reported by the next call that waits for it (usually a
 * copy), which the message names; {@value Kernels#SYNC_LAUNCHES_PROPERTY}{@code =true} waits after every launch so that
 * the kernel itself is named.
 */
final class Driver {
    /** Newer than JCuda 12.6's CUresult, which names neither. */
    static final int CUDA_ERROR_CONTAINED = 226;
    static final int CUDA_ERROR_TENSOR_MEMORY_LEAK = 721;
    /** CUresults that cuda.h (13.0) documents as leaving the process unusable until it restarts. */
    private static final int[] STICKY = {
            CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, CUresult.CUDA_ERROR_LAUNCH_TIMEOUT, CUresult.CUDA_ERROR_ASSERT,
            CUresult.CUDA_ERROR_HARDWARE_STACK_ERROR, CUresult.CUDA_ERROR_ILLEGAL_INSTRUCTION,
            CUresult.CUDA_ERROR_MISALIGNED_ADDRESS, CUresult.CUDA_ERROR_INVALID_ADDRESS_SPACE,
            CUresult.CUDA_ERROR_INVALID_PC, CUresult.CUDA_ERROR_LAUNCH_FAILED,
            CUresult.CUDA_ERROR_MPS_CLIENT_TERMINATED, CUresult.CUDA_ERROR_EXTERNAL_DEVICE,
            CUDA_ERROR_CONTAINED, CUDA_ERROR_TENSOR_MEMORY_LEAK};

    /** The first sticky error of this process, or none yet. */
    static final ContextLoss CONTEXT_LOSS = new ContextLoss();

    private Driver() {
    }

    /**
     * Throws when {@code result} is not CUDA_SUCCESS, naming the call and the CUresult. A sticky result is latched in
     * {@link #CONTEXT_LOSS}: the first one is reported as the failure of this call, saying that the context is lost;
     * once latched, every failure is reported as the loss, naming the first call.
     *
     * @param call the driver function and, where it helps, what it was for: "cuMemAlloc(gradient, 40 KiB)"
     */
    static void check(String call, int result) {
        check(call, result, CONTEXT_LOSS);
    }

    /** As {@link #check(String, int)}, latching sticky errors in {@code latch} (tests give their own). */
    static void check(String call, int result, ContextLoss latch) {
        if (result == CUresult.CUDA_SUCCESS) {
            return;
        }
        String failure = call + " failed: " + name(result);
        if (isSticky(result) && latch.record(call, result)) {
            throw new CudaException(failure + "; " + ContextLoss.CONSEQUENCE
                    + (call.startsWith("kernel ") ? "" : " (a kernel's fault is reported by the next call that waits"
                    + " for it; -D" + Kernels.SYNC_LAUNCHES_PROPERTY + "=true names the kernel)"), result);
        }
        String lost = latch.reason();
        if (lost != null) {
            throw new CudaException(lost, latch.result());
        }
        throw new CudaException(failure, result);
    }

    static boolean isSticky(int result) {
        for (int sticky : STICKY) {
            if (result == sticky) {
                return true;
            }
        }
        return false;
    }

    /** "CUDA_ERROR_ILLEGAL_ADDRESS", also for results newer than JCuda's table. */
    static String name(int result) {
        return switch (result) {
            case CUDA_ERROR_CONTAINED -> "CUDA_ERROR_CONTAINED";
            case CUDA_ERROR_TENSOR_MEMORY_LEAK -> "CUDA_ERROR_TENSOR_MEMORY_LEAK";
            default -> CUresult.stringFor(result);
        };
    }

    /**
     * A latch of the first sticky error: set at most once, read from any thread. Everything that uses the device reads
     * it before a CUDA call ({@link CudaDevice#checkUsable()}).
     */
    static final class ContextLoss {
        static final String CONSEQUENCE = "the GPU context is now unusable: restart the JVM";

        private volatile String reason;
        private volatile int result;

        /** Records the first sticky error; returns whether this was the first. */
        synchronized boolean record(String call, int result) {
            if (reason != null) {
                return false;
            }
            this.result = result;
            this.reason = "the GPU context is unusable after " + name(result) + " in " + call + "; restart the JVM";
            return true;
        }

        /** "the GPU context is unusable after CUDA_ERROR_ILLEGAL_ADDRESS in ...; restart the JVM", or null. */
        String reason() {
            return reason;
        }

        /** The first sticky CUresult, or 0. */
        int result() {
            return result;
        }
    }
}
