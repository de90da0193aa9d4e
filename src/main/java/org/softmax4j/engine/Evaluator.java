package org.softmax4j.engine;

import org.softmax4j.data.Dataset;

/**
 * Evaluates the log-likelihood of softmax regression and its gradient on one bound data set. Made by
 * {@link Engine#bind}; all buffers it needs are allocated there, so an evaluation allocates nothing.
 */
public interface Evaluator extends AutoCloseable {

    Dataset data();

    /** L(W, b) over every bound example, with its gradient and the count of correct arg-max predictions. */
    void evaluate(Parameters parameters, Evaluation out);

    /**
     * The same over the examples {@code examples[from..to)} (indices into the bound data set), for mini-batches.
     * The sum runs in the order given.
     */
    void evaluate(Parameters parameters, int[] examples, int from, int to, Evaluation out);

    /** Class probabilities softmax(W x_n + b) of every bound example, into {@code out} (N×K, row-major). */
    void probabilities(Parameters parameters, float[] out);

    /**
     * Whether the engine's {@link DoublePrecisionEvaluator} of the same data costs about what this evaluator does, so
     * that a solver that finishes in double may as well start in it (true on the CPU engine, where both run on the same
     * processors; false where this evaluator runs on a GPU).
     */
    default boolean doublePrecisionCostsTheSame() {
        return false;
    }

    @Override
    void close();
}
