package org.softmax4j.engine.cuda;

import static org.softmax4j.EngineAssertions.assertProbabilitiesClose;
import static org.softmax4j.EngineAssertions.assertMatchesReference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.softmax4j.TestData;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.cpu.DoubleReference;

/**
 * Data streamed from pinned host memory (forced with small data) against the same data resident on the device. Needs
 * a GPU; see {@link GpuTests}.
 */
@Tag("gpu")
class CudaStreamingGpuTest {

    @AfterEach
    void nothingIsLeft(TestInfo test) {
        GpuTests.assertNothingLeft(test.getDisplayName());
    }

    /** Stream everything, in the default chunks. */
    private static final Streaming ONE_CHUNK = new Streaming(0, 0);

    /** Stream everything, in chunks of about {@code bytes}. */
    private static Streaming chunksOf(long bytes) {
        return new Streaming(0, bytes);
    }

    private static List<Dataset> data(int n, int d, int k, long seed) {
        return List.of(TestData.randomDense(n, d, k, seed), TestData.randomBinary(n, d, k, seed));
    }

    private static String what(Dataset data, CudaEvaluator evaluator) {
        return (data instanceof BinaryDataset ? "binary, " : "dense, ") + evaluator.kernelPath();
    }

    @Test
    void streamedChunksMatchTheReferenceAndTheResidentResult() {
        CudaDevice device = GpuTests.device();
        // On the emulator a quarter of the rows, in chunks a quarter the size: the same seven chunks.
        int n = device.emulated() ? 5_011 : 20_011;
        int rowsPerChunk = device.emulated() ? 750 : 3_000;
        int d = 130;
        for (int k : new int[]{10, 40}) {
            Parameters parameters = Parameters.random(k, d, 0.3, k);
            int[] order = TestData.shuffled(n, k);
            int from = 17;
            int to = n - 5;
            for (Dataset data : data(n, d, k, 11)) {
                Dataset batch = data.select(java.util.Arrays.copyOfRange(order, from, to));
                for (boolean fused : new boolean[]{true, false}) {
                    Evaluation resident = new Evaluation(k, d);
                    Evaluation residentBatch = new Evaluation(k, d);
                    float[] residentProbabilities = new float[n * k];
                    try (CudaEngine engine = new CudaEngine(device, fused, Streaming.DEFAULT);
                         CudaEvaluator evaluator = engine.bind(data)) {
                        assertFalse(evaluator.streaming(), evaluator.residency());
                        evaluator.evaluate(parameters, resident);
                        evaluator.evaluate(parameters, order, from, to, residentBatch);
                        evaluator.probabilities(parameters, residentProbabilities);
                    }
                    // About 7 chunks: the last one partial.
                    List<String> notices = new ArrayList<>();
                    long rowBytes = data instanceof BinaryDataset ? 3 * 8 + 4 : d * 4 + 4;
                    CudaEngine engine = new CudaEngine(device, fused, chunksOf(rowsPerChunk * rowBytes));
                    engine.setNotices(notices::add);
                    try (engine; CudaEvaluator evaluator = engine.bind(data)) {
                        String what = what(data, evaluator) + ", K=" + k;
                        assertTrue(evaluator.streaming(), what);
                        assertEquals(1, notices.size(), what + ": notices " + notices);
                        assertTrue(notices.get(0).contains("streaming it in chunks of"), notices.get(0));

                        Evaluation streamed = new Evaluation(k, d);
                        evaluator.evaluate(parameters, streamed);
                        assertMatchesReference(data, parameters, streamed, what);
                        assertEquals(n, streamed.numExamples());
                        assertClose(data, parameters, resident, streamed, what);
                        if (!evaluator.fused()) {
                            // The unfused path streams in its own chunks: the same sums as on resident data.
                            assertBitwiseEqual(resident, streamed, what + " (unfused: bitwise)");
                        }
                        for (int run = 0; run < 2; run++) {
                            Evaluation again = new Evaluation(k, d);
                            evaluator.evaluate(parameters, again);
                            assertBitwiseEqual(streamed, again, what + ", run " + (run + 2));
                        }

                        Evaluation streamedBatch = new Evaluation(k, d);
                        evaluator.evaluate(parameters, order, from, to, streamedBatch);
                        assertMatchesReference(batch, parameters, streamedBatch, what + " batch");
                        assertEquals(to - from, streamedBatch.numExamples());
                        assertClose(batch, parameters, residentBatch, streamedBatch, what + " batch");

                        float[] probabilities = new float[n * k];
                        evaluator.probabilities(parameters, probabilities);
                        assertProbabilitiesClose(residentProbabilities, probabilities, k, 2e-6, what);
                    }
                }
            }
        }
    }

