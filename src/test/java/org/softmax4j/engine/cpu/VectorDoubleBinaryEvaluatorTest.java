package org.softmax4j.engine.cpu;

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

    @Test
    void anEvaluationAllocatesNothing() {
        DoubleSimdChecks.assertAnEvaluationAllocatesNothing("binary", 300, 67, 10, 11, 12);
    }

    /**
     * The same in a JVM whose C2 speculates on no type profile (PerMethodTrapLimit=0): the state that the class-check
     * traps other vector code leaves in the JDK's shared Vector API methods put the binary fit after a dense one in (see
     * {@link PolynomialSoftmax}), made certain. The Vector API softmax it replaced allocated 584 MB per 100 evaluations
     * of these 1,000 rows here (main at 9875903); the float32 engine's softmax still does.
     */
    @Test
    void anEvaluationAllocatesNothingWhateverOtherVectorCodeRanBefore() {
        DoubleSimdChecks.assertAnEvaluationAllocatesNothing("binary", 1000, 64, 10, 11, 12, "-XX:PerMethodTrapLimit=0");
    }
}
