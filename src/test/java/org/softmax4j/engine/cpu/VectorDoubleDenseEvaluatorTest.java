package org.softmax4j.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.softmax4j.TestData;
import org.softmax4j.data.DenseDataset;

/**
 * The SIMD double path of dense rows ({@link VectorDoubleDenseEvaluator}, taken by {@link DoubleEvaluator}) against
 * the plain double reference at awkward shapes (N not a multiple of the 4-row blocks or the tiles, K not a multiple of
 * the 5-class blocks, D not a multiple of the register's lanes), with example weights, and bitwise the same for every
 * thread count.
 */
class VectorDoubleDenseEvaluatorTest {

    @BeforeAll
    static void needsTheVectorApi() {
        assumeTrue(VectorDoubleDenseEvaluator.supported(), "the Vector API module is not present: the scalar double"
                + " path runs (tested by DoubleEvaluatorTest)");
    }

    @Test
    void matchesTheReferenceAtAwkwardShapesForEveryThreadCount() {
        DoubleSimdChecks.checkAwkwardShapes(new int[] {1, 13, 67, 130}, TestData::randomDense);
    }

    @Test
    void everyClassRemainderAndAnOddCountOfRegisters() {
        // K mod 5 = 1 and 2 (a pair after the five-class blocks, one of its classes padded), 3 and 4 (a five-class
        // block with stand-ins), over 2 tiles; D = 45 is an odd number of double registers with 8 lanes and with 4,
        // so that the gradient's last register stands in for its second; D = 5 has no whole register at all.
        long seed = 500;
        for (int k : new int[] {6, 7, 8, 9, 11}) {
            for (int d : new int[] {5, 45}) {
                int n = 2 * VectorDoubleDenseEvaluator.TILE + 3;
                DenseDataset data = TestData.randomDense(n, d, k, seed++);
                DoubleSimdChecks.check(data, k % 2 == 0 ? DoubleSimdChecks.randomWeights(n, seed++) : null,
                        DoubleSimdChecks.randomPoint(k * d + k, seed++), n + "x" + d + ", K = " + k);
            }
        }
    }

    @Test
    void wideRowsTakeFewerRowsATile() {
        // D = 9,000: 64 widened rows would be 4.6 MB a worker; the tile shrinks to 4 rows (a partial last one here).
        int d = 9000;
        int lanes = VectorDoubleDenseEvaluator.lanes();
        assertEquals(4, VectorDoubleDenseEvaluator.tileRows(d / lanes * lanes));
        assertEquals(VectorDoubleDenseEvaluator.TILE, VectorDoubleDenseEvaluator.tileRows(784));
        int n = 23;
        DenseDataset data = TestData.randomDense(n, d, 3, 900);
        DoubleSimdChecks.check(data, DoubleSimdChecks.randomWeights(n, 901),
                DoubleSimdChecks.randomPoint(3 * d + 3, 902), n + "x" + d + ", K = 3");
    }

    @Test
    void manyChunksAndPixelScaledFeatures() {
        // 10 chunks of rows, and features of pixel size (0..255) with small weights, as unscaled images give.
        int n = 10 * VectorDoubleDenseEvaluator.CHUNK_SIZE + 77;
        int d = 787;
        int k = 10;
        DenseDataset data = DoubleSimdChecks.pixels(n, d, k, 7);
        double[] point = DoubleSimdChecks.pixelPoint(k, d, 8);
        DoubleSimdChecks.check(data, DoubleSimdChecks.randomWeights(n, 9), point, "pixels " + n + "x" + d);
    }

    @Test
    void anEvaluationAllocatesNothing() {
        DoubleSimdChecks.assertAnEvaluationAllocatesNothing("dense", 300, 67, 10, 11, 12);
    }

    /**
     * As where C2 has stopped speculating on classes (PerMethodTrapLimit reached, as in a long-lived JVM that ran other
     * vector code first: a Spark executor that fitted binary rows, then dense ones). The sixth session's preload, a
     * FloatVector sum carried around a loop, boxed there (22 MB per 100 evaluations of this shape, 1.7 GB at
     * 2,000 × 784); the plain-Java preload allocates nothing, the same answer in every run tried (13 of 13 at the two
     * shapes).
     */
    @Test
    void anEvaluationAllocatesNothingWithoutClassSpeculation() {
        DoubleSimdChecks.assertAnEvaluationAllocatesNothing("dense", 300, 67, 10, 11, 12, "-XX:PerMethodTrapLimit=0");
    }
}