    @Test
    void oneStreamedChunkIsBitwiseTheResidentResult() {
        CudaDevice device = GpuTests.device();
        int n = 5_003;
        int d = 65;
        int k = 10;
        Parameters parameters = Parameters.random(k, d, 0.3, 5);
        int[] order = TestData.shuffled(n, 5);
        for (Dataset data : data(n, d, k, 5)) {
            Evaluation resident = new Evaluation(k, d);
            Evaluation residentBatch = new Evaluation(k, d);
            try (CudaEngine engine = new CudaEngine(device, true, Streaming.DEFAULT);
                 CudaEvaluator evaluator = engine.bind(data)) {
                evaluator.evaluate(parameters, resident);
                evaluator.evaluate(parameters, order, 3, n, residentBatch);
            }
            CudaEngine engine = new CudaEngine(device, true, ONE_CHUNK);
            engine.setNotices(line -> { });
            try (engine; CudaEvaluator evaluator = engine.bind(data)) {
                String what = what(data, evaluator);
                assertEquals(n, evaluator.streamedRowsPerChunk(), what);
                Evaluation streamed = new Evaluation(k, d);
                evaluator.evaluate(parameters, streamed);
                assertBitwiseEqual(resident, streamed, what);
                Evaluation streamedBatch = new Evaluation(k, d);
                evaluator.evaluate(parameters, order, 3, n, streamedBatch);
                assertBitwiseEqual(residentBatch, streamedBatch, what + " batch");
            }
        }
    }

    @Test
    void unfusedStreamingInSeveralChunksIsBitwiseTheResidentResult() {
        CudaDevice device = GpuTests.device();
        // Sizes where the unfused path's own chunks (16 MiB of rows, or of logits) cut N several times.
        List<Dataset> sets = List.of(TestData.randomDense(70_001, 300, 12, 21),
                TestData.randomBinary(230_001, 64, 40, 21));
        for (Dataset data : sets) {
            int k = data.numClasses();
            int d = data.numFeatures();
            Parameters parameters = Parameters.random(k, d, 0.3, 21);
            Evaluation resident = new Evaluation(k, d);
            try (CudaEngine engine = new CudaEngine(device, false, Streaming.DEFAULT);
                 CudaEvaluator evaluator = engine.bind(data)) {
                evaluator.evaluate(parameters, resident);
            }
            CudaEngine engine = new CudaEngine(device, false, ONE_CHUNK);
            engine.setNotices(line -> { });
            try (engine; CudaEvaluator evaluator = engine.bind(data)) {
                String what = what(data, evaluator);
                assertTrue(evaluator.streamedRowsPerChunk() * 2L < data.numExamples(), what + ": "
                        + data.numExamples() + " rows in chunks of " + evaluator.streamedRowsPerChunk());
                Evaluation streamed = new Evaluation(k, d);
                evaluator.evaluate(parameters, streamed);
                assertMatchesReference(data, parameters, streamed, what);
                assertBitwiseEqual(resident, streamed, what);
            }
        }
    }

    @Test
    void deviceTrainingOnStreamedDataStepsLikeOnResidentData() {
        CudaDevice device = GpuTests.device();
        int n = 9_001;
        int d = 64;
        int k = 10;
        int steps = 10;
        for (Dataset data : data(n, d, k, 9)) {
            for (boolean fused : new boolean[]{true, false}) {
                double[] resident = new double[steps];
                try (CudaEngine engine = new CudaEngine(device, fused, Streaming.DEFAULT);
                     CudaEvaluator evaluator = engine.bind(data);
                     DeviceTraining training = evaluator.startDeviceTraining(new Parameters(k, d))) {
                    for (int s = 0; s < steps; s++) {
                        resident[s] = training.step(1.0, 1.0);
                    }
                }
                CudaEngine engine = new CudaEngine(device, fused, chunksOf(1_000L * (d * 4 + 4)));
                engine.setNotices(line -> { });
                try (engine; CudaEvaluator evaluator = engine.bind(data);
                     DeviceTraining training = evaluator.startDeviceTraining(new Parameters(k, d))) {
                    for (int s = 0; s < steps; s++) {
                        double logLikelihood = training.step(1.0, 1.0);
                        assertEquals(resident[s], logLikelihood, 1e-6 * Math.abs(resident[s]),
                                what(data, evaluator) + ", step " + s);
                    }
                }
            }
        }
    }

