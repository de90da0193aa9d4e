package org.softmax4j.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.softmax4j.TestData;
import org.softmax4j.data.DenseDataset;

/**
 * The double path of dense rows by their non-zeros ({@link VectorDoubleSparseEvaluator}) against the plain double
 * reference at awkward shapes (K = 1..13 and past a register of classes, D not a multiple of anything, N across
 * chunks), with empty rows, all-zero columns and example weights, bitwise the same for every thread count; and the
 * automatic choice between it and {@link VectorDoubleDenseEvaluator}.
 */
class VectorDoubleSparseEvaluatorTest {

    @BeforeAll
    static void needsTheVectorApi() {
        assumeTrue(VectorDoubleDenseEvaluator.supported(), "the Vector API module is not present: the scalar double"
                + " path runs (tested by DoubleEvaluatorTest)");
    }

    /**
     * A fraction {@code density} of the values non-zero, in [-1, 1); every row n ≡ 3 (mod 5) empty and every column
     * j ≡ 2 (mod 7) all zero.
     */
    static DenseDataset sparseDense(int n, int d, int k, double density, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n * d];
        for (int row = 0; row < n; row++) {
            for (int j = 0; j < d; j++) {
                boolean zero = row % 5 == 3 || j % 7 == 2 || random.nextDouble() >= density;
                values[row * d + j] = zero ? 0f : (float) (2 * random.nextDouble() - 1);
            }
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i < k ? i : random.nextInt(k);
        }
        return new DenseDataset(values, labels, d, TestData.classNames(k), "sparse dense");
    }

    @Test
    void matchesTheReferenceAtAwkwardShapesForEveryThreadCount() {
        DoubleSimdChecks.checkAwkwardShapes(new int[] {1, 13, 67, 130},
                (n, d, k, seed) -> sparseDense(n, d, k, 0.2, seed), SparseRows.Mode.ALWAYS);
    }

    @Test
    void everyClassCountFromOneToThirteenAcrossChunks() {
        // K = 1..13: one register of classes and a part of one (8 lanes), or one to four (4 lanes); N spans three
        // chunks, the last one partial; D = 45 is no multiple of the lanes.
        long seed = 300;
        int n = 2 * VectorDoubleSparseEvaluator.CHUNK_SIZE + 3;
        for (int k = 1; k <= 13; k++) {
            int d = 45;
            DenseDataset data = sparseDense(n, d, k, 0.3, seed++);
            DoubleSimdChecks.check(data, k % 2 == 0 ? DoubleSimdChecks.randomWeights(n, seed++) : null,
                    DoubleSimdChecks.randomPoint(k * d + k, seed++), n + "x" + d + ", K = " + k,
                    SparseRows.Mode.ALWAYS);
        }
    }

    @Test
    void everyRowEmptyAndEveryRowFull() {
        int n = 700;
        int d = 19;
        int k = 5;
        DenseDataset zeros = new DenseDataset(new float[n * d], sparseDense(n, d, k, 0, 1).labels(), d,
                TestData.classNames(k), "zeros");
        DoubleSimdChecks.check(zeros, DoubleSimdChecks.randomWeights(n, 2), DoubleSimdChecks.randomPoint(k * d + k, 3),
                "every row empty", SparseRows.Mode.ALWAYS);
        DoubleSimdChecks.check(TestData.randomDense(n, d, k, 4), null, DoubleSimdChecks.randomPoint(k * d + k, 5),
                "no zero at all", SparseRows.Mode.ALWAYS);
    }

    @Test
    void pixelScaledFeatures() {
        // Features of pixel size (0..255), 80% zeros, with small weights, as unscaled images give; 4 chunks.
        int n = 3 * VectorDoubleSparseEvaluator.CHUNK_SIZE + 77;
        int d = 787;
        int k = 10;
        DenseDataset data = DoubleSimdChecks.pixels(n, d, k, 7);
        double[] point = DoubleSimdChecks.pixelPoint(k, d, 8);
        DoubleSimdChecks.check(data, DoubleSimdChecks.randomWeights(n, 9), point, "pixels " + n + "x" + d,
                SparseRows.Mode.ALWAYS);
    }

    @Test
    void theChoiceFollowsTheDensity() {
        int n = 100;
        int d = 10;
        // Exactly MAX_DENSITY of the values non-zero: sparse; one more: dense.
        float[] values = new float[n * d];
        int atThreshold = (int) Math.round(SparseRows.MAX_DENSITY * n * d);
        for (int i = 0; i < atThreshold; i++) {
            values[i] = 1f;
        }
        int[] labels = sparseDense(n, d, 3, 0, 1).labels();
        DenseDataset sparse = new DenseDataset(values, labels, d, TestData.classNames(3), "at threshold");
        float[] more = values.clone();
        more[atThreshold] = 1f;
        DenseDataset dense = new DenseDataset(more, labels, d, TestData.classNames(3), "past threshold");
        assertTrue(takesSparse(sparse, SparseRows.Mode.AUTO), "at the threshold");
        assertFalse(takesSparse(dense, SparseRows.Mode.AUTO), "past the threshold");
        assertTrue(takesSparse(dense, SparseRows.Mode.ALWAYS), "forced");
        assertFalse(takesSparse(sparse, SparseRows.Mode.NEVER), "forbidden");
        assertTrue(takesSparse(sparseDense(n, d, 3, 0.1, 2), SparseRows.Mode.AUTO), "mostly zeros");
        assertFalse(takesSparse(TestData.randomDense(n, d, 3, 3), SparseRows.Mode.AUTO), "no zeros");
        try (DoubleEvaluator scalar = new DoubleEvaluator(sparse, null, 1, false, SparseRows.Mode.ALWAYS)) {
            assertFalse(scalar.sparse(), "the scalar loops stay the scalar loops");
        }
    }

    private static boolean takesSparse(DenseDataset data, SparseRows.Mode mode) {
        try (DoubleEvaluator evaluator = new DoubleEvaluator(data, null, 1, true, mode)) {
            return evaluator.sparse();
        }
    }

    @Test
    void theSwitchReadsAutoTrueOrFalse() {
        assertEquals(SparseRows.Mode.AUTO, SparseRows.Mode.parse(null));
        assertEquals(SparseRows.Mode.AUTO, SparseRows.Mode.parse(" "));
        assertEquals(SparseRows.Mode.AUTO, SparseRows.Mode.parse("Auto"));
        assertEquals(SparseRows.Mode.ALWAYS, SparseRows.Mode.parse("true"));
        assertEquals(SparseRows.Mode.NEVER, SparseRows.Mode.parse("FALSE"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparseRows.Mode.parse("sometimes"));
        assertEquals("-Dsoftmax4j.sparseRows=sometimes: expected auto, true or false", e.getMessage());
    }

    @Test
    void anEvaluationAllocatesNothing() {
        DoubleSimdChecks.assertAnEvaluationAllocatesNothing("dense", 300, 67, 10, 11, 12,
                "-D" + SparseRows.PROPERTY + "=true");
    }

    @Test
    void anEvaluationAllocatesNothingWithoutUncommonTraps() {
        // Where C2 may not recompile after a trap, a Vector API loop that was compiled boxed stays boxed (see
        // docs/PERFORMANCE.md, the mixed-JVM slowdown).
        DoubleSimdChecks.assertAnEvaluationAllocatesNothing("dense", 300, 67, 10, 11, 12,
                "-D" + SparseRows.PROPERTY + "=true", "-XX:PerMethodTrapLimit=0");
    }
}
