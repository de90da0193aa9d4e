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
}