    @Test
    void thePropertyForcesStreaming() {
        CudaDevice device = GpuTests.device();
        String previous = System.getProperty(CudaEvaluator.MAX_RESIDENT_BYTES_PROPERTY);
        System.setProperty(CudaEvaluator.MAX_RESIDENT_BYTES_PROPERTY, "1000");
        try {
            List<String> notices = new ArrayList<>();
            CudaEngine engine = new CudaEngine(device, true);
            engine.setNotices(notices::add);
            try (engine; CudaEvaluator evaluator = engine.bind(TestData.randomBinary(1_000, 64, 3, 1))) {
                assertTrue(evaluator.streaming());
                assertEquals(List.of(evaluator.residency()), notices);
                assertTrue(notices.get(0).contains(CudaEvaluator.MAX_RESIDENT_BYTES_PROPERTY + "=1000"),
                        notices.get(0));
            }
            try (CudaEngine small = new CudaEngine(device, true);
                 CudaEvaluator evaluator = small.bind(TestData.randomBinary(10, 64, 3, 1))) {
                assertFalse(evaluator.streaming(), "120 bytes are under the limit: " + evaluator.residency());
            }
        } finally {
            if (previous == null) {
                System.clearProperty(CudaEvaluator.MAX_RESIDENT_BYTES_PROPERTY);
            } else {
                System.setProperty(CudaEvaluator.MAX_RESIDENT_BYTES_PROPERTY, previous);
            }
        }
    }

    @Test
    void closingFreesAllDeviceMemoryWhenStreaming() {
        CudaDevice device = GpuTests.device();
        // On the emulator fewer rows in smaller chunks (still several), and every object is counted (nothingIsLeft).
        int n = device.emulated() ? 5_000 : 30_000;
        Dataset dense = TestData.randomDense(n, 300, 40, 3);
        Dataset binary = TestData.randomBinary(n, 300, 12, 3);
        // Once first, so that one-time driver and cuBLAS allocations are not counted.
        exercise(device, dense, binary);
        long before = device.memoryInfo()[0];
        exercise(device, dense, binary);
        assertEquals(before, device.memoryInfo()[0], "free device memory after close");
    }

    private static void exercise(CudaDevice device, Dataset... data) {
        for (Dataset set : data) {
            for (boolean fused : new boolean[]{true, false}) {
                long chunkBytes = device.emulated() ? 1L << 18 : 1L << 20;
                CudaEngine engine = new CudaEngine(device, fused, chunksOf(chunkBytes));
                engine.setNotices(line -> { });
                CudaEvaluator evaluator = engine.bind(set);
                assertTrue(evaluator.streaming());
                Parameters parameters = new Parameters(set.numClasses(), set.numFeatures());
                evaluator.evaluate(parameters, new Evaluation(set.numClasses(), set.numFeatures()));
                evaluator.probabilities(parameters, new float[set.numExamples() * set.numClasses()]);
                DeviceTraining training = evaluator.startDeviceTraining(parameters);
                training.step(1.0, 1.0);
                training.close();
                evaluator.close();
                evaluator.close();
                engine.close();
            }
        }
    }

    /**
     * Streamed against resident: the log-likelihood within 1e-9 relative (both sum the same double row terms, in
     * another grouping), the count equal, the gradient within float rounding of the tiles, 1e-5 · Σ_n |r x| per entry.
     */
    private static void assertClose(Dataset data, Parameters parameters, Evaluation expected, Evaluation actual,
                                    String what) {
        assertEquals(expected.logLikelihood(), actual.logLikelihood(), 1e-9 * Math.abs(expected.logLikelihood()),
                what + ": log-likelihood");
        assertEquals(expected.numCorrect(), actual.numCorrect(), what + ": correct");
        DoubleReference.Result reference = DoubleReference.evaluate(data, TestData.toDouble(parameters.weights()),
                TestData.toDouble(parameters.bias()));
        int d = data.numFeatures();
        for (int i = 0; i < expected.gradWeights().length; i++) {
            assertEquals(expected.gradWeights()[i], actual.gradWeights()[i], 1e-5 * reference.gradWeightsScale()[i],
                    what + ": gradWeights[" + i / d + "][" + i % d + "]");
        }
        for (int k = 0; k < expected.gradBias().length; k++) {
            assertEquals(expected.gradBias()[k], actual.gradBias()[k], 1e-5 * reference.gradBiasScale()[k],
                    what + ": gradBias[" + k + "]");
        }
    }

    private static void assertBitwiseEqual(Evaluation expected, Evaluation actual, String what) {
        assertEquals(expected.logLikelihood(), actual.logLikelihood(), 0.0, what + ": log-likelihood");
        assertArrayEquals(expected.gradWeights(), actual.gradWeights(), 0.0, what + ": ∂L/∂W");
        assertArrayEquals(expected.gradBias(), actual.gradBias(), 0.0, what + ": ∂L/∂b");
        assertEquals(expected.numCorrect(), actual.numCorrect(), what + ": correct");
    }
}
