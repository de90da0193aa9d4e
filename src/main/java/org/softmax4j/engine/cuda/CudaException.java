package org.softmax4j.engine.cuda;

/** A CUDA driver call failed; the message names the call and the CUresult (e.g. "cuMemAlloc: CUDA_ERROR_..."). */
public class CudaException extends RuntimeException {
    private final int result;

    public CudaException(String message, int result) {
        super(message);
        this.result = result;
    }

    /** The CUresult code, or 0 when the failure did not come from the driver. */
    public int result() {
        return result;
    }
}
