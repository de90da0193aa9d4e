package org.softmax4j.engine.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD twin of {@link PolynomialSoftmax}: the weighted softmax-with-residual of a group of LANES bit-packed rows
 * across registers (one class per register, one row per lane), with a vector {@link #exp(DoubleVector)} and {@link
 * #log(double[], int)} whose every lane is {@link PolynomialSoftmax}'s exp and log bit for bit, so that the two give
 * the same residuals, log-likelihood terms and counts. About four times as fast as the plain one in a JVM where C2
 * compiles it into vector code, and many times slower where it does not: after other vector code has run in the JVM,
 * C2 on JDK 17 can compile it into the Vector API's boxed Java fallbacks (why: {@link PolynomialSoftmax}), so {@link
 * VectorDoubleBinaryEvaluator} uses it only while {@link VectorPaths#onlyBinaryDoubleSoFar()}.
 */
final class VectorDoubleSoftmax {
    static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_MAX;
    static final int LANES = DOUBLES.length();
    /** Below this e^x is subnormal in double: {@link #exp(DoubleVector)} gives 0 (Math.exp: below 3.4e-308). */
    static final double EXP_UNDERFLOW = -708.0;
    /** 1.5·2^52: adding it rounds a double of magnitude below 2^51 to an integer, held in the low mantissa bits. */
    private static final double ROUNDING_SHIFT = 0x1.8p52;
    /** ln 2 in two parts (fdlibm's): the first has 32 significant bits, so n·LN2_HI is exact for |n| < 2^21. */
    private static final double LN2_HI = 6.93147180369123816490e-01;
    private static final double LN2_LO = 1.90821492927058770002e-10;
    /** The bits of √½ as a double. */
    private static final long SQRT_HALF_BITS = 0x3FE6A09E667F3BCDL;
    /**
     * 0, 1, ..., LANES − 1: the lanes in use are those below the group's size, a load and a compare. ({@code
     * DOUBLES.indexInRange} is the generic code of every species, shared with the float path's masks, whose
     * compilation depends on what else the JVM has run.)
     */
    private static final double[] LANE_NUMBERS = laneNumbers();


    private VectorDoubleSoftmax() {
    }

    /**
     * In two calls: this one, then {@link #logLikelihoodsAcross} (one method would be too large for the JIT to inline
     * the vector operations into, and what it does not inline it boxes on the heap). The softmax of a block of LANES
     * examples (rows of {@code block}, {@code padded} doubles apart: logits in, residuals ω(y − p) out) lane-wise by
     * class, through {@code columns} (scratch, K × LANES). Labels and weights ω come as doubles, one per lane; lanes
     * from {@code size} on are zero rows of weight 0. Per lane it computes what {@link PolynomialSoftmax#residuals}
     * does, the same operations in the same order. Leaves z_y − max in {@code labelLogits} and Σ_k e^(z_k − max) in
     * {@code sumsOfExps}; returns how many of the first {@code size} examples the arg-max gets right (the first maximum
     * wins).
     */
    static int residualsAcross(double[] block, double[] columns, int padded, double[] groupLabels,
                               double[] groupWeights, double[] labelLogits, double[] sumsOfExps, int size,
                               int numClasses) {
        int classes = numClasses;
        int lanes = LANES;
        // Zero made here, not read from a static field: a vector that meets a heap object at a loop's head (the
        // static's box) would be boxed on the heap itself, once per class, by this JIT.
        DoubleVector zero = DoubleVector.zero(DOUBLES);
        DoubleVector label = DoubleVector.fromArray(DOUBLES, groupLabels, 0);
        // By class, with plain copies rather than gathers: this JIT's gathers and scatters of doubles fall back to
        // boxed Java code once the float path's gathers have shared their profiles.
        transpose(block, padded, columns, lanes, lanes, classes);
        DoubleVector max = DoubleVector.fromArray(DOUBLES, columns, 0);
        // The arg-max as a class number per lane, taken only on a strictly larger logit: the first maximum wins.
        DoubleVector best = zero;
        for (int k = 1; k < classes; k++) {
            DoubleVector z = DoubleVector.fromArray(DOUBLES, columns, k * lanes);
            best = best.blend(k, z.compare(VectorOperators.GT, max));
            max = max.max(z);
        }
        DoubleVector labelLogit = zero;
        DoubleVector others = zero;
        DoubleVector labelExp = zero;
        for (int k = 0; k < classes; k++) {
            DoubleVector z = DoubleVector.fromArray(DOUBLES, columns, k * lanes);
            VectorMask<Double> isLabel = label.eq(k);
            labelLogit = labelLogit.add(zero.blend(z, isLabel));
            DoubleVector e = exp(z.sub(max));
            e.intoArray(columns, k * lanes);
            others = others.add(e.blend(0.0, isLabel));
            labelExp = labelExp.add(zero.blend(e, isLabel));
        }
        DoubleVector weight = DoubleVector.fromArray(DOUBLES, groupWeights, 0);
        DoubleVector sum = others.add(labelExp);
        DoubleVector scale = weight.neg().div(sum);
        DoubleVector labelResidual = weight.mul(others).div(sum);
        for (int k = 0; k < classes; k++) {
            DoubleVector.fromArray(DOUBLES, columns, k * lanes).mul(scale).blend(labelResidual, label.eq(k))
                    .intoArray(columns, k * lanes);
        }
        transpose(columns, lanes, block, padded, classes, lanes);
        labelLogit.sub(max).intoArray(labelLogits, 0);
        sum.intoArray(sumsOfExps, 0);
        return best.eq(label).and(DoubleVector.fromArray(DOUBLES, LANE_NUMBERS, 0).lt(size)).trueCount();
    }

    private static double[] laneNumbers() {
        double[] numbers = new double[LANES];
        for (int lane = 0; lane < LANES; lane++) {
            numbers[lane] = lane;
        }
        return numbers;
    }

    /** to[c·toStride + r] = from[r·fromStride + c] for r &lt; rows, c &lt; cols. */
    private static void transpose(double[] from, int fromStride, double[] to, int toStride, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                to[c * toStride + r] = from[r * fromStride + c];
            }
        }
    }

    /**
     * The second half of {@link #residualsAcross(double[], double[], int, double[], double[], double[], double[], int,
     * int)}: ω ln p_y = ω·((z_y − max) − ln Σ_k e_k) per lane, written over {@code labelLogits} (0 past {@code size});
     * {@code sumsOfExps} is left holding ln Σ_k e_k.
     */
    static void logLikelihoodsAcross(double[] labelLogits, double[] sumsOfExps, double[] groupWeights, int size) {
        log(sumsOfExps, 0);
        DoubleVector labelLogit = DoubleVector.fromArray(DOUBLES, labelLogits, 0);
        DoubleVector.fromArray(DOUBLES, groupWeights, 0).mul(labelLogit.sub(DoubleVector.fromArray(DOUBLES, sumsOfExps,
                        0)))
                .blend(0.0, DoubleVector.fromArray(DOUBLES, LANE_NUMBERS, 0).compare(VectorOperators.GE, size))
                .intoArray(labelLogits, 0);
    }

    /**
     * e^x in double for x ≤ 0, to within 1 ulp of {@link Math#exp} (tested): x = n·ln 2 + r with n an integer (rounded
     * by adding 1.5·2^52) and |r| ≤ ln2/2, r by fused multiply-adds with ln 2 in two parts (Cody–Waite); e^r by its
     * Taylor polynomial of degree 13 (the next term is below 5e-18 of the result); 2^n added to the exponent bits.
     * Below {@link #EXP_UNDERFLOW} (and for −∞) the result is 0. Only adds, multiplies and fused multiply-adds:
     * every lane is the same in the interpreter and in compiled code.
     */
    static DoubleVector exp(DoubleVector x) {
        VectorMask<Double> tiny = x.lt(EXP_UNDERFLOW);
        DoubleVector clamped = x.max(EXP_UNDERFLOW);
        DoubleVector shifted = clamped.mul(1.4426950408889634).add(ROUNDING_SHIFT);
        DoubleVector n = shifted.sub(ROUNDING_SHIFT);
        LongVector exponent = shifted.reinterpretAsLongs().sub(Double.doubleToRawLongBits(ROUNDING_SHIFT))
                .lanewise(VectorOperators.LSHL, 52);
        DoubleVector r = n.lanewise(VectorOperators.FMA, -LN2_HI, clamped);
        r = n.lanewise(VectorOperators.FMA, -LN2_LO, r);
        DoubleVector p = r.lanewise(VectorOperators.FMA, 1.0 / 6227020800.0, 1.0 / 479001600.0);
        p = p.lanewise(VectorOperators.FMA, r, 1.0 / 39916800.0);
        p = p.lanewise(VectorOperators.FMA, r, 1.0 / 3628800.0);
        p = p.lanewise(VectorOperators.FMA, r, 1.0 / 362880.0);
        p = p.lanewise(VectorOperators.FMA, r, 1.0 / 40320.0);
        p = p.lanewise(VectorOperators.FMA, r, 1.0 / 5040.0);
        p = p.lanewise(VectorOperators.FMA, r, 1.0 / 720.0);
        p = p.lanewise(VectorOperators.FMA, r, 1.0 / 120.0);
        p = p.lanewise(VectorOperators.FMA, r, 1.0 / 24.0);
        p = p.lanewise(VectorOperators.FMA, r, 1.0 / 6.0);
        p = p.lanewise(VectorOperators.FMA, r, 0.5);
        p = p.lanewise(VectorOperators.FMA, r, 1.0);
        p = p.lanewise(VectorOperators.FMA, r, 1.0);
        return p.reinterpretAsLongs().add(exponent).reinterpretAsDoubles().blend(0.0, tiny);
    }

    /**
     * ln x in double for x ≥ √½ (a softmax's Σ e_k, at least 1), to within 2 ulps of {@link Math#log} (tested): x =
     * 2^e·m with m in [√½, √2), ln m = 2·atanh(f), f = (m − 1)/(m + 1), |f| ≤ 0.172, by its series to f^21 (the next
     * term is below 1e-18 of it); ln 2 in two parts. The exponent is read with a logical shift, which is why x below √½
     * (a negative e) is outside the domain. In place, on {@code values[at..at + LANES)}: from an array to an array, so
     * that no vector crosses this call. The JIT inlines a method called once per call of its caller only when it
     * judges the call site hot; where it did not (about one fresh JVM in ten on a busy machine: "too big" in
     * -XX:+PrintInlining), the vector argument and result of the former {@code log(DoubleVector)} were boxed on the
     * heap, 2 per group of LANES rows (729,600 bytes per 100 evaluations of 300 rows).
     */
    static void log(double[] values, int at) {
        DoubleVector x = DoubleVector.fromArray(DOUBLES, values, at);
        LongVector shifted = x.reinterpretAsLongs().sub(SQRT_HALF_BITS);
        DoubleVector m = shifted.and(0x000FFFFFFFFFFFFFL).add(SQRT_HALF_BITS).reinterpretAsDoubles();
        // e as a double without a long-to-double conversion: the bits of 2^52 + e, less 2^52.
        DoubleVector e = shifted.lanewise(VectorOperators.LSHR, 52).or(0x4330000000000000L).reinterpretAsDoubles()
                .sub(0x1p52);
        DoubleVector f = m.sub(1.0).div(m.add(1.0));
        DoubleVector f2 = f.mul(f);
        DoubleVector series = f2.lanewise(VectorOperators.FMA, 1.0 / 21.0, 1.0 / 19.0);
        series = series.lanewise(VectorOperators.FMA, f2, 1.0 / 17.0);
        series = series.lanewise(VectorOperators.FMA, f2, 1.0 / 15.0);
        series = series.lanewise(VectorOperators.FMA, f2, 1.0 / 13.0);
        series = series.lanewise(VectorOperators.FMA, f2, 1.0 / 11.0);
        series = series.lanewise(VectorOperators.FMA, f2, 1.0 / 9.0);
        series = series.lanewise(VectorOperators.FMA, f2, 1.0 / 7.0);
        series = series.lanewise(VectorOperators.FMA, f2, 1.0 / 5.0);
        series = series.lanewise(VectorOperators.FMA, f2, 1.0 / 3.0);
        DoubleVector lnM = f.add(f).fma(series.mul(f2), f.add(f));
        e.lanewise(VectorOperators.FMA, LN2_HI, e.lanewise(VectorOperators.FMA, LN2_LO, lnM)).intoArray(values, at);
    }
}
