package org.softmax4j.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.softmax4j.TestData;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.DenseDataset;

/**
 * The SIMD double path of bit-packed rows ({@link VectorDoubleBinaryEvaluator}, taken by {@link DoubleEvaluator})
 * against the plain double reference at awkward shapes (N not a multiple of the 8-example groups or of the chunks, K
 * not a multiple of the register's lanes, D not a multiple of 8 or 64, several words per row), with example weights,
 * and bitwise the same for every thread count.
 */
class VectorDoubleBinaryEvaluatorTest {

    @BeforeAll
    static void needsTheVectorApi() {
        assumeTrue(Vectors.available(), "the Vector API module is not present: the scalar double"
                + " path runs (tested by DoubleEvaluatorTest)");
    }

    @Test
    void matchesTheReferenceAtAwkwardShapesForEveryThreadCount() {
        DoubleSimdChecks.checkAwkwardShapes(new int[] {1, 13, 64, 67, 130}, TestData::randomBinary);
    }

    @Test
    void manyChunksAndSparseOrDenseBits() {
        // 10 chunks and a partial one, at the bench's shape (D = 64, K = 10), weighted; rows with few and many bits.
        int n = 10 * VectorDoubleBinaryEvaluator.CHUNK_SIZE + 77;
        int d = 64;
        int k = 10;
        SplittableRandom random = new SplittableRandom(7);
        float[] values = new float[n * d];
        for (int i = 0; i < n; i++) {
            double density = i % 3 == 0 ? 0.05 : i % 3 == 1 ? 0.323 : 0.9;
            for (int j = 0; j < d; j++) {
                values[i * d + j] = random.nextDouble() < density ? 1f : 0f;
            }
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(k);
        }
        BinaryDataset data = BinaryDataset.pack(new DenseDataset(values, labels, d, TestData.classNames(k), "bits"));
        double[] point = DoubleSimdChecks.randomPoint(k * d + k, 8);
        DoubleSimdChecks.check(data, DoubleSimdChecks.randomWeights(n, 9), point, "bits " + n + "x" + d);
    }

    /**
     * The two softmaxes the evaluator chooses between ({@link VectorDoubleSoftmax} across a group's lanes, {@link
     * PolynomialSoftmax} row by row) give the same bits: value, every gradient entry and the count of correct
     * predictions, weighted, with a last group of 3 rows and K = 10 and 13 (not a multiple of the lanes).
     */
    @Test
    void theVectorAndThePlainSoftmaxGiveTheSameBits() {
        for (int k : new int[] {10, 13}) {
            int n = 2 * VectorDoubleBinaryEvaluator.CHUNK_SIZE + 8 * 40 + 3;
            int d = 64;
            BinaryDataset data = TestData.randomBinary(n, d, k, 21);
            double[] weights = DoubleSimdChecks.randomWeights(n, 22);
            double[] point = DoubleSimdChecks.randomPoint(k * d + k, 23);
            for (int i = 0; i < k * d; i += 7) {
                point[i] *= 40; // logits far apart: exps near the underflow and sums near 1
            }
            double[][] gradients = new double[2][point.length];
            double[] values = new double[2];
            long[] correct = new long[2];
            try (WorkerPool pool = new WorkerPool(2)) {
                for (int run = 0; run < 2; run++) {
                    VectorDoubleBinaryEvaluator evaluator = VectorDoubleBinaryEvaluator.create(data, weights, pool,
                            true, run == 0);
                    values[run] = evaluator.evaluate(point, gradients[run]);
                    correct[run] = evaluator.numCorrect();
                }
            }
            assertEquals(Double.doubleToRawLongBits(values[1]), Double.doubleToRawLongBits(values[0]),
                    "K = " + k + ": the log-likelihood, vector " + values[0] + " against plain " + values[1]);
            for (int i = 0; i < point.length; i++) {
                assertEquals(Double.doubleToRawLongBits(gradients[1][i]), Double.doubleToRawLongBits(gradients[0][i]),
                        "K = " + k + ": gradient entry " + i);
            }
            assertEquals(correct[1], correct[0], "K = " + k + ": correct predictions");
            assertTrue(correct[0] > 0 && correct[0] < n, "the count is neither empty nor everything: " + correct[0]);
        }
    }

    @Test
    void anEvaluationAllocatesNothing() {
        DoubleSimdChecks.assertAnEvaluationAllocatesNothing("binary", 300, 67, 10, 11, 12);
    }

    /**
     * Where the JIT does not inline the vector log into its caller. It did so in about one fresh JVM in ten on a busy
     * machine ("too big" in -XX:+PrintInlining: a call made once per call of its caller, judged not hot), and the
     * former {@code log(DoubleVector)} then boxed its argument and result: 729,600 bytes per 100 evaluations of this
     * shape, here in every JVM with the log kept out of line. The log now goes from an array to an array.
     */
    @Test
    void anEvaluationAllocatesNothingWhereTheLogIsNotInlined() {
        DoubleSimdChecks.assertAnEvaluationAllocatesNothing("binary", 300, 67, 10, 11, 12,
                "-XX:CompileCommand=quiet", "-XX:CompileCommand=dontinline,org.softmax4j.engine.cpu.VectorDoubleSoftmax::log");
    }

    /**
     * An evaluator made after a dense vector evaluation in the JVM takes the plain softmax ({@link VectorPaths}): the
     * SIMD one compiled into the Vector API's boxed fallbacks there (136 GB per binary 10⁶ fit after a dense fit; see
     * {@link PolynomialSoftmax}). (A probe of the whole evaluation under PerMethodTrapLimit=0 is not a test: with the
     * plain softmax it allocated 0 in some JVMs and 326 MB per 100 evaluations in others, the logits' Vector API adds,
     * depending on the JIT's timing.)
     */
    @Test
    void anEvaluatorMadeAfterADenseEvaluationTakesThePlainSoftmax() {
        int k = 10;
        int d = 64;
        double[] point = DoubleSimdChecks.randomPoint(k * d + k, 31);
        try (DoubleEvaluator dense = new DoubleEvaluator(TestData.randomDense(300, d, k, 32), null, 1)) {
            dense.evaluate(point, new double[point.length]);
        }
        assertFalse(VectorPaths.onlyBinaryDoubleSoFar(), "a dense vector evaluation is recorded");
        try (WorkerPool pool = new WorkerPool(1)) {
            VectorDoubleBinaryEvaluator binary = VectorDoubleBinaryEvaluator.create(TestData.randomBinary(50, d, k, 33),
                    null, pool, false);
            assertEquals(VectorDoubleBinaryEvaluator.class, binary.getClass(), "the plain softmax's class");
            VectorDoubleBinaryEvaluator chosen = VectorDoubleBinaryEvaluator.create(TestData.randomBinary(50, d, k,
                    33), null, pool, false, true);
            assertTrue(chosen.getClass() != VectorDoubleBinaryEvaluator.class, "the SIMD softmax's class when asked");
        }
    }
}
