package org.softmax4j.engine.cpu;

/**
 * The double-precision softmax of {@link VectorDoubleBinaryEvaluator}, in plain Java: {@link #exp} and {@link #log}
 * (polynomials within 1 and 2 ulps of {@link Math#exp} and {@link Math#log}) and the weighted softmax-with-residual of
 * a group of rows ({@link #residuals}, {@link #logLikelihoods}). Each row computes the operations of the Vector API
 * version this replaced (one lane of it) in the same order: the same bits.
 *
 * <p>Why not the Vector API: on JDK 17, C2 parses each Vector API operation with the declared type of its result (the
 * intrinsics are expanded after parsing) and learns the exact vector class only by speculating on type profiles,
 * guarded by class-check traps. Once the class-check traps recorded in the methods that one compilation inlines add up
 * to PerMethodTrapLimit (100), C2 stops speculating in that compilation. The JDK's shared Vector API methods collect
 * such traps whenever other vector code first uses an operation after they were compiled (a dense fit before a binary
 * one: {@code VectorOperators$ImplCache.find}, {@code VectorOperators.opKind} and {@code
 * DoubleVector.lanewiseTemplate} had 4 each, parsed once per operation: totals of 172 to 320 in the softmax's
 * compilation). Without speculation, vectors carried around a loop are boxed on the heap at each iteration, and a
 * store whose vector class is no longer a constant runs the Java fallback: 136 GB allocated by one binary fit and 2.3
 * times its CPU. Plain double arithmetic does not depend on what the JVM ran before ({@code
 * VectorDoubleBinaryEvaluatorTest} runs the evaluator with PerMethodTrapLimit=0, the worst any history can do). A Vector API
 * softmax rewritten to carry nothing in registers across loops (its running values in a small array) still allocated
 * there, as its stores did once the compilation grew; not kept.
 */
final class PolynomialSoftmax {
    /** Below this e^x is subnormal in double: {@link #exp} gives 0 (Math.exp: below 3.4e-308). */
    static final double EXP_UNDERFLOW = -708.0;
    /** 1.5·2^52: adding it rounds a double of magnitude below 2^51 to an integer, held in the low mantissa bits. */
    private static final double ROUNDING_SHIFT = 0x1.8p52;
    private static final long ROUNDING_SHIFT_BITS = Double.doubleToRawLongBits(ROUNDING_SHIFT);
    /** ln 2 in two parts (fdlibm's): the first has 32 significant bits, so n·LN2_HI is exact for |n| &lt; 2^21. */
    private static final double LN2_HI = 6.93147180369123816490e-01;
    private static final double LN2_LO = 1.90821492927058770002e-10;
    /** 1/21, 1/19, ..., 1/3: (atanh(f)/f − 1)/f² as a polynomial in f², by Horner's rule from the highest degree. */
    private static final double[] ATANH_SERIES = {1.0 / 21.0, 1.0 / 19.0, 1.0 / 17.0, 1.0 / 15.0, 1.0 / 13.0,
        1.0 / 11.0, 1.0 / 9.0, 1.0 / 7.0, 1.0 / 5.0, 1.0 / 3.0};
    /** The bits of √½ as a double. */
    private static final long SQRT_HALF_BITS = 0x3FE6A09E667F3BCDL;

    private PolynomialSoftmax() {
    }

    /**
     * The weighted softmax-with-residual of the examples in rows 0 .. size − 1 of {@code block} ({@code padded}
     * doubles apart: logits in, residuals ω(y − p) out, classes past {@code numClasses} untouched), labels and weights
     * ω as doubles, one per row. Per row it computes what {@link Softmax#residuals(double[], int, int, int, double)}
     * does, with {@link #exp} for Math.exp. Leaves z_y − max in {@code labelLogits} and Σ_k e^(z_k − max) in {@code
     * sumsOfExps}; returns how many of the rows the arg-max gets right (the first maximum wins).
     */
    static int residuals(double[] block, int padded, double[] groupLabels, double[] groupWeights,
                               double[] labelLogits, double[] sumsOfExps, int size, int numClasses) {
        int correct = 0;
        for (int s = 0; s < size; s++) {
            int at = s * padded;
            int label = (int) groupLabels[s];
            double max = block[at];
            for (int k = 1; k < numClasses; k++) {
                max = Math.max(max, block[at + k]);
            }
            // The arg-max is the first class at the max (the first maximum wins): right when the label's logit is the
            // max and no class before it reaches the max. (Counted without a branch per class: the label's place is
            // random, a branch on it would be mispredicted once per row.)
            int earlierAtMax = 0;
            for (int k = 0; k < label; k++) {
                earlierAtMax += block[at + k] == max ? 1 : 0;
            }
            correct += block[at + label] == max && earlierAtMax == 0 ? 1 : 0;
            // 0 + z_label: the sign of a zero as the vector version summed it (0 plus z_label, then zeros).
            double labelLogit = 0.0 + block[at + label];
            for (int k = 0; k < numClasses; k++) {
                block[at + k] = exp(block[at + k] - max);
            }
            // The other classes summed apart, in class order: 1 − p_label would cancel its digits.
            double others = 0;
            for (int k = 0; k < label; k++) {
                others += block[at + k];
            }
            for (int k = label + 1; k < numClasses; k++) {
                others += block[at + k];
            }
            double labelExp = block[at + label];
            double weight = groupWeights[s];
            double sum = others + labelExp;
            double scale = -weight / sum;
            for (int k = 0; k < numClasses; k++) {
                block[at + k] *= scale;
            }
            block[at + label] = weight * others / sum;
            labelLogits[s] = labelLogit - max;
            sumsOfExps[s] = sum;
        }
        return correct;
    }

