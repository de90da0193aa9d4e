package org.softmax4j.engine;

import org.softmax4j.data.Dataset;

/**
 * Evaluates the log-likelihood of softmax regression and its gradient on one bound data set. Made by
 * {@link Engine#bind}. Every engine's evaluator keeps the same contract, which {@code EvaluatorContractTest} checks
 * for each of them (the CPU scalar and SIMD paths, the CUDA fused and unfused paths) on the same awkward shapes:
 *
 * <ul>
 * <li><b>What it computes.</b> With the example weights ω_n given at {@link Engine#bind(Dataset, double[])} (all 1
 * without), over the rows evaluated: L = Σ_n ω_n ln p_{n,y_n}, ∂L/∂W = Σ_n ω_n (y_n − p_n) x_nᵀ (K×D, row-major),
 * ∂L/∂b = Σ_n ω_n (y_n − p_n), and the count of rows whose arg-max logit is their label (not weighted). The
 * {@link Evaluation} also records how many rows were evaluated. Within float32 rounding of the double reference
 * ({@code DoubleReference}); the sums themselves are accumulated in double.</li>
 * <li><b>Which rows.</b> {@link #evaluate(Parameters, Evaluation)} takes every bound row. The batch form takes
 * {@code examples[from..to)}, indices into the bound data set, summed in the order given (an index may repeat); a
 * null {@code examples} means the bound rows {@code from..to} themselves. At most N rows at once.</li>
 * <li><b>What it checks.</b> A batch outside its array (or outside the N rows, for a null batch), a batch of more
 * than N rows, and an index outside 0..N−1 throw {@link IllegalArgumentException} before anything is computed; the
 * message names the position, the index and N ({@link #checkBatch}). Parameters or an evaluation of another shape
 * than the bound K×D, and a probabilities array that is not N×K, throw {@link IllegalArgumentException} too.</li>
 * <li><b>What is reused.</b> The evaluator allocates its buffers at bind; an evaluation allocates nothing. The
 * caller's {@link Evaluation} is overwritten whole by each call (never added to), and the caller's
 * {@link Parameters} are only read. One call at a time: an evaluator is not safe for concurrent use.</li>
 * <li><b>Closing</b> frees what bind allocated; closing twice does nothing.</li>
 * </ul>
 */
public interface Evaluator extends AutoCloseable {

    Dataset data();

    /** L(W, b) over every bound example, with its gradient and the count of correct arg-max predictions. */
    void evaluate(Parameters parameters, Evaluation out);

    /**
     * The same over the examples {@code examples[from..to)} (indices into the bound data set), for mini-batches, or
     * over the bound rows {@code from..to} when {@code examples} is null. The sum runs in the order given.
     *
     * @throws IllegalArgumentException as {@link #checkBatch} says
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

    /**
     * The batch check of the contract, the same for every engine: {@code [from, to)} inside {@code examples} (inside
     * the {@code numExamples} bound rows when it is null), at most {@code numExamples} rows, and every index in
     * 0..numExamples−1.
     *
     * @throws IllegalArgumentException naming the position, the index and N
     */
    static void checkBatch(int numExamples, int[] examples, int from, int to) {
        int length = examples == null ? numExamples : examples.length;
        if (from < 0 || from > to || to > length) {
            throw new IllegalArgumentException("batch [" + from + ", " + to + ") is outside the " + (examples == null
                    ? numExamples + " bound examples" : length + " indices given"));
        }
        if (to - from > numExamples) {
            throw new IllegalArgumentException("batch [" + from + ", " + to + ") has " + (to - from)
                    + " examples, more than the " + numExamples + " bound (at most N at once)");
        }
        if (examples == null) {
            return;
        }
        for (int i = from; i < to; i++) {
            if (examples[i] < 0 || examples[i] >= numExamples) {
                throw new IllegalArgumentException("examples[" + i + "] is " + examples[i] + ", expected an index in 0.."
                        + (numExamples - 1) + " (N = " + numExamples + ")");
            }
        }
    }
}
