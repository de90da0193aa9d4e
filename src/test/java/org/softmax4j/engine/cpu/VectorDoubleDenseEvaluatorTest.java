package org.softmax4j.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.softmax4j.EngineAssertions;
import org.softmax4j.TestData;
import org.softmax4j.data.DenseDataset;

/**
 * The SIMD double path of dense rows ({@link VectorDoubleDenseEvaluator}, taken by {@link DoubleEvaluator}) against
 * the plain double reference at awkward shapes (N not a multiple of the 4-row blocks or the tiles, K not a multiple of
 * 4, D not a multiple of the register's lanes), with example weights, and bitwise the same for every thread count.
 */
class VectorDoubleDenseEvaluatorTest {

    @BeforeAll
    static void needsTheVectorApi() {
        assumeTrue(VectorDoubleDenseEvaluator.supported(), "the Vector API module is not present: the scalar double"
                + " path runs (tested by DoubleEvaluatorTest)");
    }

    private static double[] randomPoint(int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] point = new double[length];
        for (int i = 0; i < length; i++) {
            point[i] = random.nextDouble(-0.5, 0.5);
        }
        return point;
    }

    private static double[] randomWeights(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] weights = new double[n];
        for (int i = 0; i < n; i++) {
            weights[i] = random.nextDouble(0, 3);
        }
        return weights;
    }

    @Test
    void matchesTheReferenceAtAwkwardShapesForEveryThreadCount() {
        int[] sizes = {1, 7, 31, 33, 1025};
        int[] classCounts = {2, 10, 17, 33};
        int[] featureCounts = {1, 13, 67, 130};
        long seed = 100;
        for (int n : sizes) {
            for (int k : classCounts) {
                for (int d : featureCounts) {
                    if (n == 1025 && d == 130 && k == 33) {
                        continue; // covered by the large case below; keeps the reference quick
                    }
                    DenseDataset data = TestData.randomDense(n, d, k, seed++);
                    double[] point = randomPoint(k * d + k, seed++);
                    double[] exampleWeights = (n + k + d) % 2 == 0 ? randomWeights(n, seed++) : null;
                    check(data, exampleWeights, point, n + "x" + d + ", K = " + k
                            + (exampleWeights == null ? "" : ", weighted"));
                }
            }
        }
    }

    @Test
    void manyChunksAndPixelScaledFeatures() {
        // 10 chunks of rows, and features of pixel size (0..255) with small weights, as unscaled images give.
        int n = 10 * VectorDoubleDenseEvaluator.CHUNK_SIZE + 77;
        int d = 787;
        int k = 10;
        SplittableRandom random = new SplittableRandom(7);
        float[] values = new float[n * d];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble() < 0.8 ? 0f : random.nextInt(256);
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(k);
        }
        DenseDataset data = new DenseDataset(values, labels, d, TestData.classNames(k), "pixels");
        double[] point = randomPoint(k * d + k, 8);
        for (int i = 0; i < k * d; i++) {
            point[i] *= 0.01;
        }
        check(data, randomWeights(n, 9), point, "pixels " + n + "x" + d);
    }

    /** Against the reference, against the scalar double loops, and bitwise equal for 1, 2 and 3 threads. */
    private static void check(DenseDataset data, double[] exampleWeights, double[] point, String what) {
        double[] first = null;
        double firstValue = 0;
        long firstCorrect = 0;
        for (int threads : new int[] {1, 2, 3}) {
            double[] gradient = new double[point.length];
            double value;
            long correct;
            try (DoubleEvaluator evaluator = new DoubleEvaluator(data, exampleWeights, threads)) {
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

    @Test
    void anEvaluationAllocatesNothing() {
        var threadBean = ManagementFactory.getThreadMXBean();
        assumeTrue(threadBean instanceof com.sun.management.ThreadMXBean bean
                && bean.isThreadAllocatedMemorySupported(), "this JVM does not count a thread's allocations");
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) threadBean;
        DenseDataset data = TestData.randomDense(300, 67, 10, 11);
        double[] point = randomPoint(10 * 67 + 10, 12);
        double[] gradient = new double[point.length];
        try (DoubleEvaluator evaluator = new DoubleEvaluator(data, null, 1)) {
            // Warm up until the JIT has compiled the kernels (the interpreter boxes vectors; compiled code does not).
            for (int i = 0; i < 3000; i++) {
                evaluator.evaluate(point, gradient);
            }
            long thread = Thread.currentThread().getId();
            long before = bean.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 100; i++) {
                evaluator.evaluate(point, gradient);
            }
            long allocated = bean.getThreadAllocatedBytes(thread) - before;
            assertTrue(allocated < 100 * 16, "100 evaluations allocated " + allocated + " bytes");
        }
    }
}
