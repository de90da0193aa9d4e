package org.softmax4j.engine;

import org.softmax4j.data.Dataset;

/**
 * The log-likelihood of softmax regression and its gradient computed entirely in double precision, on a double
 * vector θ = [W (K×D, row-major), b (K)], for one bound data set and its example weights. Made by
 * {@link Engine#bindDoublePrecision}, so it runs on the threads the engine was opened with; the quasi-Newton solvers
 * use it for their last iterations, where the float32 rounding of an {@link Evaluator} puts a floor under the gradient
 * they can measure. The result does not depend on the thread count. An evaluation allocates nothing.
 */
public interface DoublePrecisionEvaluator extends AutoCloseable {

    Dataset data();

    /** K·D + K: the length of θ and of the gradient. */
    int dimension();

    /** The threads it evaluates with (the caller's included). */
    int threads();

    /**
     * L(θ) = Σ_n ω_n ln p_{n,y_n} over every bound example; ∂L/∂θ into {@code gradient} (same layout as θ).
     *
     * @throws IllegalArgumentException when {@code point} or {@code gradient} does not have {@link #dimension()}
     *                                  values
     */
    double evaluate(double[] point, double[] gradient);

    /** How many examples the arg-max of the logits classified correctly in the last {@link #evaluate}. */
    long numCorrect();

    @Override
    void close();
}
