package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.softmax4j.EngineAssertions.assertMatchesReference;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.softmax4j.TestData;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.Split;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.cpu.CpuEngine;
import org.softmax4j.train.ExampleWeights;
import org.softmax4j.train.SolverType;
import org.softmax4j.train.Trainer;
import org.softmax4j.train.TrainingListener;
import org.softmax4j.train.TrainingOptions;
import org.softmax4j.train.TrainingResult;

/**
 * Weighted examples on the CUDA engine (L = Σ ω_n ln p_{n,y_n}, gradient Σ ω_n (y_n − p_n) x_nᵀ): every kernel path
 * (fused and unfused, binary and dense, resident and streamed, full batch and a shuffled batch) against the weighted
 * double reference, zero weights included; and class-weighted training on the digits against the CPU engine. Needs a
 * GPU or the emulator; see {@link GpuTests}. Sizes are small: on the emulator each test runs in seconds.
 */
@Tag("gpu")
class CudaWeightsGpuTest {

    @AfterEach
    void nothingIsLeft(TestInfo test) {
        GpuTests.assertNothingLeft(test.getDisplayName());
    }

    /** Resident (the default rule: these sizes fit), or streamed in chunks of about 8 rows (several chunks). */
    private static final List<Streaming> RESIDENCIES = List.of(Streaming.DEFAULT,
            new Streaming(0, 8L * (65 * 4 + 8)));

