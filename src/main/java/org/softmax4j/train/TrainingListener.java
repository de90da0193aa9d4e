package org.softmax4j.train;

/** Told about every iteration as it happens, e.g. to draw a progress bar. */
@FunctionalInterface
public interface TrainingListener {
    TrainingListener NONE = (record, maxIterations) -> { };

    void onIteration(IterationRecord record, int maxIterations);
}
