package org.softmax4j.engine.cpu;

/**
 * A faster evaluation in double for {@link DoubleEvaluator}: the same function (L(θ) = Σ_n ω_n ln p_{n, y_n} and its
 * gradient, θ = [W (K×D), b (K)]), computed with SIMD registers: {@link VectorDoubleDenseEvaluator} for dense rows,
 * {@link VectorDoubleBinaryEvaluator} for bit-packed ones. An interface, so that {@link DoubleEvaluator} loads without
 * the incubating Vector API module.
 */
interface DoubleSimdPath extends AutoCloseable {
    /** L(θ); ∂L/∂θ added into {@code gradient} (zeroed by the caller). */
    double evaluate(double[] point, double[] gradient);

    /** How many examples the arg-max of the logits classified correctly in the last {@link #evaluate}. */
    long numCorrect();

    @Override
    void close();
}
