package org.softmax4j.engine.cuda;

import jcuda.driver.CUresult;

/** The one check every CUDA driver call goes through. */
final class Driver {
    private Driver() {
    }

    /**
     * Throws when {@code result} is not CUDA_SUCCESS, naming the call and the CUresult.
     *
     * @param call the driver function and, where it helps, what it was for: "cuMemAlloc(gradient, 40 KiB)"
     */
    static void check(String call, int result) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException(call + " failed: " + CUresult.stringFor(result), result);
        }
    }
}
