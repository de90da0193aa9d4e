package org.softmax4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.softmax4j.EngineAssertions;
import org.softmax4j.TestData;
import org.softmax4j.data.Dataset;

/**
 * The contract of {@link Evaluator} (its Javadoc), checked the same way for every engine path: each path subclasses
 * this test and says how to open its engine. One set of awkward shapes for all: N ∈ {1, 7, 31, 33, 1025} (one row,
 * fewer rows than a SIMD lane count or a warp, one past a warp, one past a power of two), K ∈ {2, 10, 17, 33} (one past
 * 16 and 32: past the SIMD lanes and the fused kernels' limit), D = 70 (not a multiple of 64: a bit-packed row ends in a
 * partial word), bit-packed and dense rows, with and without example weights, with a bias and with b = 0 (the model
 * without a bias). Each result is checked against {@code DoubleReference} through {@link EngineAssertions}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class EvaluatorContractTest {
    protected static final int[] ROWS = {1, 7, 31, 33, 1025};
    protected static final int[] CLASSES = {2, 10, 17, 33};
    protected static final int FEATURES = 70;

    private static final String NO_BATCHES = "this path evaluates every row only: no batches, no probabilities";

    private Engine engine;

    /** Opens the engine of the path under test; aborts (an assumption) with the reason when it is not here. */
    protected abstract Engine openEngine();

    /** A name for messages: "cpu scalar", "cuda fused", ... */
    protected abstract String path();

    /** Whether the path has batches and probabilities (the double-precision evaluator evaluates every row only). */
    protected boolean hasBatches() {
        return true;
    }

    /** Checks after each bind-evaluate-close (the CUDA paths: nothing left on the emulator). */
    protected void afterClose(String what) {
    }

    @AfterAll
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    /**
     * The engine under test, opened by the first test that asks (so that a path not available here skips each test
     * with the reason, rather than the class without one), closed after the last.
     */
    protected final Engine engine() {
        if (engine == null) {
            engine = openEngine();
        }
        return engine;
    }

    /** Every row, through the path: by default {@link Engine#bind(Dataset, double[])} and {@link Evaluator#evaluate}. */
    protected Evaluation evaluateAll(Dataset data, double[] weights, Parameters parameters) {
        Evaluation out = new Evaluation(data.numClasses(), data.numFeatures());
        try (Evaluator evaluator = engine().bind(data, weights)) {
            evaluator.evaluate(parameters, out);
        }
        afterClose("evaluating " + describe(data, weights));
        return out;
    }

    static Stream<Arguments> shapes() {
        List<Arguments> shapes = new ArrayList<>();
        for (int n : ROWS) {
            for (int k : CLASSES) {
                for (boolean binary : new boolean[] {true, false}) {
                    for (boolean weighted : new boolean[] {false, true}) {
                        shapes.add(Arguments.of(n, k, binary, weighted));
                    }
                }
            }
        }
        return shapes.stream();
    }

    protected static Dataset data(int n, int k, boolean binary) {
        long seed = 1000L * n + 10L * k + (binary ? 1 : 0);
        return binary ? TestData.randomBinary(n, FEATURES, k, seed) : TestData.randomDense(n, FEATURES, k, seed);
    }

    /** ω_n in [0, 3), some exactly 0. */
    public static double[] weights(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] weights = new double[n];
        for (int i = 0; i < n; i++) {
            weights[i] = i % 5 == 3 ? 0 : 3 * random.nextDouble();
        }
        return weights;
    }

    private static Parameters withoutBias(Parameters parameters) {
        Parameters copy = parameters.copy();
        Arrays.fill(copy.bias(), 0f);
        return copy;
    }

    private static String describe(Dataset data, double[] weights) {
        return data.numExamples() + "x" + data.numFeatures() + ", K = " + data.numClasses() + ", "
                + (data instanceof org.softmax4j.data.BinaryDataset ? "bit-packed" : "dense")
                + (weights == null ? "" : ", weighted");
    }

    /** Rows whose arg-max in double is certain (the top two logits apart by more than float rounding), and correct. */
    private static int[] referenceCorrect(Dataset data, Parameters p) {
        int k = data.numClasses();
        int d = data.numFeatures();
        int sure = 0;
        int unsure = 0;
        double[] z = new double[k];
        for (int n = 0; n < data.numExamples(); n++) {
            double scale = 0;
            for (int c = 0; c < k; c++) {
                z[c] = p.bias()[c];
                scale += Math.abs(p.bias()[c]);
                for (int j = 0; j < d; j++) {
                    z[c] += (double) p.weight(c, j) * data.feature(n, j);
                    scale += Math.abs((double) p.weight(c, j) * data.feature(n, j));
                }
            }
            int label = data.label(n);
            boolean tie = false;
            boolean labelBest = true;
            for (int c = 0; c < k; c++) {
                if (c != label && Math.abs(z[c] - z[label]) <= 1e-5 * (1 + scale)) {
                    tie = true;
                } else if (c != label && z[c] > z[label]) {
                    labelBest = false;
                }
            }
            if (tie && labelBest) {
                unsure++;
            } else if (labelBest) {
                sure++;
            }
        }
        return new int[] {sure, sure + unsure};
    }

    @ParameterizedTest(name = "N = {0}, K = {1}, bit-packed {2}, weighted {3}")
    @MethodSource("shapes")
    void everyRowMatchesTheReference(int n, int k, boolean binary, boolean weighted) {
        Dataset data = data(n, k, binary);
        double[] weights = weighted ? weights(n, n + k) : null;
        Parameters parameters = Parameters.random(k, FEATURES, 0.3, 17L * n + k);
        for (Parameters p : new Parameters[] {parameters, withoutBias(parameters)}) {
            Parameters before = p.copy();
            String what = path() + ", " + describe(data, weights) + (p == parameters ? "" : ", b = 0");
            Evaluation out = evaluateAll(data, weights, p);
            EngineAssertions.assertMatchesReference(data, weights, p, out, what);
            assertEquals(n, out.numExamples(), what + ": rows evaluated");
            int[] correct = referenceCorrect(data, p);
            assertTrue(out.numCorrect() >= correct[0] && out.numCorrect() <= correct[1], what + ": " + out.numCorrect()
                    + " correct, expected " + correct[0] + (correct[1] == correct[0] ? "" : ".." + correct[1]));
            assertEquals(before, p, what + ": the parameters must only be read");
        }
    }

    @Test
    void theEvaluationIsOverwrittenNotAddedTo() {
        Dataset data = data(33, 10, true);
        Parameters first = Parameters.random(10, FEATURES, 0.5, 1);
        Parameters second = Parameters.random(10, FEATURES, 0.5, 2);
        assumeTrue(hasBatches(), NO_BATCHES);
        Evaluation out = new Evaluation(10, FEATURES);
        try (Evaluator evaluator = engine().bind(data)) {
            evaluator.evaluate(first, out);
            evaluator.evaluate(second, out);
            EngineAssertions.assertMatchesReference(data, second, out, path() + ", second evaluation into one output");
            evaluator.evaluate(second, new int[] {3, 4, 5}, 0, 3, out);
            EngineAssertions.assertMatchesReference(data.select(new int[] {3, 4, 5}), second, out,
                    path() + ", a batch after a full evaluation");
            assertEquals(3, out.numExamples());
        }
        afterClose("overwriting");
    }

    @ParameterizedTest(name = "N = {0}, K = {1}, bit-packed {2}, weighted {3}")
    @MethodSource("shapes")
    void batchesMatchTheReferenceOfTheirRows(int n, int k, boolean binary, boolean weighted) {
        assumeTrue(hasBatches(), NO_BATCHES);
        assumeTrue(n >= 7, "N = 1: a batch of its one row is the whole set, checked by everyRowMatchesTheReference");
        Dataset data = data(n, k, binary);
        double[] weights = weighted ? weights(n, n + k) : null;
        Parameters p = Parameters.random(k, FEATURES, 0.3, 5L * n + k);
        int[] order = TestData.shuffled(n, n);
        order[1] = order[4];  // an index may repeat
        int from = 2;
        int to = n - 1;
        Evaluation out = new Evaluation(k, FEATURES);
        try (Evaluator evaluator = engine().bind(data, weights)) {
            evaluator.evaluate(p, order, from, to, out);
            int[] rows = Arrays.copyOfRange(order, from, to);
            EngineAssertions.assertMatchesReference(data.select(rows), weights == null ? null : select(weights, rows),
                    p, out, path() + ", " + describe(data, weights) + ", shuffled batch [2, N-1)");
            assertEquals(to - from, out.numExamples());

            evaluator.evaluate(p, null, from, to, out);
            int[] range = new int[to - from];
            Arrays.setAll(range, i -> from + i);
            EngineAssertions.assertMatchesReference(data.select(range), weights == null ? null : select(weights, range),
                    p, out, path() + ", " + describe(data, weights) + ", null batch = rows [2, N-1)");
            assertEquals(to - from, out.numExamples());
        }
        afterClose("batches");
    }

    private static double[] select(double[] weights, int[] rows) {
        double[] selected = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            selected[i] = weights[rows[i]];
        }
        return selected;
    }

    @Test
    void badBatchesNameTheIndexAndN() {
        assumeTrue(hasBatches(), NO_BATCHES);
        int n = 31;
        Dataset data = data(n, 10, true);
        Parameters p = Parameters.random(10, FEATURES, 0.3, 3);
        Evaluation out = new Evaluation(10, FEATURES);
        try (Evaluator evaluator = engine().bind(data)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> evaluator.evaluate(p, new int[] {0, 5, n, 2}, 0, 4, out));
            assertTrue(e.getMessage().contains("examples[2] is " + n) && e.getMessage().contains("N = " + n),
                    path() + ": " + e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> evaluator.evaluate(p, new int[] {-1}, 0, 1, out));
            assertTrue(e.getMessage().contains("examples[0] is -1") && e.getMessage().contains("N = " + n),
                    path() + ": " + e.getMessage());
            // Outside the batch's range, a bad index is not read.
            evaluator.evaluate(p, new int[] {-1, 3, 4, n}, 1, 3, out);
            EngineAssertions.assertMatchesReference(data.select(new int[] {3, 4}), p, out, path() + ", [1, 3)");
            assertThrows(IllegalArgumentException.class, () -> evaluator.evaluate(p, new int[] {1, 2}, 1, 3, out));
            assertThrows(IllegalArgumentException.class, () -> evaluator.evaluate(p, new int[] {1, 2}, 2, 1, out));
            assertThrows(IllegalArgumentException.class, () -> evaluator.evaluate(p, new int[] {1, 2}, -1, 1, out));
            e = assertThrows(IllegalArgumentException.class, () -> evaluator.evaluate(p, null, 0, n + 1, out));
            assertTrue(e.getMessage().contains(n + " bound examples"), path() + ": " + e.getMessage());
            int[] tooMany = new int[n + 1];
            e = assertThrows(IllegalArgumentException.class, () -> evaluator.evaluate(p, tooMany, 0, n + 1, out));
            assertTrue(e.getMessage().contains("more than the " + n), path() + ": " + e.getMessage());
            // A refused call leaves the evaluator usable.
            evaluator.evaluate(p, out);
            EngineAssertions.assertMatchesReference(data, p, out, path() + ", after refused calls");
        }
        afterClose("bad batches");
    }

    @Test
    void shapesOtherThanTheBoundOnesAreRefused() {
        assumeTrue(hasBatches(), NO_BATCHES);
        Dataset data = data(7, 10, false);
        Parameters p = Parameters.random(10, FEATURES, 0.3, 3);
        try (Evaluator evaluator = engine().bind(data)) {
            assertThrows(IllegalArgumentException.class,
                    () -> evaluator.evaluate(new Parameters(11, FEATURES), new Evaluation(10, FEATURES)));
            assertThrows(IllegalArgumentException.class,
                    () -> evaluator.evaluate(p, new Evaluation(10, FEATURES + 1)));
            assertThrows(IllegalArgumentException.class, () -> evaluator.probabilities(p, new float[7 * 10 - 1]));
            assertThrows(IllegalArgumentException.class,
                    () -> evaluator.probabilities(new Parameters(10, FEATURES - 1), new float[7 * 10]));
        }
        afterClose("refused shapes");
    }

    @ParameterizedTest(name = "N = {0}, K = {1}, bit-packed {2}, weighted {3}")
    @MethodSource("shapes")
    void probabilitiesMatchTheReference(int n, int k, boolean binary, boolean weighted) {
        assumeTrue(hasBatches(), NO_BATCHES);
        assumeTrue(!weighted, "probabilities do not depend on example weights: the unweighted case covers it");
        Dataset data = data(n, k, binary);
        Parameters p = Parameters.random(k, FEATURES, 0.3, 7L * n + k);
        float[] actual = new float[n * k];
        try (Evaluator evaluator = engine().bind(data)) {
            evaluator.probabilities(p, actual);
        }
        afterClose("probabilities");
        float[] expected = new float[n * k];
        double[] z = new double[k];
        for (int row = 0; row < n; row++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                z[c] = p.bias()[c];
                for (int j = 0; j < FEATURES; j++) {
                    z[c] += (double) p.weight(c, j) * data.feature(row, j);
                }
                max = Math.max(max, z[c]);
            }
            double sum = 0;
            for (int c = 0; c < k; c++) {
                sum += Math.exp(z[c] - max);
            }
            for (int c = 0; c < k; c++) {
                expected[row * k + c] = (float) (Math.exp(z[c] - max) / sum);
            }
        }
        EngineAssertions.assertProbabilitiesClose(expected, actual, k, 1e-5, path() + ", " + describe(data, null));
    }

    @Test
    void closingTwiceDoesNothing() {
        assumeTrue(hasBatches(), NO_BATCHES);
        Evaluator evaluator = engine().bind(data(7, 2, true));
        evaluator.close();
        evaluator.close();
        afterClose("closing twice");
    }

    /** The double-precision evaluator's output, as an {@link Evaluation}, for the shared checks. */
    protected static Evaluation asEvaluation(Dataset data, DoublePrecisionEvaluator evaluator, Parameters p) {
        int k = data.numClasses();
        int d = data.numFeatures();
        double[] point = new double[k * d + k];
        for (int i = 0; i < k * d; i++) {
            point[i] = p.weights()[i];
        }
        for (int c = 0; c < k; c++) {
            point[k * d + c] = p.bias()[c];
        }
        double[] gradient = new double[point.length];
        double logLikelihood = evaluator.evaluate(point, gradient);
        Evaluation out = new Evaluation(k, d);
        System.arraycopy(gradient, 0, out.gradWeights(), 0, k * d);
        System.arraycopy(gradient, k * d, out.gradBias(), 0, k);
        out.set(logLikelihood, evaluator.numCorrect(), data.numExamples());
        return out;
    }
}
