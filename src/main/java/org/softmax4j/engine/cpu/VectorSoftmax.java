package org.softmax4j.engine.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD twins of {@link Softmax}: {@link #exp} and {@link #log1p} lane by lane (the same operations in the same
 * order as the scalar ones, so each lane equals the scalar result bit for bit), and the softmax-with-residual of a
 * group of LANES examples across registers ({@link #residualsAcross(float[], float[], int[], int[], float[], float[],
 * int, int)}). In double, for the double-precision path of
 * bit-packed rows: {@link #exp(DoubleVector)}, {@link #log(DoubleVector)} (within a few double ulps of {@link Math#exp}
 * and {@link Math#log}) and the weighted softmax-with-residual across a group of DOUBLE_LANES examples. Only loaded when
 * jdk.incubator.vector is present (see {@link Vectors}).
 */
final class VectorSoftmax {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    private static final VectorSpecies<Integer> INT_SPECIES = VectorSpecies.of(int.class, SPECIES.vectorShape());
    static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
    static final int DOUBLE_LANES = DOUBLES.length();
    /** Below this e^x is subnormal in double: {@link #exp(DoubleVector)} gives 0 (Math.exp: below 3.4e-308). */
    static final double DOUBLE_EXP_UNDERFLOW = -708.0;
    /** 1.5·2^52: adding it rounds a double of magnitude below 2^51 to an integer, held in the low mantissa bits. */
    private static final double ROUNDING_SHIFT = 0x1.8p52;
    /** ln 2 in two parts (fdlibm's): the first has 32 significant bits, so n·LN2_HI is exact for |n| < 2^21. */
    private static final double LN2_HI = 6.93147180369123816490e-01;
    private static final double LN2_LO = 1.90821492927058770002e-10;
    /** The bits of √½ as a double. */
    private static final long SQRT_HALF_BITS = 0x3FE6A09E667F3BCDL;
    /**
     * 0, 1, ..., DOUBLE_LANES − 1: the lanes in use are those below the group's size, a load and a compare. ({@code
     * DOUBLES.indexInRange} is the generic code of every species, shared with the float path's masks, whose
     * compilation depends on what else the JVM has run.)
     */
    private static final double[] DOUBLE_LANE_NUMBERS = laneNumbers();

    private VectorSoftmax() {
    }

    /**
     * The softmax of a block of LANES examples (rows of {@code block}, {@code padded} floats apart: logits in, residuals
     * y − p out), lane-wise by class, through {@code columns} (scratch, LANES × padded, by class); {@code column} holds
     * the offsets 0, padded, 2·padded, ... of one class's column. In two calls: this one, then {@link
     * #logLikelihoodsAcross(float[], float[], int)} (one method would be too large for the JIT to inline the vector
     * operations into, and what it does not inline it boxes on the heap). Leaves z_y − max in {@code labelLogits} and
     * Σ_k e_k − 1 in {@code rests}, LANES floats from {@code at}, and returns how many examples the arg-max gets right
     * (the first maximum wins, as in {@link Softmax#argmax}); lanes past the end of the data carry the label −1 and
     * never count. Per lane the two compute what {@link Softmax#residuals(float[], int, int, int)} does, except that
     * ln Σ e_k is log1p of the float sum less one instead of {@link Math#log} of it in double.
     */
    static int residualsAcross(float[] block, float[] columns, int[] column, int[] groupLabels, float[] labelLogits,
                               float[] rests, int at, int numClasses) {
        int classes = numClasses;
        // Zero made here, not read from a static field: a vector that meets a heap object at a loop's head (the
        // static's box) would be boxed on the heap itself, once per class, by this JIT.
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector label = (FloatVector) IntVector.fromArray(INT_SPECIES, groupLabels, 0)
                .convert(VectorOperators.I2F, 0);
        // One gather per class into columns[k·LANES ..]; after that every pass reads whole registers.
        FloatVector max = FloatVector.fromArray(SPECIES, block, 0, column, 0);
        max.intoArray(columns, 0);
        // The arg-max as a class number per lane, taken only on a strictly larger logit: the first maximum wins. (A
        // mask carried from one class to the next would be boxed on the heap by this JIT.)
        FloatVector best = zero;
        for (int k = 1; k < classes; k++) {
            FloatVector z = FloatVector.fromArray(SPECIES, block, k, column, 0);
            z.intoArray(columns, k * LANES);
            best = best.blend((float) k, z.compare(VectorOperators.GT, max));
            max = max.max(z);
        }
        FloatVector labelLogit = zero;
        FloatVector others = zero;
        FloatVector labelExp = zero;
        // ln Σ_k e_k = log1p(rest), rest = Σ_k e_k less one term e_k = 1 (a class at the max): accurate to float
        // precision of the result even when the sum is 1 + tiny, where ln of the float sum would lose it all.
        FloatVector rest = zero;
        FloatVector ties = FloatVector.broadcast(SPECIES, -1f);
        for (int k = 0; k < classes; k++) {
            FloatVector z = FloatVector.fromArray(SPECIES, columns, k * LANES);
            VectorMask<Float> isLabel = label.eq((float) k);
            labelLogit = labelLogit.add(zero.blend(z, isLabel));
            FloatVector e = exp(z.sub(max));
            e.intoArray(columns, k * LANES);
            // Σ_{k≠label} e_k summed apart (see Softmax.residuals): 1 − p_label would cancel its digits.
            others = others.add(e.blend(0f, isLabel));
            labelExp = labelExp.add(zero.blend(e, isLabel));
            VectorMask<Float> atMax = z.eq(max);
            rest = rest.add(e.blend(0f, atMax));
            ties = ties.add(zero.blend(1f, atMax));
        }
        FloatVector inverse = FloatVector.broadcast(SPECIES, 1f).div(others.add(labelExp));
        FloatVector labelResidual = others.mul(inverse);
        FloatVector negativeInverse = inverse.neg();
        for (int k = 0; k < classes; k++) {
            FloatVector e = FloatVector.fromArray(SPECIES, columns, k * LANES);
            e.mul(negativeInverse).blend(labelResidual, label.eq((float) k)).intoArray(block, k, column, 0);
        }
        rest.add(ties).intoArray(rests, at);
        labelLogit.sub(max).intoArray(labelLogits, at);
        // The label −1 of lanes past the data's end is no arg-max (a mask of the first lanes, SPECIES.indexInRange,
        // would be built on the heap by this JIT).
        return best.eq(label).trueCount();
    }

    /**
     * The second half of {@link #residualsAcross(float[], float[], int[], int[], float[], float[], int, int)}: ln
     * p_y = (z_y − max) − log1p(Σ_k e_k − 1) per lane, written over {@code labelLogits[at..at + LANES)}.
     */
    static void logLikelihoodsAcross(float[] labelLogits, float[] rests, int at) {
        FloatVector labelLogit = FloatVector.fromArray(SPECIES, labelLogits, at);
        labelLogit.sub(log1p(FloatVector.fromArray(SPECIES, rests, at))).intoArray(labelLogits, at);
    }

    /** {@link Softmax#log1p} lane by lane: ln(1 + x) for 0 ≤ x &lt; 2^24, to within 4.5 float ulps. */
    static FloatVector log1p(FloatVector x) {
        FloatVector u = x.add(1f);
        IntVector bits = u.reinterpretAsInts();
        // Exponent and mantissa of u / √½ ... scaled so that m lands in [√½, √2).
        IntVector shifted = bits.sub(0x3F3504F3);
        IntVector exponent = shifted.lanewise(VectorOperators.ASHR, 23);
        FloatVector m = shifted.and(0x007FFFFF).add(0x3F3504F3).reinterpretAsFloats();
        FloatVector e = (FloatVector) exponent.convert(VectorOperators.I2F, 0);
        FloatVector f = m.sub(1f).div(m.add(1f));
        FloatVector f2 = f.mul(f);
        FloatVector series = f2.mul(0.111111111f).add(0.142857143f);
        series = series.mul(f2).add(0.2f);
        series = series.mul(f2).add(0.333333333f);
        series = series.mul(f2).add(1f);
        FloatVector lnU = e.mul(0.693147181f).add(f.mul(series).mul(2f));
        FloatVector uMinusOne = u.sub(1f);
        VectorMask<Float> exact = uMinusOne.eq(0f);
        return lnU.mul(x.div(uMinusOne.blend(1f, exact))).blend(x, exact);
    }

    /** {@link Softmax#exp} lane by lane; lanes below {@link Softmax#EXP_UNDERFLOW} (and −∞ padding) give 0. */
    static FloatVector exp(FloatVector x) {
        VectorMask<Float> tiny = x.lt(Softmax.EXP_UNDERFLOW);
        FloatVector clamped = x.max(Softmax.EXP_UNDERFLOW);
        FloatVector shifted = clamped.mul(1.44269504f).add(12582912f);
        FloatVector n = shifted.sub(12582912f);
        IntVector exponent = shifted.reinterpretAsInts().sub(0x4B400000).lanewise(VectorOperators.LSHL, 23);
        FloatVector r = clamped.sub(n.mul(0.693145752f)).sub(n.mul(1.42860677e-6f));
        FloatVector p = r.mul(0.00138888892f).add(0.00833333377f);
        p = p.mul(r).add(0.0416666679f);
        p = p.mul(r).add(0.166666672f);
        p = p.mul(r).add(0.5f);
        p = p.mul(r).add(1f);
        p = p.mul(r).add(1f);
        FloatVector result = p.reinterpretAsInts().add(exponent).reinterpretAsFloats();
        return result.blend(0f, tiny);
    }

    /**
     * The double twin of {@link #residualsAcross(float[], float[], int[], int[], float[], int, int)}, weighted, in two
     * calls: this one, then {@link #logLikelihoodsAcross} (one method would be too large for the JIT to inline the
     * vector operations into, and what it does not inline it boxes on the heap). The softmax of a block of DOUBLE_LANES
     * examples (rows of {@code block}, {@code padded} doubles apart: logits in, residuals ω(y − p) out) lane-wise by
     * class, through {@code columns} (scratch, K × DOUBLE_LANES). Labels and weights ω come as doubles, one per lane.
     * Per lane it computes what {@link Softmax#residuals(double[], int, int, int, double)} does, the same operations in
     * the same order, with {@link #exp(DoubleVector)} for Math.exp. Leaves z_y − max in {@code labelLogits} and Σ_k
     * e^(z_k − max) in {@code sumsOfExps}; returns how many of the first {@code size} examples the arg-max gets right
     * (the first maximum wins).
     */
    static int residualsAcross(double[] block, double[] columns, int padded, double[] groupLabels,
                               double[] groupWeights, double[] labelLogits, double[] sumsOfExps, int size,
                               int numClasses) {
        int classes = numClasses;
        int lanes = DOUBLE_LANES;
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
        return best.eq(label).and(DoubleVector.fromArray(DOUBLES, DOUBLE_LANE_NUMBERS, 0).lt(size)).trueCount();
    }

    private static double[] laneNumbers() {
        double[] numbers = new double[DOUBLE_LANES];
        for (int lane = 0; lane < DOUBLE_LANES; lane++) {
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
     * int)}: ω ln p_y = ω·((z_y − max) − ln Σ_k e_k) per lane, written over {@code labelLogits} (0 past {@code size}).
     */
    static void logLikelihoodsAcross(double[] labelLogits, double[] sumsOfExps, double[] groupWeights, int size) {
        DoubleVector labelLogit = DoubleVector.fromArray(DOUBLES, labelLogits, 0);
        DoubleVector sum = DoubleVector.fromArray(DOUBLES, sumsOfExps, 0);
        DoubleVector.fromArray(DOUBLES, groupWeights, 0).mul(labelLogit.sub(log(sum)))
                .blend(0.0, DoubleVector.fromArray(DOUBLES, DOUBLE_LANE_NUMBERS, 0).compare(VectorOperators.GE, size))
                .intoArray(labelLogits, 0);
    }

    /**
     * e^x in double for x ≤ 0, to within 1 ulp of {@link Math#exp} (tested): x = n·ln 2 + r with n an integer (rounded
     * by adding 1.5·2^52) and |r| ≤ ln2/2, r by fused multiply-adds with ln 2 in two parts (Cody–Waite); e^r by its
     * Taylor polynomial of degree 13 (the next term is below 5e-18 of the result); 2^n added to the exponent bits.
     * Below {@link #DOUBLE_EXP_UNDERFLOW} (and for −∞) the result is 0. Only adds, multiplies and fused multiply-adds:
     * every lane is the same in the interpreter and in compiled code.
     */
    static DoubleVector exp(DoubleVector x) {
        VectorMask<Double> tiny = x.lt(DOUBLE_EXP_UNDERFLOW);
        DoubleVector clamped = x.max(DOUBLE_EXP_UNDERFLOW);
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
     * (a negative e) is outside the domain.
     */
    static DoubleVector log(DoubleVector x) {
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
        return e.lanewise(VectorOperators.FMA, LN2_HI, e.lanewise(VectorOperators.FMA, LN2_LO, lnM));
    }
}
