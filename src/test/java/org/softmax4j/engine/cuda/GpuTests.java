package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

import org.junit.jupiter.api.Assumptions;

/**
 * The device for GPU tests: skipped with the probe's reason when none, failed instead under -Dsoftmax4j.requireGpu.
 * Under -Dsoftmax4j.requireEmulator (the build's emulator runs) the device must be the CUDA emulator (cuda/emu), so
 * that a run said to be emulated cannot quietly have used something else. Public for the GPU tests of other packages
 * (org.softmax4j.spark).
 */
public final class GpuTests {
    static final String REQUIRE_GPU = "softmax4j.requireGpu";
    static final String REQUIRE_EMULATOR = "softmax4j.requireEmulator";

    /** The emulator's own device attributes (cuda/emu/README.md): live objects of the process. */
    private static final int LIVE_ALLOCATIONS = 0x534A0001;
    private static final int LIVE_PINNED = 0x534A0002;
    private static final int LIVE_STREAMS = 0x534A0003;
    private static final int LIVE_EVENTS = 0x534A0004;
    private static final int PRINT_LIVE_OBJECTS = 0x534A0009;
    private static final int ALLOCATION_CALLS = 0x534A000A;
    private static final int PINNED_ALLOCATION_CALLS = 0x534A000B;
    private static final int COPY_BACK_CALLS = 0x534A000C;
    private static final int COPY_BACK_BYTES = 0x534A000D;

    private GpuTests() {
    }

    public static CudaDevice device() {
        CudaProbe.Result probe = CudaProbe.result();
        if (!probe.available()) {
            if (Boolean.getBoolean(REQUIRE_GPU)) {
                fail("a usable GPU is required (-D" + REQUIRE_GPU + "=true) but " + probe.reason());
            }
            Assumptions.abort("no usable GPU: " + probe.reason());
        }
        if (Boolean.getBoolean(REQUIRE_EMULATOR) && !probe.device().emulated()) {
            fail("the CUDA emulator is required (-D" + REQUIRE_EMULATOR + "=true) but the device is "
                    + probe.device().summary());
        }
        return probe.device();
    }

    /**
     * On the emulator, asserts that no device memory, pinned host memory, stream or event is left (the probe's module
     * and primary context are held for the JVM's life, by design). On a GPU there is no such count: nothing is checked
     * here (closingFreesAllDeviceMemory compares free memory instead).
     */
    public static void assertNothingLeft(String after) {
        CudaProbe.Result probe = CudaProbe.result();
        if (!probe.available() || !probe.device().emulated()) {
            return;
        }
        CudaDevice device = probe.device();
        int allocations = emulatorCount(device, LIVE_ALLOCATIONS);
        int pinned = emulatorCount(device, LIVE_PINNED);
        int streams = emulatorCount(device, LIVE_STREAMS);
        int events = emulatorCount(device, LIVE_EVENTS);
        if (allocations + pinned + streams + events != 0) {
            emulatorCount(device, PRINT_LIVE_OBJECTS);  // the list, with the call that made each, on stderr
        }
        assertEquals("0 allocations, 0 pinned buffers, 0 streams, 0 events",
                allocations + " allocations, " + pinned + " pinned buffers, " + streams + " streams, " + events
                        + " events", "live CUDA objects after " + after + " (the emulator's count)");
    }

    /**
     * The emulator's count of cuMemAlloc and cuMemHostAlloc calls so far (failed ones too); the test is aborted on a
     * GPU, where no driver counts them.
     */
    public static long allocationCalls(CudaDevice device) {
        Assumptions.assumeTrue(device.emulated(), "counting allocation calls needs the CUDA emulator, not "
                + device.summary());
        return (long) emulatorCount(device, ALLOCATION_CALLS) + emulatorCount(device, PINNED_ALLOCATION_CALLS);
    }

    /**
     * Device-to-host copies so far and their bytes modulo 2³¹, from the emulator (skipped on a GPU, where no driver
     * counts them): {@code {calls, bytes}}. Differences over less than 2 GiB of copies are exact (see
     * {@link #copiedBackSince}).
     */
    static long[] copiesBack(CudaDevice device) {
        Assumptions.assumeTrue(device.emulated(), "counting copies back needs the CUDA emulator, not "
                + device.summary());
        return new long[] {emulatorCount(device, COPY_BACK_CALLS), emulatorCount(device, COPY_BACK_BYTES)};
    }

    /** Copies back and their bytes since {@code before} (from {@link #copiesBack}), modulo 2³¹. */
    static long[] copiedBackSince(CudaDevice device, long[] before) {
        long[] now = copiesBack(device);
        return new long[] {(now[0] - before[0]) & 0x7fffffffL, (now[1] - before[1]) & 0x7fffffffL};
    }

    private static int emulatorCount(CudaDevice device, int attribute) {
        int[] value = new int[1];
        int result = JCudaDriver.cuDeviceGetAttribute(value, attribute, device.device());
        if (result != CUresult.CUDA_SUCCESS) {
            fail("the emulator does not answer its attribute " + Integer.toHexString(attribute) + ": "
                    + CUresult.stringFor(result));
        }
        return value[0];
    }
}
