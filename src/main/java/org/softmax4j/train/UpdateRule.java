package org.softmax4j.train;

import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Parameters;

/** How one step moves the parameters, given ∇F of a batch. Solvers beyond plain ascent implement this. */
public interface UpdateRule {

    /**
     * Moves {@code parameters} uphill.
     *
     * @param gradient ∇F over the batch (as left in the evaluation by {@link PenalizedLogLikelihood})
     * @param batchSize B, the number of examples the gradient sums over
     */
    void ascend(Parameters parameters, Evaluation gradient, int batchSize);

    /**
     * What the next step depends on besides the parameters and the gradient (momentum, moments, the steps taken), for
     * a checkpoint: {@link #restore} of it continues as this rule would. An empty array for a rule without memory;
     * null (the default) for a rule that cannot say, which training with checkpoints refuses.
     */
    default double[] state() {
        return null;
    }

    /** Returns to a {@link #state()} of a rule made with the same settings. */
    default void restore(double[] state) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot restore a checkpointed state");
    }
}