    /**
     * ω_n in [0, 3), about one in four exactly 0, example 0 always 0 (its residuals must vanish; with N = 1 every
     * weight is 0 and so is everything summed).
     */
    private static double[] randomWeights(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] weights = new double[n];
        for (int i = 0; i < n; i++) {
            weights[i] = random.nextInt(4) == 0 ? 0 : 3 * random.nextDouble();
        }
        weights[0] = 0;
        return weights;
    }

    /** The weights of the examples {@code order[from..to)}, in that order (the batch as a data set of its own). */
    private static double[] select(double[] weights, int[] order, int from, int to) {
        return ExampleWeights.select(weights, Arrays.copyOfRange(order, from, to));
    }

    /** Awkward shapes: N ∈ {1, 33, 1025}, D ∈ {1, 63, 65}, K ∈ {2, 10, 17} fused and unfused, K = 40 unfused only. */
    private static final int[][] SHAPES = {{1, 1, 2}, {33, 63, 10}, {1025, 65, 17}, {33, 1, 17}, {1025, 63, 2},
            {33, 65, 40}, {1, 63, 40}};

    @Test
    void everyPathMatchesTheWeightedReference() {
        CudaDevice device = GpuTests.device();
        for (int[] shape : SHAPES) {
            int n = shape[0];
            int d = shape[1];
            int k = shape[2];
            Parameters parameters = Parameters.random(k, d, 0.5, 31L * n + d + k);
            double[] weights = randomWeights(n, n + 7L * k);
            int[] order = TestData.shuffled(n, n + k);
            int from = n / 3;
            int to = n;
            for (Dataset data : List.of(TestData.randomDense(n, d, k, n + d), TestData.randomBinary(n, d, k, n + d))) {
                Dataset batch = data.select(Arrays.copyOfRange(order, from, to));
                double[] batchWeights = select(weights, order, from, to);
                for (boolean fused : k <= CudaEngine.maxFusedClasses() ? new boolean[]{true, false}
                        : new boolean[]{false}) {
                    for (Streaming residency : RESIDENCIES) {
                        CudaEngine engine = new CudaEngine(device, fused, residency);
                        engine.setNotices(line -> { });  // "streaming it in chunks ..."
                        try (engine; CudaEvaluator evaluator = engine.bind(data, weights)) {
                            String what = (data instanceof BinaryDataset ? "binary " : "dense ") + "N=" + n + " D="
                                    + d + " K=" + k + ", " + evaluator.kernelPath();
                            assertEquals(fused, evaluator.fused(), what);
                            Evaluation full = new Evaluation(k, d);
                            evaluator.evaluate(parameters, full);
                            assertMatchesReference(data, weights, parameters, full, what + ", full batch");
                            Evaluation part = new Evaluation(k, d);
                            evaluator.evaluate(parameters, order, from, to, part);
                            assertMatchesReference(batch, batchWeights, parameters, part, what + ", batch");
                            // The count stays unweighted: the unweighted evaluation's.
                            Evaluation unweighted = new Evaluation(k, d);
                            try (CudaEvaluator plain = engine.bind(data)) {
                                plain.evaluate(parameters, unweighted);
                            }
                            assertEquals(unweighted.accuracy(), full.accuracy(), 0.0, what + ": accuracy");
                        }
                    }
                }
            }
        }
    }

    /** ω = 1 for every example is the unweighted evaluation, bit for bit, on every path (a weight of 1 is exact). */
    @Test
    void unitWeightsAreTheUnweightedResultBitwise() {
        CudaDevice device = GpuTests.device();
        int n = 1025;
        int d = 65;
        for (int k : new int[]{10, 40}) {
            Parameters parameters = Parameters.random(k, d, 0.5, k);
            double[] ones = new double[n];
            Arrays.fill(ones, 1.0);
            int[] order = TestData.shuffled(n, 3);
            for (Dataset data : List.of(TestData.randomDense(n, d, k, 5), TestData.randomBinary(n, d, k, 5))) {
                for (boolean fused : new boolean[]{true, false}) {
                    try (CudaEngine engine = new CudaEngine(device, fused, Streaming.DEFAULT);
                         CudaEvaluator weighted = engine.bind(data, ones);
                         CudaEvaluator plain = engine.bind(data)) {
                        String what = weighted.kernelPath() + ", K=" + k;
                        for (int[] batch : new int[][]{null, order}) {
                            Evaluation a = new Evaluation(k, d);
                            Evaluation b = new Evaluation(k, d);
                            if (batch == null) {
                                weighted.evaluate(parameters, a);
                                plain.evaluate(parameters, b);
                            } else {
                                weighted.evaluate(parameters, batch, 100, n, a);
                                plain.evaluate(parameters, batch, 100, n, b);
                            }
                            assertEquals(b.logLikelihood(), a.logLikelihood(), 0.0, what);
                            assertArrayEquals(b.gradWeights(), a.gradWeights(), 0.0, what);
                            assertArrayEquals(b.gradBias(), a.gradBias(), 0.0, what);
                        }
                    }
                }
            }
        }
    }

    @Test
    void badWeightsAreRefusedAtBind() {
        CudaDevice device = GpuTests.device();
        Dataset data = TestData.randomBinary(33, 63, 10, 1);
        try (CudaEngine engine = new CudaEngine(device, true)) {
            IllegalArgumentException tooFew = assertThrows(IllegalArgumentException.class,
                    () -> engine.bind(data, new double[32]));
            assertTrue(tooFew.getMessage().contains("expected 33"), tooFew.getMessage());
            double[] negative = new double[33];
            negative[7] = -1;
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> engine.bind(data, negative));
            assertTrue(bad.getMessage().contains("example weight 7 is -1.0"), bad.getMessage());
        }
    }

    /**
     * Class weights 'balanced' on the digits, as {@code train --class-weight balanced} builds them: plain ascent (W on
     * the device, DeviceTraining, fused and unfused) and SGD mini-batches agree with the CPU engine within float32
     * rounding.
     */
    @Test
    void balancedClassWeightsTrainAsOnTheCpu() {
        CudaDevice device = GpuTests.device();
        Split split = Splits.stratified(BuiltinDigits.load(), 0.2, 1);
        Dataset train = split.train();
        double[] weights = ExampleWeights.combine(train, null, ExampleWeights.balanced(train));
        Parameters start = new Parameters(train.numClasses(), train.numFeatures());
        List<TrainingOptions> runs = List.of(
                TrainingOptions.defaults().withLearningRate(1.0).withTolerance(0).withMaxIterations(200),
                TrainingOptions.defaults().withSolver(SolverType.SGD).withBatchSize(64)
                        .withLearningRate(0.5).withTolerance(0).withMaxIterations(3));
        for (TrainingOptions options : runs) {
            TrainingResult cpu;
            try (CpuEngine engine = new CpuEngine(); Evaluator evaluator = engine.bind(train, weights)) {
                cpu = new Trainer(options).train(evaluator, weights, null, start, TrainingListener.NONE);
            }
            for (boolean fused : new boolean[]{true, false}) {
                TrainingResult cuda;
                try (CudaEngine engine = new CudaEngine(device, fused);
                     Evaluator evaluator = engine.bind(train, weights)) {
                    cuda = new Trainer(options).train(evaluator, weights, null, start, TrainingListener.NONE);
                }
                String what = options.solver().id() + (fused ? ", fused" : ", unfused");
                assertEquals(cpu.iterations(), cuda.iterations(), what);
                assertRelativelyClose(cpu.best().logLikelihood(), cuda.best().logLikelihood(), what + ": L");
                assertRelativelyClose(cpu.best().objective(), cuda.best().objective(), what + ": F");
                // An example whose two largest logits are within rounding may change sides: at most two.
                assertEquals(cpu.best().trainAccuracy(), cuda.best().trainAccuracy(), 2.0 / train.numExamples(),
                        what + ": training accuracy");
            }
        }
    }

    /** Within float32 rounding compounded over the run: 1e-5 relative (one evaluation: 1e-6, README). */
    private static void assertRelativelyClose(double expected, double actual, String what) {
        double relative = Math.abs(actual - expected) / Math.abs(expected);
        assertTrue(relative <= 1e-5, what + " " + actual + ", cpu " + expected + ": relative difference " + relative);
    }
}
