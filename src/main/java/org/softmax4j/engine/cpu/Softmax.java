package org.softmax4j.engine.cpu;

/**
 * The scalar softmax primitives of the CPU evaluators, in one place: the fast {@link #exp}, {@link #log1p}, the
 * softmax-with-residual in float ({@link BinaryEvaluator}, {@link DenseEvaluator}, {@link VectorDenseEvaluator}) and
 * in double ({@link DoubleEvaluator}), the plain softmax (probabilities) and the arg-max. {@link VectorSoftmax} holds
 * their SIMD twins, tested lane by lane against these ({@code SoftmaxPrimitivesTest}).
 */
final class Softmax {
    private Softmax() {
    }

    /** Below this e^x is subnormal in float: {@link #exp} gives 0 (its share of a softmax is below 1e-37 of the max). */
    static final float EXP_UNDERFLOW = -87.33654f;

    /**
     * Turns logits z[at..at+K) into residuals y − p in place and returns ln p_label. The row max is subtracted before
     * exp so that no exp overflows and the largest term is exactly 1: ln p_y = (z_y − max) − ln Σ_k exp(z_k − max).
     * The label's residual 1 − p_y is computed as Σ_{k≠y} p_k: when p_y is near 1, 1 − p_y in float would cancel away
     * most of its digits.
     */
    static double residuals(float[] z, int at, int numClasses, int label) {
        float max = z[at];
        for (int k = 1; k < numClasses; k++) {
            max = Math.max(max, z[at + k]);
        }
        float labelLogit = z[at + label] - max;
        // The other classes are summed apart: sum − e_label would cancel the same digits as 1 − p_label.
        float others = 0;
        for (int k = 0; k < numClasses; k++) {
            float e = exp(z[at + k] - max);
            z[at + k] = e;
            if (k != label) {
                others += e;
            }
        }
        float labelExp = z[at + label];
        float inverse = 1f / (others + labelExp);
        for (int k = 0; k < numClasses; k++) {
            z[at + k] = -z[at + k] * inverse;
        }
        z[at + label] = others * inverse;
        // In double, so that a confident right answer (e_label = 1, others tiny) keeps the digits of ln(1 + others).
        return labelLogit - Math.log((double) labelExp + others);
    }

    /**
     * The double-precision twin of {@link #residuals(float[], int, int, int)}, weighted: turns the logits
     * z[at..at+K) into ω(y − p) in place and returns ω ln p_label, with {@link Math#exp} and {@link Math#log}, and
     * 1 − p_label as Σ_{k≠label} p_k likewise.
     */
    static double residuals(double[] z, int at, int numClasses, int label, double weight) {
        double max = z[at];
        for (int k = 1; k < numClasses; k++) {
            max = Math.max(max, z[at + k]);
        }
        double labelLogit = z[at + label] - max;
        double others = 0;
        double labelExp = 0;
        for (int k = 0; k < numClasses; k++) {
            double e = Math.exp(z[at + k] - max);
            z[at + k] = e;
            if (k != label) {
                others += e;
            } else {
                labelExp = e;
            }
        }
        double sum = others + labelExp;
        double scale = -weight / sum;
        for (int k = 0; k < numClasses; k++) {
            z[at + k] *= scale;
        }
        z[at + label] = weight * others / sum;
        return weight * (labelLogit - Math.log(sum));
    }

    /**
     * The plain twin of {@link VectorSoftmax#residualsAcross}, row by row: the same float operations in the same order
     * as one lane of it, so the same bits (the sums start from 0 and add the classes in order, as the lane-wise blends
     * do). Rows 0 .. size − 1 of {@code block} ({@code padded} floats apart): logits in, residuals y − p out. Leaves z_y
     * − max in {@code labelLogits[at + s]} and Σ_k e_k − 1 in {@code rests[at + s]}; returns how many the arg-max gets
     * right (the first maximum wins).
     */
    static int residualsOfRows(float[] block, int padded, int[] groupLabels, float[] labelLogits, float[] rests,
                               int at, int size, int numClasses) {
        int correct = 0;
        for (int s = 0; s < size; s++) {
            int row = s * padded;
            int label = groupLabels[s];
            float max = block[row];
            int best = 0;
            for (int k = 1; k < numClasses; k++) {
                float z = block[row + k];
                best = z > max ? k : best;
                max = Math.max(max, z);
            }
            correct += best == label ? 1 : 0;
            float labelLogit = 0f + block[row + label];
            float others = 0f;
            // ln Σ_k e_k = log1p(rest): rest sums the classes below the max, plus one per further class at the max.
            float rest = 0f;
            float ties = -1f;
            for (int k = 0; k < numClasses; k++) {
                float z = block[row + k];
                float e = exp(z - max);
                block[row + k] = e;
                others += k == label ? 0f : e;
                rest += z == max ? 0f : e;
                ties += z == max ? 1f : 0f;
            }
            float labelExp = block[row + label];
            float inverse = 1f / (others + labelExp);
            float negativeInverse = -inverse;
            for (int k = 0; k < numClasses; k++) {
                block[row + k] *= negativeInverse;
            }
            block[row + label] = others * inverse;
            rests[at + s] = rest + ties;
            labelLogits[at + s] = labelLogit - max;
        }
        return correct;
    }

