package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The device's context from any thread, the fused grid from the kernels' occupancy, and what a kernel fault does:
 * faults and failing probes run in a JVM of their own ({@link GpuChild}), since a sticky error would end every other
 * GPU test of this JVM. Needs a GPU; see {@link GpuTests}.
 */
@Tag("gpu")
class CudaFaultGpuTest {

    @Test
    void synchronizeWorksFromAThreadThatNeverUsedCuda() throws InterruptedException {
        CudaDevice device = GpuTests.device();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread fresh = new Thread(() -> {
            try {
                device.synchronize();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        fresh.start();
        fresh.join();
        assertEquals(null, failure.get(), "synchronize() on a fresh thread");
    }

    @Test
    void theFusedGridIsOneWaveOfWhatTheKernelsCanKeepResident() {
        CudaDevice device = GpuTests.device();
        int perSm = device.fusedBlocksPerSm();
        assertTrue(perSm >= 1, "blocks per SM " + perSm);
        assertEquals(perSm * device.multiprocessors(), device.fusedGridSize());
        assertTrue(device.summary().contains("fused grid " + perSm + " blocks/SM"), device.summary());
        if (!device.emulated() && device.computeCapability().equals("9.0")
                && device.kernelImage().startsWith("fatbin")) {
            // cuda/build-report.txt, sm_90: 90 and 126 registers per thread, so 2 blocks of 256 threads per SM.
            assertEquals(2, perSm, device.summary());
        }
    }

    @Test
    void withSyncLaunchesAFaultNamesTheKernelAndEveryLaterUseSaysTheContextIsGone() throws Exception {
        ChildJvm.Output child = ChildJvm.run(GpuChild.class,
                List.of("-D" + Kernels.SYNC_LAUNCHES_PROPERTY + "=true"), faultEnvironment(GpuTests.device()),
                "fault");
        String what = child.text();
        assertEquals(0, child.code(), what);
        String fault = child.value("fault");
        assertNotNull(fault, what);
        assertTrue(fault.startsWith("kernel sum_doubles_kernel (1x256) failed: CUDA_ERROR_"), what);
        assertTrue(fault.contains("; the GPU context is now unusable: restart the JVM"), what);
        String error = fault.substring("kernel sum_doubles_kernel (1x256) failed: ".length(), fault.indexOf(';'));
        assertTrue(Driver.isSticky(jcudaResult(error)), error + " is sticky");
        assertLaterUsesFail(child, "the GPU context is unusable after " + error
                + " in kernel sum_doubles_kernel (1x256); restart the JVM");
    }

    @Test
    void withoutSyncLaunchesTheFaultIsReportedByTheNextCopy() throws Exception {
        ChildJvm.Output child = ChildJvm.run(GpuChild.class, List.of(), faultEnvironment(GpuTests.device()), "fault");
        String what = child.text();
        assertEquals(0, child.code(), what);
        String fault = child.value("fault");
        assertNotNull(fault, what);
        String copy = "cuMemcpyDtoH(fault result (1 double), 8 bytes)";
        assertTrue(fault.startsWith(copy + " failed: CUDA_ERROR_"), what);
        assertTrue(fault.contains(Kernels.SYNC_LAUNCHES_PROPERTY + "=true names the kernel"), what);
        String error = fault.substring((copy + " failed: ").length(), fault.indexOf(';'));
        assertLaterUsesFail(child, "the GPU context is unusable after " + error + " in " + copy + "; restart the JVM");
    }

    /**
     * On a GPU the child's kernel really faults (it reads far past its buffer). The CUDA emulator stops the process on
     * a real fault (naming the kernel and the allocation), so there the fault is injected into the same launch: the
     * launch succeeds and its execution raises CUDA_ERROR_ILLEGAL_ADDRESS, sticky, as a GPU's would.
     */
    private static Map<String, String> faultEnvironment(CudaDevice device) {
        return device.emulated()
                ? Map.of("S4J_EMU_FAIL", "cuLaunchKernel:sum_doubles_kernel#1=CUDA_ERROR_ILLEGAL_ADDRESS")
                : Map.of();
    }

    private static void assertLaterUsesFail(ChildJvm.Output child, String reason) {
        String what = child.text();
        assertEquals(reason, child.value("evaluate"), what);
        assertEquals(reason, child.value("bind"), what);
        assertEquals("ok", child.value("close"), "close frees nothing and does not throw: " + what);
        assertEquals("cpu", child.value("auto"), what);
        assertEquals(reason, child.value("reason"), what);
        assertEquals("cuda back end not available: " + reason, child.value("cuda"), what);
    }

    private static int jcudaResult(String name) throws ReflectiveOperationException {
        return jcuda.driver.CUresult.class.getField(name).getInt(null);
    }

    @Test
    void aProbeThatFailsAfterRetainingThePrimaryContextReleasesIt() throws Exception {
        GpuTests.device();
        ChildJvm.Output child = ChildJvm.run(GpuChild.class, List.of(), "probe-fails");
        String what = child.text();
        assertEquals(0, child.code(), what);
        String probe = child.value("probe");
        assertNotNull(probe, what);
        assertTrue(probe.startsWith("the kernels do not load on "), what);
        assertTrue(probe.endsWith("planted: the kernels do not load"), what);
        assertEquals("0", child.value("active"), "the primary context was released: " + what);
    }
}
