package org.softmax4j.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

import org.junit.jupiter.api.Test;
import org.softmax4j.TestData;
import org.softmax4j.data.BinaryDataset;

/**
 * The primitives of {@link Softmax}, {@link VectorSoftmax} and {@link BitRows}: each vector primitive lane by lane
 * against its scalar twin, {@code exp} and {@code log1p} against {@link Math} over their whole input range for the
 * accuracy their comments claim, and the bit-packed helpers against the plain feature values.
 */
class SoftmaxPrimitivesTest {

    /** |got − want| / want, with want = 0 asking for an exact 0. */
    private static double relativeError(double got, double want) {
        return want == 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);
    }

    /**
     * Every 64th float of [−87.33654, 0] and the ends (all 1.1e9 of them take a minute; that sweep gave the worst,
     * 2.54e-7 at −26.686, that the claim rests on).
     */
    @Test
    void expIsWithinItsClaimOverItsWholeRange() {
        double worst = 0;
        float worstAt = 0;
        int lowBits = Float.floatToRawIntBits(Softmax.EXP_UNDERFLOW);
        // Negative floats: bit patterns from −0 (0x80000000) up to the underflow's pattern, magnitude growing.
        for (int bits = 0x80000000; bits <= lowBits && bits < 0; bits += 64) {
            float x = Float.intBitsToFloat(bits);
            double error = relativeError(Softmax.exp(x), Math.exp(x));
            if (error > worst) {
                worst = error;
                worstAt = x;
            }
        }
        for (float x : new float[] {0f, -0f, Softmax.EXP_UNDERFLOW, -1e-30f, -Float.MIN_VALUE}) {
            worst = Math.max(worst, relativeError(Softmax.exp(x), Math.exp(x)));
        }
        assertTrue(worst <= 2.6e-7, "exp's worst relative error is " + worst + " at " + worstAt
                + ", its comment claims 2.6e-7");
        assertEquals(0f, Softmax.exp(Math.nextDown(Softmax.EXP_UNDERFLOW)), "below the underflow: 0");
        assertEquals(0f, Softmax.exp(Float.NEGATIVE_INFINITY));
        assertEquals(1f, Softmax.exp(0f), "exp(0) is exactly 1: the largest term of a softmax");
    }

    /** Every 64th float of [0, 2^24) (the sweep of every float gave the worst, 4.48 ulps at 0.01508). */
    @Test
    void log1pIsWithinItsClaimOverItsWholeRange() {
        double worstUlps = 0;
        float worstAt = 0;
        int top = Float.floatToRawIntBits(0x1p24f);
        for (int bits = 0; bits < top; bits += 64) {
            float x = Float.intBitsToFloat(bits);
            double want = Math.log1p(x);
            float got = Softmax.log1p(x);
            double ulps = want == 0 ? (got == 0 ? 0 : Double.POSITIVE_INFINITY)
                    : Math.abs(got - want) / Math.ulp((float) want);
            if (ulps > worstUlps) {
                worstUlps = ulps;
                worstAt = x;
            }
        }
        assertTrue(worstUlps <= 4.5, "log1p is " + worstUlps + " ulps off at " + worstAt + ", its comment claims 4.5");
        assertEquals(0f, Softmax.log1p(0f));
        assertEquals(1e-30f, Softmax.log1p(1e-30f), "a tiny x is its own log1p");
    }

    private static float[] samples(SplittableRandom random, int count, double low, double high) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (low + (high - low) * random.nextDouble());
        }
        return values;
    }

    @Test
    void vectorExpEqualsTheScalarLaneByLane() {
        assumeTrue(Vectors.available(), "no SIMD here: " + Vectors.describe());
        int lanes = VectorSoftmax.LANES;
        SplittableRandom random = new SplittableRandom(1);
        float[] x = samples(random, 64 * lanes, -100, 0);
        x[0] = 0f;
        x[1] = Softmax.EXP_UNDERFLOW;
        x[2] = Math.nextDown(Softmax.EXP_UNDERFLOW);
        x[3] = Float.NEGATIVE_INFINITY;
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i += lanes) {
            VectorSoftmax.exp(FloatVector.fromArray(VectorSoftmax.SPECIES, x, i)).intoArray(out, i);
        }
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(Softmax.exp(x[i])), Float.floatToRawIntBits(out[i]),
                    "exp lane " + i % lanes + " at x = " + x[i]);
        }
    }

    @Test
    void vectorLog1pEqualsTheScalarLaneByLane() {
        assumeTrue(Vectors.available(), "no SIMD here: " + Vectors.describe());
        int lanes = VectorSoftmax.LANES;
        SplittableRandom random = new SplittableRandom(2);
        float[] x = new float[64 * lanes];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.pow(2, -40 + 64 * random.nextDouble());  // 2^-40 .. 2^24
        }
        x[0] = 0f;
        x[1] = 1e-30f;
        x[2] = Math.nextDown(0x1p24f);
        float[] out = x.clone();
        for (int i = 0; i < x.length; i += lanes) {
            VectorSoftmax.log1p(out, i);
        }
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(Softmax.log1p(x[i])), Float.floatToRawIntBits(out[i]),
                    "log1p lane " + i % lanes + " at x = " + x[i]);
        }
    }

    /**
     * The softmax across a group of LANES examples against {@link Softmax#residuals} row by row: the same residuals
     * (the same exp and the same operations per lane), ln p within float rounding (log1p of the float sum less one,
     * against ln of it in double), the same arg-max, ties included. K from 2 to 2·LANES, partial groups too.
     */
    @Test
    void vectorResidualsEqualTheScalarRowByRow() {
        assumeTrue(Vectors.available(), "no SIMD here: " + Vectors.describe());
        int lanes = VectorSoftmax.LANES;
        SplittableRandom random = new SplittableRandom(3);
        for (int classes = 2; classes <= 2 * lanes; classes++) {
            int padded = classes > lanes ? 2 * lanes : lanes;
            int[] column = new int[lanes];
            for (int s = 0; s < lanes; s++) {
                column[s] = s * padded;
            }
            for (int size : new int[] {lanes, 1, lanes - 1}) {
                for (int trial = 0; trial < 20; trial++) {
                    float[] block = new float[lanes * padded];
                    int[] labels = new int[lanes + 16];
                    float[] scalar = new float[lanes * padded];
                    for (int s = 0; s < lanes; s++) {
                        for (int k = 0; k < padded; k++) {
                            block[s * padded + k] = k < classes ? (float) (20 * random.nextGaussian())
                                    : Float.NEGATIVE_INFINITY;
                        }
                        if (trial % 4 == 1) {
                            block[s * padded + classes - 1] = block[s * padded];  // a tie at the first class
                        }
                        if (trial % 4 == 2) {
                            block[s * padded] = 1e4f;  // one class certain: log-likelihood near 0
                        }
                        labels[s] = s < size ? random.nextInt(classes) : -1;
                        if (s >= size) {
                            java.util.Arrays.fill(block, s * padded, (s + 1) * padded, 0f);
                        }
                    }
                    System.arraycopy(block, 0, scalar, 0, block.length);
                    float[] columns = new float[lanes * padded];
                    float[] sums = new float[lanes];
                    float[] rests = new float[lanes];
                    int correct = VectorSoftmax.residualsAcross(block, columns, column, labels, sums, rests, 0,
                            classes);
                    VectorSoftmax.logLikelihoodsAcross(sums, rests, 0);
                    int expectedCorrect = 0;
                    for (int s = 0; s < size; s++) {
                        String what = "K = " + classes + ", lane " + s + " of " + size + ", trial " + trial;
                        int label = labels[s];
                        if (Softmax.argmax(scalar, s * padded, classes) == label) {
                            expectedCorrect++;
                        }
                        double lnP = Softmax.residuals(scalar, s * padded, classes, label);
                        assertEquals(lnP, sums[s], 2e-6 * (1 + Math.abs(lnP)), what + ": ln p");
                        for (int k = 0; k < classes; k++) {
                            assertEquals(scalar[s * padded + k], block[s * padded + k],
                                    2e-7 * Math.max(1e-30, Math.abs(scalar[s * padded + k])), what + ": r_" + k);
                        }
                    }
                    assertEquals(expectedCorrect, correct, "K = " + classes + ", trial " + trial + ": correct");
                }
            }
        }
    }

    /** Ulps of {@code want} between the two (want's ulp). */
    private static double ulps(double got, double want) {
        return Math.abs(got - want) / Math.ulp(want);
    }

    /**
     * The double polynomial exp against Math.exp: within 1 ulp at 200,000 random points of [−708, 0] (a tenth of them in
     * [−1, 0], where softmax terms are largest), at the reduction's edges (±ln2/2 around multiples of ln 2) and at the
     * ends; exactly 1 at 0; 0 below the underflow and at −∞.
     */
    @Test
    void polynomialExpIsWithinAnUlpOfMath() {
        SplittableRandom random = new SplittableRandom(5);
        double[] x = new double[200_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 10 == 0 ? -random.nextDouble() : random.nextDouble(PolynomialSoftmax.EXP_UNDERFLOW, 0);
        }
        for (int i = 0; i < 64; i++) {
            double edge = -(i * Math.log(2) + Math.log(2) / 2);
            x[4 * i] = edge;
            x[4 * i + 1] = Math.nextUp(edge);
            x[4 * i + 2] = Math.nextDown(edge);
            x[4 * i + 3] = -i * Math.log(2);
        }
        x[256] = 0.0;
        x[257] = -0.0;
        x[258] = PolynomialSoftmax.EXP_UNDERFLOW;
        x[259] = -Double.MIN_VALUE;
        x[260] = -1e-300;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = PolynomialSoftmax.exp(x[i]);
        }
        double worst = 0;
        double worstAt = 0;
        for (int i = 0; i < x.length; i++) {
            double error = ulps(out[i], Math.exp(x[i]));
            if (error > worst) {
                worst = error;
                worstAt = x[i];
            }
        }
        assertTrue(worst <= 1.0, "double exp is " + worst + " ulps from Math.exp at " + worstAt + ", claimed 1");
        assertEquals(1.0, out[256], 0.0, "exp(0) is exactly 1: the largest term of a softmax");
        assertEquals(0.0, PolynomialSoftmax.exp(Math.nextDown(PolynomialSoftmax.EXP_UNDERFLOW)), 0.0,
                "below the underflow: 0");
        assertEquals(0.0, PolynomialSoftmax.exp(Double.NEGATIVE_INFINITY), 0.0, "exp(−∞) is 0");
    }

    /**
     * The SIMD double exp and log ({@link VectorDoubleSoftmax}) lane by lane against the plain ones: the same bits, so
     * that the evaluator may take either softmax. Exp over [−720, 0] (past the underflow) with the reduction's edges;
     * log over [1, 2^20] with √½ and √2.
     */
    @Test
    void vectorDoubleExpAndLogAreThePlainOnesBitForBit() {
        int lanes = VectorDoubleSoftmax.LANES;
        SplittableRandom random = new SplittableRandom(9);
        double[] x = new double[100_000];
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 10 == 0 ? -random.nextDouble() : random.nextDouble(-720, 0);
            y[i] = i % 3 == 0 ? 1 + Math.pow(2, -52 * random.nextDouble()) : Math.pow(2, 20 * random.nextDouble());
        }
        for (int i = 0; i < 64; i++) {
            double edge = -(i * Math.log(2) + Math.log(2) / 2);
            x[3 * i] = edge;
            x[3 * i + 1] = Math.nextUp(edge);
            x[3 * i + 2] = Math.nextDown(edge);
        }
        x[200] = 0.0;
        x[201] = VectorDoubleSoftmax.EXP_UNDERFLOW;
        x[202] = Math.nextDown(VectorDoubleSoftmax.EXP_UNDERFLOW);
        x[203] = Double.NEGATIVE_INFINITY;
        y[0] = 1.0;
        y[1] = Math.nextUp(Math.sqrt(0.5));
        y[2] = Math.sqrt(2);
        y[3] = Math.nextDown(Math.sqrt(2));
        double[] exps = new double[x.length];
        double[] logs = y.clone();
        for (int i = 0; i + lanes <= x.length; i += lanes) {
            VectorDoubleSoftmax.exp(DoubleVector.fromArray(VectorDoubleSoftmax.DOUBLES, x, i)).intoArray(exps, i);
            VectorDoubleSoftmax.log(logs, i);
        }
        for (int i = 0; i < x.length / lanes * lanes; i++) {
            assertEquals(Double.doubleToRawLongBits(PolynomialSoftmax.exp(x[i])), Double.doubleToRawLongBits(exps[i]),
                    "exp(" + x[i] + ")");
            assertEquals(Double.doubleToRawLongBits(PolynomialSoftmax.log(y[i])), Double.doubleToRawLongBits(logs[i]),
                    "log(" + y[i] + ")");
        }
    }

    /** The double polynomial log against Math.log: within 2 ulps over [1, 2^20] (softmax sums) and just above √½. */
    @Test
    void polynomialLogIsWithinTwoUlpsOfMath() {
        SplittableRandom random = new SplittableRandom(6);
        double[] x = new double[200_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 3 == 0 ? 1 + Math.pow(2, -52 * random.nextDouble()) : Math.pow(2, 20 * random.nextDouble());
        }
        x[0] = 1.0;
        x[1] = Math.nextUp(1.0);
        x[2] = Math.sqrt(0.5);
        x[3] = Math.nextUp(Math.sqrt(0.5));
        x[4] = Math.sqrt(2);
        x[5] = Math.nextDown(Math.sqrt(2));
        x[6] = 10.0;
        x[7] = 2.0;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = PolynomialSoftmax.log(x[i]);
        }
        double worst = 0;
        double worstAt = 0;
        for (int i = 0; i < x.length; i++) {
            double want = Math.log(x[i]);
            double error = want == 0 ? Math.abs(out[i]) : ulps(out[i], want);
            if (error > worst) {
                worst = error;
                worstAt = x[i];
            }
        }
        assertTrue(worst <= 2.0, "double log is " + worst + " ulps from Math.log at " + worstAt + ", claimed 2");
        assertEquals(0.0, out[0], 0.0, "ln 1 is exactly 0");
    }

    /**
     * The polynomial double softmax of a group of examples against {@link Softmax#residuals(double[], int, int, int,
     * double)} row by row, weighted: residuals and ω ln p within a few double ulps (its exp and log against Math's),
     * the same arg-max, ties included; K from 2 to 33, partial groups, rows past the size left as they were.
     */
    @Test
    void polynomialResidualsMatchTheScalarRowByRow() {
        int lanes = 8;
        SplittableRandom random = new SplittableRandom(7);
        for (int classes = 2; classes <= 33; classes++) {
            int padded = (classes + lanes - 1) / lanes * lanes;
            for (int size : new int[] {lanes, 1, lanes - 1}) {
                for (int trial = 0; trial < 12; trial++) {
                    double[] block = new double[lanes * padded];
                    double[] labels = new double[lanes];
                    double[] weights = new double[lanes];
                    for (int s = 0; s < size; s++) {
                        for (int k = 0; k < classes; k++) {
                            block[s * padded + k] = 20 * random.nextGaussian();
                        }
                        if (trial % 4 == 1) {
                            block[s * padded + classes - 1] = block[s * padded];  // a tie at the first class
                        }
                        if (trial % 4 == 2) {
                            block[s * padded] = 1e4;  // one class certain: log-likelihood near 0
                        }
                        labels[s] = random.nextInt(classes);
                        weights[s] = trial % 3 == 0 ? 1.0 : random.nextDouble(0, 3);
                    }
                    double[] scalar = block.clone();
                    double[] sums = new double[lanes];
                    double[] sumsOfExps = new double[lanes];
                    int correct = PolynomialSoftmax.residuals(block, padded, labels, weights, sums, sumsOfExps,
                            size, classes);
                    PolynomialSoftmax.logLikelihoods(sums, sumsOfExps, weights, size);
                    int expectedCorrect = 0;
                    for (int s = 0; s < size; s++) {
                        String what = "K = " + classes + ", lane " + s + " of " + size + ", trial " + trial;
                        int label = (int) labels[s];
                        if (Softmax.argmax(scalar, s * padded, classes) == label) {
                            expectedCorrect++;
                        }
                        double lnP = Softmax.residuals(scalar, s * padded, classes, label, weights[s]);
                        assertEquals(lnP, sums[s], 1e-14 * (1 + Math.abs(lnP)), what + ": ω ln p");
                        for (int k = 0; k < classes; k++) {
                            double want = scalar[s * padded + k];
                            assertEquals(want, block[s * padded + k], 1e-15 * Math.abs(want) + 1e-300,
                                    what + ": ω r_" + k);
                        }
                    }
                    for (int s = size; s < lanes; s++) {
                        assertEquals(0.0, sums[s], 0.0, "rows past the group's size are left alone");
                        for (int k = 0; k < padded; k++) {
                            assertEquals(0.0, block[s * padded + k], 0.0, "rows past the group's size are left alone");
                        }
                    }
                    assertEquals(expectedCorrect, correct, "K = " + classes + ", trial " + trial + ": correct");
                }
            }
        }
    }

    @Test
    void scalarAndDoubleResidualsAgree() {
        SplittableRandom random = new SplittableRandom(4);
        for (int classes : new int[] {2, 10, 33}) {
            float[] z = samples(random, classes, -30, 30);
            double[] zd = TestData.toDouble(z);
            assertEquals(Softmax.argmax(zd, 0, classes), Softmax.argmax(z, 0, classes),
                    "the float and double arg-max of the same logits");
            int label = random.nextInt(classes);
            double weight = 2.5;
            double lnP = Softmax.residuals(z, 0, classes, label);
            double lnPd = Softmax.residuals(zd, 0, classes, label, weight);
            assertEquals(weight * lnP, lnPd, 1e-5 * (1 + Math.abs(lnPd)), "K = " + classes + ": ω ln p");
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                assertEquals(weight * z[k], zd[k], 1e-6 * weight, "K = " + classes + ": ω r_" + k);
                sum += zd[k];
            }
            assertEquals(0, sum, 1e-12, "residuals sum to 0");
        }
        assertEquals(1, Softmax.argmax(new float[] {1f, 3f, 3f, 2f}, 0, 4), "the first maximum on ties");
        assertEquals(1, Softmax.argmax(new double[] {9, 1, 3, 3, 2}, 1, 4), "the first maximum on ties, at an offset");
    }

    @Test
    void bitRowsReadTheFeaturesTheyPacked() {
        for (int d : new int[] {1, 8, 63, 64, 70, 130}) {
            BinaryDataset data = TestData.randomBinary(9, d, 3, d);
            int numBytes = (d + 7) / 8;
            int[][] occurring = BitRows.occurringValues(data, numBytes);
            for (int n = 0; n < data.numExamples(); n++) {
                for (int i = 0; i < numBytes; i++) {
                    int v = BitRows.byteAt(data.words(), n * data.wordsPerRow(), i);
                    for (int j = 0; j < 8; j++) {
                        int feature = 8 * i + j;
                        float expected = feature < d ? data.feature(n, feature) : 0f;
                        assertEquals(expected, (v >>> j) & 1, "d = " + d + ", row " + n + ", feature " + feature);
                    }
                    assertTrue(v == 0 || java.util.Arrays.binarySearch(occurring[i], v) >= 0,
                            "byte " + v + " at position " + i + " is listed as occurring");
                }
            }
        }
    }

    /** The float table (K and padded strides), the double table row and the spread, against sums of W's columns. */
    @Test
    void tablesAndSpreadSumTheColumnsOfTheSetBits() {
        int classes = 3;
        int d = 13;
        int numBytes = 2;
        SplittableRandom random = new SplittableRandom(5);
        float[] weights = samples(random, classes * d, -1, 1);
        double[] point = new double[classes * d + classes];
        for (int i = 0; i < classes * d; i++) {
            point[i] = weights[i];
        }
        for (int stride : new int[] {classes, 8}) {
            float[] table = new float[numBytes * 256 * stride];
            BitRows.buildTable(weights, classes, d, numBytes, stride, table);
            double[] doubleTable = new double[numBytes * 256 * classes];
            for (int i = 0; i < numBytes; i++) {
                for (int v = 0; v < 256; v++) {
                    BitRows.buildTableRow(point, classes, d, i, v, classes, doubleTable);
                    for (int k = 0; k < stride; k++) {
                        double expected = 0;
                        for (int j = 0; j < 8 && k < classes; j++) {
                            if ((v >>> j & 1) != 0 && 8 * i + j < d) {
                                expected += weights[k * d + 8 * i + j];
                            }
                        }
                        assertEquals(expected, table[(i * 256 + v) * stride + k], 1e-6,
                                "stride " + stride + ", byte " + i + ", value " + v + ", class " + k);
                        if (k < classes && v < (i == 1 ? 32 : 256)) {  // no padding bits: features 13..15
                            assertEquals(expected, doubleTable[(i * 256 + v) * classes + k], 1e-12);
                        }
                    }
                }
            }
        }
        double[] accumulator = new double[classes];
        for (int k = 0; k < classes; k++) {
            accumulator[k] = k + 1;
        }
        double[] gradient = new double[classes * d];
        BitRows.spread(accumulator, 0, 1, 0b1110_0101, classes, d, gradient);  // features 8, 10, 13 (15, 14: past d)
        for (int k = 0; k < classes; k++) {
            for (int j = 0; j < d; j++) {
                double expected = j == 8 || j == 10 ? k + 1 : 0;
                assertEquals(expected, gradient[k * d + j], "spread, class " + k + ", feature " + j);
            }
        }
    }
}
