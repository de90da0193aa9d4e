package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.softmax4j.TestData;
import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.ResidentSafeguardedAscent;

/**
 * A step of device training allocates nothing: no device memory and no pinned host memory, counted by the CUDA
 * emulator's allocation calls (on a GPU, where no driver counts them, the test is skipped), and nothing on the Java
 * heap, counted by the JVM per thread. Every row source and kernel path without cuBLAS (the emulator has none):
 * resident and streamed, fused and unfused, full-batch and mini-batch steps.
 */
@Tag("gpu")
class DeviceTrainingGpuTest {

    @AfterEach
    void nothingIsLeft(TestInfo test) {
        GpuTests.assertNothingLeft(test.getDisplayName());
    }

    /**
     * Bytes this thread has allocated on the heap so far. (com.sun.management is looked up here, not in a field: the
     * small runtime that scripts/gpu-check.sh links has no jdk.management, and this class must still load there.)
     */
    private static long heapBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /**
     * Runs {@code window} up to five times: no device or pinned allocation call in any, and no byte on this thread's
     * heap in one. A step that allocates makes every window allocate; the JVM itself may, once in a while, put an
     * object on this thread's account (a deoptimised frame's objects, a class loaded late), so one clean window out of
     * five is the proof, and every window is reported.
     */
    private static void assertAllocatesNothing(CudaDevice device, String what, Runnable window) {
        long before = GpuTests.allocationCalls(device);
        long[] windows = new long[5];
        boolean clean = false;
        for (int w = 0; w < windows.length && !clean; w++) {
            long heapBaseline = heapBytes() - heapBytes();  // what reading the counter costs
            long heapBefore = heapBytes();
            window.run();
            windows[w] = heapBytes() - heapBefore + heapBaseline;
            clean = windows[w] == 0;
        }
        assertEquals(before, GpuTests.allocationCalls(device), "device and pinned allocation calls, " + what);
        assertTrue(clean, "bytes allocated on the Java heap per window " + Arrays.toString(windows) + ", " + what);
    }

    @Test
    void aStepAllocatesNothing() {
        CudaDevice device = GpuTests.device();
        GpuTests.allocationCalls(device);  // aborts on a GPU
        int n = 3_001;
        int d = 70;
        int k = 5;
        int[] batch = new int[n];
        for (int i = 0; i < n; i++) {
            batch[i] = (int) ((i * 7919L) % n);
        }
        Dataset[] data = {TestData.randomDense(n, d, k, 3), TestData.randomBinary(n, d, k, 3)};
        Streaming[] residencies = {Streaming.DEFAULT, new Streaming(0, 700L * (d * 4 + 4))};
        for (Dataset set : data) {
            for (Streaming streaming : residencies) {
                for (boolean fused : new boolean[]{true, false}) {
                    CudaEngine engine = new CudaEngine(device, fused, streaming);
                    engine.setNotices(line -> { });
                    try (engine; CudaEvaluator evaluator = engine.bind(set);
                         DeviceTraining training = evaluator.startDeviceTraining(new Parameters(k, d))) {
                        String what = set.getClass().getSimpleName() + ", " + evaluator.kernelPath();
                        assertEquals(streaming != Streaming.DEFAULT, evaluator.streaming(), what);
                        assertEquals(fused, evaluator.fused(), what);
                        double first = training.step(0.5, 1.0);
                        // Warm-up: the first steps of each kind load classes and make this thread's argument slots.
                        for (int s = 0; s < 3; s++) {
                            training.step(0.5, 1.0);
                            training.step(batch, 100, 1_700, 0.5, 1.0);
                        }
                        // Windows of 7 steps (4 full-batch, 3 mini-batch).
                        assertAllocatesNothing(device, what + ", windows of 7 steps", () -> {
                            for (int s = 0; s < 3; s++) {
                                training.step(0.5, 1.0);
                                training.step(batch, 100, 1_700, 0.5, 1.0);
                            }
                            training.step(0.5, 1.0);
                        });
                        // The steps did run: the log-likelihood went up from W = 0.
                        double last = training.step(0.5, 1.0);
                        assertTrue(last > first, what + ": L went from " + first + " to " + last);
                    }
                }
            }
        }
    }

    /**
     * The automatic step's device loop ({@link DeviceSafeguardedAscent}) likewise: its steps, keeping the best point
     * and returning to it allocate nothing on the device or the Java heap, on every row source and kernel path.
     */
    @Test
    void aSafeguardedStepAllocatesNothing() {
        CudaDevice device = GpuTests.device();
        GpuTests.allocationCalls(device);  // aborts on a GPU
        int n = 1_001;
        int d = 70;
        int k = 5;
        double[] means = new double[d];
        double[] featureSums = new double[d];
        double[] classSums = new double[k * d];
        double[] classWeights = new double[k];
        for (int j = 0; j < d; j++) {
            means[j] = 0.25 + j % 3 * 0.125;
            featureSums[j] = n * means[j];
        }
        Arrays.fill(classWeights, (double) n / k);
        for (int i = 0; i < classSums.length; i++) {
            classSums[i] = featureSums[i % d] / k;
        }
        ResidentSafeguardedAscent.Geometry geometry = new ResidentSafeguardedAscent.Geometry(1.0, true, means, 0.5,
                classSums, featureSums, classWeights, n);
        Dataset[] data = {TestData.randomDense(n, d, k, 3), TestData.randomBinary(n, d, k, 3)};
        Streaming[] residencies = {Streaming.DEFAULT, new Streaming(0, 300L * (d * 4 + 4))};
        double step = 1e-4;
        for (Dataset set : data) {
            for (Streaming streaming : residencies) {
                for (boolean fused : new boolean[]{true, false}) {
                    CudaEngine engine = new CudaEngine(device, fused, streaming);
                    engine.setNotices(line -> { });
                    try (engine; CudaEvaluator evaluator = engine.bind(set);
                         ResidentSafeguardedAscent.Session ascent = evaluator.startSafeguardedAscent(
                                 new Parameters(k, d), geometry, step)) {
                        String what = set.getClass().getSimpleName() + ", " + evaluator.kernelPath();
                        double first = ascent.sums()[k * ResidentSafeguardedAscent.ROW];
                        for (int s = 0; s < 3; s++) {
                            ascent.step(step, 0.5);
                            ascent.keepBest();
                            ascent.restoreBest(step);
                        }
                        assertAllocatesNothing(device, what + ", windows of 5 steps", () -> {
                            for (int s = 0; s < 3; s++) {
                                ascent.step(step, 0.5);
                                ascent.keepBest();
                            }
                            ascent.restoreBest(step);
                            ascent.step(step, 0);
                        });
                        double last = ascent.sums()[k * ResidentSafeguardedAscent.ROW];
                        assertTrue(last > first, what + ": L went from " + first + " to " + last);
                    }
                }
            }
        }
    }
}
