package org.softmax4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.softmax4j.TestData;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;

class CenteringTest {
    /** The means read from packed bits equal those of the same rows unpacked, and the plain average. */
    @Test
    void meansOfBitsEqualMeansOfTheUnpackedRows() {
        BinaryDataset binary = TestData.randomBinary(300, 70, 3, 5);
        DenseDataset dense = binary.unpack();
        double[] expected = new double[70];
        for (int n = 0; n < 300; n++) {
            for (int j = 0; j < 70; j++) {
                expected[j] += dense.feature(n, j) / 300.0;
            }
        }
        assertArrayEquals(expected, Centering.of(binary, null).means(), 1e-12);
        assertArrayEquals(expected, Centering.of(dense, null).means(), 1e-12);
    }

    /** A weight of 2 on a row counts as the row twice. */
    @Test
    void aWeightOfTwoCountsTheRowTwice() {
        Dataset data = TestData.randomDense(40, 6, 3, 7);
        double[] weights = new double[40];
        java.util.Arrays.fill(weights, 1);
        weights[3] = 2;
        int[] rows = new int[41];
        for (int n = 0; n < 40; n++) {
            rows[n] = n;
        }
        rows[40] = 3;
        assertArrayEquals(Centering.of(data.select(rows), null).means(), Centering.of(data, weights).means(), 1e-12);
    }

    /**
     * apply is A·Aᵀ and norm2 is ‖Aᵀv‖², against the matrix A of the change of coordinates written out; with weights
     * fixed (OWL-QN's weights held at zero), A without their coupling to the bias.
     */
    @Test
    void applyIsAAtransposedAgainstTheExplicitMatrix() {
        int k = 3;
        int d = 4;
        double[] means = {0.25, 0.0, 0.7, 1.5};
        Centering centering = new Centering(means, k);
        boolean[] someFixed = new boolean[k * d];
        someFixed[1] = true;
        someFixed[6] = true;
        someFixed[11] = true;
        for (boolean[] fixed : new boolean[][] {null, someFixed}) {
            int size = k * d + k;
            // A maps θ' = (W, b') to θ = (W, b' − Wμ), the fixed weights left out of the sum.
            double[][] a = new double[size][size];
            for (int i = 0; i < size; i++) {
                a[i][i] = 1;
            }
            for (int c = 0; c < k; c++) {
                for (int j = 0; j < d; j++) {
                    if (fixed == null || !fixed[c * d + j]) {
                        a[k * d + c][c * d + j] = -means[j];
                    }
                }
            }
            Random random = new Random(3);
            for (int trial = 0; trial < 5; trial++) {
                double[] v = new double[size];
                for (int i = 0; i < size; i++) {
                    v[i] = random.nextGaussian();
                }
                double[] atv = new double[size];
                for (int i = 0; i < size; i++) {
                    for (int r = 0; r < size; r++) {
                        atv[i] += a[r][i] * v[r];
                    }
                }
                double[] expected = new double[size];
                double squares = 0;
                for (int r = 0; r < size; r++) {
                    squares += atv[r] * atv[r];
                    for (int i = 0; i < size; i++) {
                        expected[r] += a[r][i] * atv[i];
                    }
                }
                assertEquals(squares, centering.norm2(v, fixed), 1e-12 * squares);
                double[] actual = v.clone();
                centering.apply(actual, fixed);
                assertArrayEquals(expected, actual, 1e-12);
            }
        }
    }
}
