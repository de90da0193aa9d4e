package org.softmax4j.engine.cpu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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

    @Test
    void matchesTheReferenceAtAwkwardShapesForEveryThreadCount() {
        DoubleSimdChecks.checkAwkwardShapes(new int[] {1, 13, 67, 130}, TestData::randomDense);
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
        double[] point = DoubleSimdChecks.randomPoint(k * d + k, 8);
        for (int i = 0; i < k * d; i++) {
            point[i] *= 0.01;
        }
        DoubleSimdChecks.check(data, DoubleSimdChecks.randomWeights(n, 9), point, "pixels " + n + "x" + d);
    }

    @Test
    void anEvaluationAllocatesNothing() {
        DoubleSimdChecks.assertAnEvaluationAllocatesNothing("dense", 300, 67, 10, 11, 12);
    }
}