    /**
     * The second half of {@link #residuals}: ω ln p_y = ω·((z_y − max) − ln Σ_k e_k) per row, written over
     * {@code labelLogits[0 .. size)}.
     */
    static void logLikelihoods(double[] labelLogits, double[] sumsOfExps, double[] groupWeights, int size) {
        for (int s = 0; s < size; s++) {
            labelLogits[s] = groupWeights[s] * (labelLogits[s] - log(sumsOfExps[s]));
        }
    }

    /**
     * e^x in double for x ≤ 0, to within 1 ulp of {@link Math#exp} (tested): x = n·ln 2 + r with n an integer (rounded
     * by adding 1.5·2^52) and |r| ≤ ln2/2, r by fused multiply-adds with ln 2 in two parts (Cody–Waite); e^r by its
     * Taylor polynomial of degree 13 (the next term is below 5e-18 of the result); 2^n added to the exponent bits.
     * Below {@link #EXP_UNDERFLOW} (and for −∞) the result is 0. Only adds, multiplies and fused multiply-adds: the
     * same bits in the interpreter and in compiled code.
     */
    static double exp(double x) {
        if (x < EXP_UNDERFLOW) {
            return 0.0;
        }
        // From here x ≥ EXP_UNDERFLOW (or NaN): the vector version's clamp to it changed nothing.
        double clamped = x;
        double shifted = clamped * 1.4426950408889634 + ROUNDING_SHIFT;
        double n = shifted - ROUNDING_SHIFT;
        long exponent = Double.doubleToRawLongBits(shifted) - ROUNDING_SHIFT_BITS << 52;
        double r = Math.fma(n, -LN2_HI, clamped);
        r = Math.fma(n, -LN2_LO, r);
        // Horner's rule written out: with a loop over the coefficients (their loads) the exp measured slower, and
        // it is the hot path (K exps per row against one log).
        double p = Math.fma(r, 1.0 / 6227020800.0, 1.0 / 479001600.0);
        p = Math.fma(p, r, 1.0 / 39916800.0);
        p = Math.fma(p, r, 1.0 / 3628800.0);
        p = Math.fma(p, r, 1.0 / 362880.0);
        p = Math.fma(p, r, 1.0 / 40320.0);
        p = Math.fma(p, r, 1.0 / 5040.0);
        p = Math.fma(p, r, 1.0 / 720.0);
        p = Math.fma(p, r, 1.0 / 120.0);
        p = Math.fma(p, r, 1.0 / 24.0);
        p = Math.fma(p, r, 1.0 / 6.0);
        p = Math.fma(p, r, 0.5);
        p = Math.fma(p, r, 1.0);
        p = Math.fma(p, r, 1.0);
        return Double.longBitsToDouble(Double.doubleToRawLongBits(p) + exponent);
    }

    /**
     * ln x in double for x ≥ √½ (a softmax's Σ e_k, at least 1), to within 2 ulps of {@link Math#log} (tested): x =
     * 2^e·m with m in [√½, √2), ln m = 2·atanh(f), f = (m − 1)/(m + 1), |f| ≤ 0.172, by its series to f^21 (the next
     * term is below 1e-18 of it); ln 2 in two parts. The exponent is read with a logical shift, which is why x below √½
     * (a negative e) is outside the domain.
     */
    static double log(double x) {
        long shifted = Double.doubleToRawLongBits(x) - SQRT_HALF_BITS;
        double m = Double.longBitsToDouble((shifted & 0x000FFFFFFFFFFFFFL) + SQRT_HALF_BITS);
        // e as a double without a long-to-double conversion: the bits of 2^52 + e, less 2^52.
        double e = Double.longBitsToDouble(shifted >>> 52 | 0x4330000000000000L) - 0x1p52;
        double f = (m - 1.0) / (m + 1.0);
        double f2 = f * f;
        double series = ATANH_SERIES[0];
        for (int i = 1; i < ATANH_SERIES.length; i++) {
            series = Math.fma(series, f2, ATANH_SERIES[i]);
        }
        double lnM = Math.fma(f + f, series * f2, f + f);
        return Math.fma(e, LN2_HI, Math.fma(e, LN2_LO, lnM));
    }
}
