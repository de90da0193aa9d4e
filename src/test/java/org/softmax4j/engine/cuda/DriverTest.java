package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jcuda.driver.CUresult;

import org.junit.jupiter.api.Test;

/** The driver check and its sticky-error latch, without a GPU: each test has a latch of its own. */
class DriverTest {

    @Test
    void theStickySetIsThatOfCudaH() {
        for (int sticky : new int[]{CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, CUresult.CUDA_ERROR_LAUNCH_FAILED,
                CUresult.CUDA_ERROR_ILLEGAL_INSTRUCTION, CUresult.CUDA_ERROR_MISALIGNED_ADDRESS,
                CUresult.CUDA_ERROR_HARDWARE_STACK_ERROR, CUresult.CUDA_ERROR_LAUNCH_TIMEOUT,
                CUresult.CUDA_ERROR_INVALID_PC, CUresult.CUDA_ERROR_INVALID_ADDRESS_SPACE, CUresult.CUDA_ERROR_ASSERT,
                CUresult.CUDA_ERROR_EXTERNAL_DEVICE, CUresult.CUDA_ERROR_MPS_CLIENT_TERMINATED,
                Driver.CUDA_ERROR_CONTAINED, Driver.CUDA_ERROR_TENSOR_MEMORY_LEAK}) {
            assertTrue(Driver.isSticky(sticky), Driver.name(sticky));
        }
        for (int recoverable : new int[]{CUresult.CUDA_SUCCESS, CUresult.CUDA_ERROR_OUT_OF_MEMORY,
                CUresult.CUDA_ERROR_INVALID_VALUE, CUresult.CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES,
                CUresult.CUDA_ERROR_NOT_SUPPORTED, CUresult.CUDA_ERROR_INVALID_CONTEXT}) {
            assertFalse(Driver.isSticky(recoverable), Driver.name(recoverable));
        }
        assertEquals("CUDA_ERROR_CONTAINED", Driver.name(226));
        assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS", Driver.name(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS));
    }

    @Test
    void aRecoverableErrorNamesTheCallAndLatchesNothing() {
        Driver.ContextLoss latch = new Driver.ContextLoss();
        CudaException e = assertThrows(CudaException.class,
                () -> Driver.check("cuMemAlloc(weights, 40 B)", CUresult.CUDA_ERROR_OUT_OF_MEMORY, latch));
        assertEquals("cuMemAlloc(weights, 40 B) failed: CUDA_ERROR_OUT_OF_MEMORY", e.getMessage());
        assertEquals(CUresult.CUDA_ERROR_OUT_OF_MEMORY, e.result());
        assertNull(latch.reason());
        assertDoesNotThrow(() -> Driver.check("cuCtxSynchronize", CUresult.CUDA_SUCCESS, latch));
    }

    @Test
    void theFirstStickyErrorIsLatchedAndNamesItsCallFromThenOn() {
        Driver.ContextLoss latch = new Driver.ContextLoss();
        String copy = "cuMemcpyDtoH(sums (652 doubles), 5216 bytes)";
        CudaException first = assertThrows(CudaException.class,
                () -> Driver.check(copy, CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, latch));
        assertTrue(first.getMessage().startsWith(copy + " failed: CUDA_ERROR_ILLEGAL_ADDRESS; the GPU context is "
                + "now unusable: restart the JVM"), first.getMessage());
        // A copy only reports the fault of an earlier kernel: the message says how to find which.
        assertTrue(first.getMessage().contains("-D" + Kernels.SYNC_LAUNCHES_PROPERTY + "=true"), first.getMessage());
        String reason = "the GPU context is unusable after CUDA_ERROR_ILLEGAL_ADDRESS in " + copy
                + "; restart the JVM";
        assertEquals(reason, latch.reason());
        assertEquals(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, latch.result());

        // Every later failure, sticky or not, is the loss of the context, naming the first call.
        for (int later : new int[]{CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, CUresult.CUDA_ERROR_LAUNCH_FAILED,
                CUresult.CUDA_ERROR_INVALID_VALUE}) {
            CudaException e = assertThrows(CudaException.class, () -> Driver.check("cuMemFree(rows)", later, latch));
            assertEquals(reason, e.getMessage());
            assertEquals(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, e.result());
        }
        assertEquals(reason, latch.reason(), "the first error stays");
    }

    @Test
    void aSynchronisedLaunchNamesTheKernelAndItsShape() {
        Driver.ContextLoss latch = new Driver.ContextLoss();
        String call = Kernels.launchCall("fused_binary_kernel", 528);
        assertEquals("kernel fused_binary_kernel (528x256)", call);
        CudaException e = assertThrows(CudaException.class,
                () -> Driver.check(call, CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, latch));
        assertEquals("kernel fused_binary_kernel (528x256) failed: CUDA_ERROR_ILLEGAL_ADDRESS; the GPU context is "
                + "now unusable: restart the JVM", e.getMessage());
        assertEquals("the GPU context is unusable after CUDA_ERROR_ILLEGAL_ADDRESS in kernel fused_binary_kernel "
                + "(528x256); restart the JVM", latch.reason());
    }
}
