package org.softmax4j.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;

import org.softmax4j.EngineAssertions;
import org.softmax4j.TestData;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;

/** What the tests of the SIMD double paths ({@link DoubleSimdPath}) check, for dense and bit-packed rows alike. */
final class DoubleSimdChecks {
    private DoubleSimdChecks() {
    }

    static double[] randomPoint(int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] point = new double[length];
        for (int i = 0; i < length; i++) {
            point[i] = random.nextDouble(-0.5, 0.5);
        }
        return point;
    }

    static double[] randomWeights(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] weights = new double[n];
        for (int i = 0; i < n; i++) {
            weights[i] = random.nextDouble(0, 3);
        }
        return weights;
    }

    /** Rows of pixel-size features (0..255), 80% zeros, as unscaled images give; labels uniform. */
    static DenseDataset pixels(int n, int d, int k, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n * d];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble() < 0.8 ? 0f : random.nextInt(256);
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(k);
        }
        return new DenseDataset(values, labels, d, TestData.classNames(k), "pixels");
    }

    /** A point for {@link #pixels}: small weights (random ones × 0.01), so that the logits stay moderate. */
    static double[] pixelPoint(int k, int d, long seed) {
        double[] point = randomPoint(k * d + k, seed);
        for (int i = 0; i < k * d; i++) {
            point[i] *= 0.01;
        }
        return point;
    }

    /** Draws a data set of n rows, d features and k classes. */
    interface Draw {
        Dataset draw(int n, int d, int k, long seed);
    }

    /**
     * {@link #check} at N ∈ {1, 7, 31, 33, 1025} (not multiples of the blocks, groups or tiles), K ∈ {2, 10, 17, 33}
     * (not multiples of the register's lanes) and the given D, weighted at every other shape.
     */
    static void checkAwkwardShapes(int[] featureCounts, Draw draw) {
        checkAwkwardShapes(featureCounts, draw, SparseRows.Mode.NEVER);
    }

    /** As {@link #checkAwkwardShapes(int[], Draw)}, dense rows taking the SIMD path that {@code sparseMode} says. */
    static void checkAwkwardShapes(int[] featureCounts, Draw draw, SparseRows.Mode sparseMode) {
        int[] sizes = {1, 7, 31, 33, 1025};
        int[] classCounts = {2, 3, 4, 10, 17, 33};
        long seed = 100;
        for (int n : sizes) {
            for (int k : classCounts) {
                for (int d : featureCounts) {
                    if (n == 1025 && d == 130 && k == 33) {
                        continue; // covered by the tests' large cases; keeps the reference quick
                    }
                    Dataset data = draw.draw(n, d, k, seed++);
                    double[] point = randomPoint(k * d + k, seed++);
                    double[] exampleWeights = (n + k + d) % 2 == 0 ? randomWeights(n, seed++) : null;
                    check(data, exampleWeights, point, n + "x" + d + ", K = " + k
                            + (exampleWeights == null ? "" : ", weighted"), sparseMode);
                }
            }
        }
    }

    /**
     * Against the reference, against the scalar double loops, and bitwise equal for 1, 2 and 3 threads; dense rows
     * through {@link VectorDoubleDenseEvaluator} whatever their zeros.
     */
    static void check(Dataset data, double[] exampleWeights, double[] point, String what) {
        check(data, exampleWeights, point, what, SparseRows.Mode.NEVER);
    }

    /** As {@link #check(Dataset, double[], double[], String)}, dense rows by the path {@code sparseMode} says. */
    static void check(Dataset data, double[] exampleWeights, double[] point, String what,
                      SparseRows.Mode sparseMode) {
        double[] first = null;
        double firstValue = 0;
        long firstCorrect = 0;
        for (int threads : new int[] {1, 2, 3}) {
            double[] gradient = new double[point.length];
            double value;
            long correct;
            try (DoubleEvaluator evaluator = new DoubleEvaluator(data, exampleWeights, threads, true, sparseMode)) {
                value = evaluator.evaluate(point, gradient);
                correct = evaluator.numCorrect();
            }
            if (first == null) {
                EngineAssertions.assertMatchesReferenceInDouble(data, exampleWeights, point, value, gradient, what);
                first = gradient;
                firstValue = value;
                firstCorrect = correct;
            } else {
                assertEquals(firstValue, value, 0.0, what + ", " + threads + " threads: log-likelihood");
                assertArrayEquals(first, gradient, 0.0, what + ", " + threads + " threads: gradient");
                assertEquals(firstCorrect, correct, what + ", " + threads + " threads: correct");
            }
        }
        double[] scalar = new double[point.length];
        double scalarValue;
        long scalarCorrect;
        try (DoubleEvaluator evaluator = new DoubleEvaluator(data, exampleWeights, 2, false)) {
            scalarValue = evaluator.evaluate(point, scalar);
            scalarCorrect = evaluator.numCorrect();
        }
        EngineAssertions.assertMatchesReferenceInDouble(data, exampleWeights, point, scalarValue, scalar,
                what + " (scalar loops)");
        // Logits differ only in their last bits, so an arg-max can flip only on a near tie: none in random data.
        assertEquals(scalarCorrect, firstCorrect, what + ": correct count, SIMD against scalar");
    }

    /**
     * After the JIT has compiled the kernels, 100 evaluations of {@code data} at {@code point} allocate nothing,
     * measured in a fresh JVM ({@link AllocationProbe}): what C2 makes of the Vector API's loops depends on what the
     * JVM compiled before (in the whole suite's JVM the binary path once stayed at 4,560 bytes per evaluation for 60 s
     * after runs of other tests, where alone it allocates nothing), so the suite's JVM is not a fixed place to measure.
     * The probe draws the data ({@code kind} "binary" or "dense", as TestData draws them) and the point
     * ({@link #randomPoint}) from the seeds, warms up with 3,000 evaluations, then measures windows of 100 for up to
     * 60 s until one allocates nothing; a kernel that boxes in its compiled form never gets there.
     */
    static void assertAnEvaluationAllocatesNothing(String kind, int n, int d, int k, long dataSeed, long pointSeed,
                                                   String... jvmOptions) {
        String answer = AllocationProbe.runInFreshJvm(kind, n, d, k, dataSeed, pointSeed, jvmOptions);
        assumeTrue(!answer.startsWith("unsupported"), "this JVM does not count a thread's allocations");
        long allocated = Long.parseLong(answer.strip());
        assertTrue(allocated < 100 * 16, "100 evaluations allocated " + allocated + " bytes in a fresh JVM, 60 s after"
                + " warm-up");
    }
}
