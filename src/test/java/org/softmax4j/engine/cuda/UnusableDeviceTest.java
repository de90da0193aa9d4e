package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUresult;

import org.junit.jupiter.api.Test;
import org.softmax4j.TestData;

/**
 * A device whose context a sticky error made unusable, and how devices describe themselves, without a GPU: the device
 * is made by hand (no kernels, its own latch), and nothing here reaches the driver.
 */
class UnusableDeviceTest {

    private static CudaDevice device(String name, Driver.ContextLoss latch) {
        return new CudaDevice(new CUdevice(), new CUcontext(), name, 9, 0, 132, 13000, 150_000_000_000L,
                "fatbin (driver 13.0 >= 13.0)", null, false, "libcublas.so.12 not found", latch);
    }

    @Test
    void afterAStickyErrorEveryEntryThrowsOneMessageAndClosingFreesNothing() {
        Driver.ContextLoss latch = new Driver.ContextLoss();
        CudaDevice device = device("NVIDIA H200", latch);
        assertNull(device.unusableReason());
        assertTrue(new CudaProbe.Result(device, null).available());

        latch.record("kernel fused_binary_kernel (264x256)", CUresult.CUDA_ERROR_ILLEGAL_ADDRESS);
        String reason = "the GPU context is unusable after CUDA_ERROR_ILLEGAL_ADDRESS in kernel fused_binary_kernel "
                + "(264x256); restart the JVM";
        assertEquals(reason, device.unusableReason());
        // makeCurrent (the start of every CUDA entry) refuses before it calls the driver.
        for (Runnable entry : new Runnable[]{device::makeCurrent, device::synchronize, device::memoryInfo}) {
            CudaException e = assertThrows(CudaException.class, entry::run);
            assertEquals(reason, e.getMessage());
            assertEquals(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, e.result());
        }
        CudaEngine engine = new CudaEngine(device, true, Streaming.DEFAULT);
        CudaException bind = assertThrows(CudaException.class, () -> engine.bind(TestData.randomBinary(10, 64, 3, 1)));
        assertEquals(reason, bind.getMessage());
        assertDoesNotThrow(engine::close);

        // The probe's cached answer turns with it: auto and --backend cuda then see the reason.
        CudaProbe.Result probed = new CudaProbe.Result(device, null);
        assertFalse(probed.available());
        assertEquals(reason, probed.reason());
        assertEquals(reason, probed.summary());
        assertEquals("no CUDA device", new CudaProbe.Result(null, "no CUDA device").reason());
    }

    @Test
    void theEmulatorNeverReadsAsAGpu() {
        Driver.ContextLoss latch = new Driver.ContextLoss();
        CudaDevice emulator = device("CUDA emulator (CPU)", latch);
        assertTrue(emulator.emulated());
        assertFalse(device("NVIDIA H200", latch).emulated());
        assertFalse(CudaDevice.emulated("NVIDIA CUDA emulator-free GPU"));
        assertEquals("CUDA emulator (CPU), emulating compute capability 9.0", emulator.shortName());
        assertEquals("cuda, CUDA emulator (CPU), emulating compute capability 9.0, driver 13.0",
                new CudaEngine(emulator, true, Streaming.DEFAULT).description());
        assertEquals("CUDA emulator (CPU), emulating compute capability 9.0, 132 SMs, 141.00 GiB, fused grid 2 "
                        + "blocks/SM, driver 13.0",
                CudaDevice.summary("CUDA emulator (CPU)", "9.0", 132, 141L << 30, 2, "13.0"));
        assertEquals("NVIDIA H200 (compute capability 9.0, 132 SMs, 139.80 GiB, fused grid 2 blocks/SM), driver 13.0",
                CudaDevice.summary("NVIDIA H200", "9.0", 132, (long) (139.8 * (1L << 30)), 2, "13.0"));
        assertEquals("cuda, NVIDIA H200 (compute capability 9.0), driver 13.0",
                new CudaEngine(device("NVIDIA H200", latch), true, Streaming.DEFAULT).description());
    }
}
