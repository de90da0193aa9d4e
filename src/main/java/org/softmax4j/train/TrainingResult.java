package org.softmax4j.train;

import java.util.List;

import org.softmax4j.engine.Parameters;

/**
 * What training returns: the best parameters seen (highest F over the training set), the record of the iteration
 * they come from, the whole history, and why it stopped.
 */
public record TrainingResult(Parameters parameters, IterationRecord best, List<IterationRecord> history,
                             StopReason stopReason, String stopDetail, double seconds) {
    public TrainingResult {
        history = List.copyOf(history);
    }

    /** The number of iterations run (steps, or epochs of mini-batches). */
    public int iterations() {
        return history.get(history.size() - 1).iteration();
    }
}
