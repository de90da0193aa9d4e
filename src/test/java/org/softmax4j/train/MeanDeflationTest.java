package org.softmax4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.softmax4j.TestData;
import org.softmax4j.data.BinaryDataset;

class MeanDeflationTest {

    /**
     * Against the matrix written out: M = I − μμᵀ/(σ² + ‖μ‖²) on each row of W (μ restricted to the free weights),
     * vᵀMv = norm2(v), and M is positive definite (vᵀMv > 0).
     */
    @Test
    void applyIsTheMatrixAndPositiveDefinite() {
        double[] means = {0.2, 0.0, 0.7, 0.5};
        double variance = 0.15;
        int numClasses = 3;
        MeanDeflation deflation = new MeanDeflation(means, variance, numClasses);
        SplittableRandom random = new SplittableRandom(5);
        for (boolean withFixed : new boolean[] {false, true}) {
            boolean[] fixed = new boolean[12];
            if (withFixed) {
                fixed[2] = true;
                fixed[5] = true;
                fixed[8] = true;
            }
            for (int trial = 0; trial < 20; trial++) {
                double[] v = new double[12];
                for (int i = 0; i < v.length; i++) {
                    v[i] = random.nextDouble(-1, 1);
                }
                double[] expected = new double[12];
                for (int k = 0; k < numClasses; k++) {
                    double norm = 0;
                    for (int j = 0; j < 4; j++) {
                        norm += fixed[k * 4 + j] ? 0 : means[j] * means[j];
                    }
                    for (int i = 0; i < 4; i++) {
                        double sum = 0;
                        for (int j = 0; j < 4; j++) {
                            boolean free = !fixed[k * 4 + i] && !fixed[k * 4 + j];
                            double m = (i == j ? 1 : 0) - (free ? means[i] * means[j] / (variance + norm) : 0);
                            sum += m * v[k * 4 + j];
                        }
                        expected[k * 4 + i] = sum;
                    }
                }
                double quadratic = 0;
                for (int i = 0; i < 12; i++) {
                    quadratic += v[i] * expected[i];
                }
                assertEquals(quadratic, deflation.norm2(v, withFixed ? fixed : null), 1e-12);
                assertTrue(quadratic > 0);
                double[] actual = v.clone();
                deflation.apply(actual, withFixed ? fixed : null);
                assertArrayEquals(expected, actual, 1e-12);
            }
        }
    }

    /** μ and σ² from packed bits equal those of the same rows unpacked; a row weighted 2 counts twice. */
    @Test
    void statisticsOfBitsEqualThoseOfTheUnpackedRows() {
        BinaryDataset binary = TestData.randomBinary(200, 70, 3, 6);
        double[] v = new double[3 * 70];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextDouble(-1, 1);
        }
        double[] weights = new double[200];
        java.util.Arrays.fill(weights, 1);
        weights[9] = 2;
        assertEquals(MeanDeflation.of(binary, weights).norm2(v, null),
                MeanDeflation.of(binary.unpack(), weights).norm2(v, null), 1e-9);
    }
}