    /** Turns logits z[0..K) into probabilities in place, with the same max subtraction. */
    static void probabilities(float[] z, int numClasses) {
        float max = z[0];
        for (int k = 1; k < numClasses; k++) {
            max = Math.max(max, z[k]);
        }
        float sum = 0;
        for (int k = 0; k < numClasses; k++) {
            float e = exp(z[k] - max);
            z[k] = e;
            sum += e;
        }
        float inverse = 1f / sum;
        for (int k = 0; k < numClasses; k++) {
            z[k] *= inverse;
        }
    }

    /**
     * e^x for x ≤ 0 in float, to within 2.6e-7 relative (the worst over every float in [−87.3, 0] is 2.54e-7, at
     * −26.686; Math.exp rounded to float: 6e-8), several times faster than
     * Math.exp, which works in double. x = n·ln 2 + r with n an integer (rounded by adding 1.5·2^23) and |r| ≤ ln2/2,
     * ln 2 split in two parts so that r is exact (Cody–Waite); e^r by its Taylor polynomial of degree 6; 2^n by adding n
     * to the exponent bits. Below {@link #EXP_UNDERFLOW} the result would be subnormal: 0 is returned.
     */
    static float exp(float x) {
        if (x < EXP_UNDERFLOW) {
            return 0f;
        }
        float shifted = x * 1.44269504f + 12582912f;
        float n = shifted - 12582912f;
        int exponent = Float.floatToRawIntBits(shifted) - 0x4B400000;
        float r = x - n * 0.693145752f - n * 1.42860677e-6f;
        float p = 1f + r * (1f + r * (0.5f + r * (0.166666672f + r * (0.0416666679f + r * (0.00833333377f
                + r * 0.00138888892f)))));
        return Float.intBitsToFloat(Float.floatToRawIntBits(p) + (exponent << 23));
    }

    /**
     * ln(1 + x) for 0 ≤ x < 2^24 in float, to within 4.5 float ulps of the result (the worst over every float of the
     * range is 4.48 ulps, at x = 0.01508): the scalar twin of {@link VectorSoftmax#log1p}, the
     * same operations in the same order. u = 1 + x is rounded, so ln u is corrected by x / (u − 1) (exact in float);
     * ln u = e·ln 2 + ln m with u = 2^e·m, m in [√½, √2), and ln m = 2·atanh(f), f = (m − 1)/(m + 1), |f| ≤ 0.172, by
     * its series to f^9 (the next term is below 2e-9).
     */
    static float log1p(float x) {
        float u = x + 1f;
        int shifted = Float.floatToRawIntBits(u) - 0x3F3504F3;
        int exponent = shifted >> 23;
        float m = Float.intBitsToFloat((shifted & 0x007FFFFF) + 0x3F3504F3);
        float e = exponent;
        float f = (m - 1f) / (m + 1f);
        float f2 = f * f;
        float series = f2 * 0.111111111f + 0.142857143f;
        series = series * f2 + 0.2f;
        series = series * f2 + 0.333333333f;
        series = series * f2 + 1f;
        float lnU = e * 0.693147181f + f * series * 2f;
        float uMinusOne = u - 1f;
        return uMinusOne == 0f ? x : lnU * (x / uMinusOne);
    }

    /** Index (0..K-1) of the largest of z[at..at+K), the first on ties. */
    static int argmax(float[] z, int at, int numClasses) {
        int best = 0;
        for (int k = 1; k < numClasses; k++) {
            if (z[at + k] > z[at + best]) {
                best = k;
            }
        }
        return best;
    }

    /** The double twin of {@link #argmax(float[], int, int)}. */
    static int argmax(double[] z, int at, int numClasses) {
        int best = 0;
        for (int k = 1; k < numClasses; k++) {
            if (z[at + k] > z[at + best]) {
                best = k;
            }
        }
        return best;
    }
}
