package org.softmax4j.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD twins of {@link Softmax} in float: {@link #exp} and {@link #log1p} lane by lane (the same operations in the
 * same order as the scalar ones, so each lane equals the scalar result bit for bit), and the softmax-with-residual of a
 * group of LANES examples across registers ({@link #residualsAcross(float[], float[], int[], int[], float[], float[],
 * int, int)}). The double softmax of bit-packed rows is plain Java ({@link PolynomialSoftmax}: why there). Only loaded
 * when jdk.incubator.vector is present (see {@link Vectors}).
 */
final class VectorSoftmax {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    private static final VectorSpecies<Integer> INT_SPECIES = VectorSpecies.of(int.class, SPECIES.vectorShape());

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
     * p_y = (z_y − max) − log1p(Σ_k e_k − 1) per lane, written over {@code labelLogits[at..at + LANES)}; {@code
     * rests[at..at + LANES)} is left holding log1p of what it held.
     */
    static void logLikelihoodsAcross(float[] labelLogits, float[] rests, int at) {
        log1p(rests, at);
        FloatVector labelLogit = FloatVector.fromArray(SPECIES, labelLogits, at);
        labelLogit.sub(FloatVector.fromArray(SPECIES, rests, at)).intoArray(labelLogits, at);
    }

    /**
     * {@link Softmax#log1p} lane by lane: ln(1 + x) for 0 ≤ x &lt; 2^24, to within 4.5 float ulps. In place, on {@code
     * values[at..at + LANES)}, so that no vector crosses this call (see {@link VectorDoubleSoftmax#log(double[], int)}:
     * where the JIT does not inline a call made once per call of its caller, a vector argument or result is boxed).
     */
    static void log1p(float[] values, int at) {
        FloatVector x = FloatVector.fromArray(SPECIES, values, at);
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
        lnU.mul(x.div(uMinusOne.blend(1f, exact))).blend(x, exact).intoArray(values, at);
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
}
