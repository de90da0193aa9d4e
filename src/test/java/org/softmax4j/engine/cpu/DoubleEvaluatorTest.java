package org.softmax4j.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.softmax4j.TestData;
import org.softmax4j.data.Dataset;

/** The parallel double evaluator against the plain reference, and bitwise the same for every thread count. */
class DoubleEvaluatorTest {

    private static double[] randomPoint(int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] point = new double[length];
        for (int i = 0; i < length; i++) {
            point[i] = random.nextDouble(-0.5, 0.5);
        }
        return point;
    }

    @Test
    void matchesTheReferenceAndIgnoresTheThreadCount() {
        // Awkward sizes, and blocks past PARALLEL_ROWS and BLOCK_SIZE so that the pool and several blocks are used.
        Dataset[] problems = {TestData.randomBinary(1, 1, 2, 61), TestData.randomBinary(33, 70, 3, 62),
                TestData.randomBinary(DoubleEvaluator.BLOCK_SIZE + 1025, 70, 5, 63),
                TestData.randomDense(31, 33, 4, 64), TestData.randomDense(DoubleEvaluator.PARALLEL_ROWS + 31, 40, 3, 65)};
        for (Dataset data : problems) {
            int k = data.numClasses();
            int d = data.numFeatures();
            double[] point = randomPoint(k * d + k, 66);
            double[] weights = new double[k * d];
            double[] bias = new double[k];
            System.arraycopy(point, 0, weights, 0, k * d);
            System.arraycopy(point, k * d, bias, 0, k);
            DoubleReference.Result reference = DoubleReference.evaluate(data, weights, bias);
            double[] expected = null;
            double expectedValue = 0;
            for (int threads : new int[] {1, 2, 3}) {
                double[] gradient = new double[point.length];
                double value;
                try (DoubleEvaluator evaluator = new DoubleEvaluator(data, null, threads)) {
                    value = evaluator.evaluate(point, gradient);
                }
                String what = data.source() + " " + data.numExamples() + "x" + d + ", " + threads + " threads";
                assertEquals(reference.logLikelihood(), value, 1e-9 * Math.abs(reference.logLikelihood()), what);
                for (int i = 0; i < k * d; i++) {
                    assertEquals(reference.gradWeights()[i], gradient[i], 1e-9, what + " dW[" + i + "]");
                }
                for (int c = 0; c < k; c++) {
                    assertEquals(reference.gradBias()[c], gradient[k * d + c], 1e-9, what + " db[" + c + "]");
                }
                if (expected == null) {
                    expected = gradient;
                    expectedValue = value;
                } else {
                    assertEquals(expectedValue, value, 0.0, what);
                    assertArrayEquals(expected, gradient, 0.0, what);
                }
            }
        }
    }
}
