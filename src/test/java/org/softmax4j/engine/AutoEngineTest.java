package org.softmax4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.softmax4j.TestData;
import org.softmax4j.data.Dataset;
import org.softmax4j.engine.cpu.CpuEngine;
import org.softmax4j.engine.cuda.DeviceMemoryException;

/**
 * The choice of {@code --backend auto} between the GPU and the CPU, bind by bind, without a GPU: the GPU is a stand-in
 * engine that answers as the CUDA engine would.
 */
class AutoEngineTest {

    /** Binds on a CPU engine of its own, counting binds, or fails as a device too small would. */
    private static final class StandInGpu extends DelegatingEngine {
        final List<Dataset> bound = new ArrayList<>();
        String outOfMemory;
        boolean closed;

        StandInGpu() {
            super(new CpuEngine(1), "cuda");
        }

        @Override
        public String description() {
            return "cuda, stand-in";
        }

        @Override
        public String deviceSummary() {
            return "NVIDIA stand-in (compute capability 9.0)";
        }

        @Override
        public Evaluator bind(Dataset data) {
            return bind(data, null);
        }

        @Override
        public Evaluator bind(Dataset data, double[] exampleWeights) {
            if (outOfMemory != null) {
                throw new DeviceMemoryException(outOfMemory, 0);
            }
            bound.add(data);
            return inner.bind(data, exampleWeights);
        }

        @Override
        public void close() {
            closed = true;
            inner.close();
        }
    }

    private final StandInGpu gpu = new StandInGpu();
    private final List<String> notices = new ArrayList<>();
    private String unusable;
    private final AutoEngine auto = new AutoEngine(gpu, () -> unusable, () -> new CpuEngine(1), notices::add);
    private final Dataset data = TestData.randomBinary(40, 64, 3, 7);

    @Test
    void workTheGpuCanTakeGoesToIt() {
        try (auto; Evaluator evaluator = auto.bind(data)) {
            assertEquals(List.of(data), gpu.bound);
            assertSame(data, evaluator.data());
            assertEquals("cuda", auto.name());
            assertEquals("NVIDIA stand-in (compute capability 9.0)", auto.deviceSummary());
            assertEquals(List.of(), notices);
        }
        assertTrue(gpu.closed);
    }

    @Test
    void weightedExamplesGoToTheGpuWithTheirWeights() {
        double[] weights = new double[data.numExamples()];
        Arrays.fill(weights, 2.0);
        try (auto; Evaluator weighted = auto.bind(data, weights); Evaluator test = auto.bind(data)) {
            assertEquals(List.of(data, data), gpu.bound, "both binds went to the GPU");
            assertEquals(List.of(), notices);
            assertEquals("cuda", auto.name());
            // The weights reach the GPU's evaluator: L doubles with every weight 2 (within float32 rounding: the
            // weighted path is the scalar one, the other may be SIMD).
            Parameters parameters = Parameters.random(3, 64, 0.5, 1);
            Evaluation twice = new Evaluation(3, 64);
            Evaluation once = new Evaluation(3, 64);
            weighted.evaluate(parameters, twice);
            test.evaluate(parameters, once);
            assertEquals(2 * once.logLikelihood(), twice.logLikelihood(), 1e-6 * Math.abs(once.logLikelihood()));
        }
        assertEquals(List.of(), notices, "no fallback");
        assertEquals(null, AutoEngine.cudaDeclines(null));
        assertEquals(null, AutoEngine.cudaDeclines(weights));
    }

    @Test
    void dataTooLargeForTheDeviceGoesToTheCpuNamingTheReason() {
        gpu.outOfMemory = "the data set does not fit on NVIDIA stand-in: its rows and labels take 300.00 GiB and "
                + "1.00 GiB of 141.00 GiB are free; streaming them from host memory would still need 2.00 GiB on the "
                + "device (two chunks of 8 rows, 1.00 GiB, and work buffers), use --backend cpu";
        try (auto; Evaluator evaluator = auto.bind(data)) {
            assertEquals("cpu", auto.name());
            assertSame(data, evaluator.data());
        }
        assertEquals(1, notices.size(), notices.toString());
        String notice = notices.get(0);
        assertTrue(notice.startsWith("backend auto: using cpu, 1 thread"), notice);
        assertTrue(notice.endsWith("(cuda: the data set does not fit on NVIDIA stand-in: its rows and labels take "
                + "300.00 GiB and 1.00 GiB of 141.00 GiB are free; streaming them from host memory would still need "
                + "2.00 GiB on the device (two chunks of 8 rows, 1.00 GiB, and work buffers))"), notice);
        assertTrue(gpu.closed);
    }

    @Test
    void anUnusableContextSendsLaterWorkToTheCpu() {
        try (auto; Evaluator first = auto.bind(data)) {
            unusable = "the GPU context is unusable after CUDA_ERROR_ILLEGAL_ADDRESS in cuMemcpyDtoH(sums, 8 bytes); "
                    + "restart the JVM";
            try (Evaluator second = auto.bind(data)) {
                assertEquals(1, gpu.bound.size());
                assertEquals("cpu", auto.name());
            }
            assertEquals(List.of("backend auto: using cpu, 1 thread, " + new CpuEngine(1).description()
                    .substring("cpu, 1 thread, ".length()) + " (cuda: " + unusable + ")"), notices);
        }
    }

    @Test
    void theAdviceToUseTheCpuIsDroppedOnlyAtTheEnd() {
        assertEquals("out of pinned host memory: x needs 1.00 GiB (cuMemHostAlloc: CUDA_ERROR_OUT_OF_MEMORY)",
                AutoEngine.withoutAdvice("out of pinned host memory: x needs 1.00 GiB (cuMemHostAlloc: "
                        + "CUDA_ERROR_OUT_OF_MEMORY); free host memory, or use --backend cpu"));
        assertEquals("out of device memory: rows needs 2.00 GiB", AutoEngine.withoutAdvice(
                "out of device memory: rows needs 2.00 GiB"));
    }

    @Test
    void aClosedEngineBindsNothing() {
        auto.close();
        auto.close();
        assertThrows(IllegalStateException.class, () -> auto.bind(data));
    }
}
