package org.softmax4j.train;

/** Told about every iteration as it happens, e.g. to draw a progress bar. */
@FunctionalInterface
public interface TrainingListener {
    TrainingListener NONE = (record, maxIterations) -> { };

    void onIteration(IterationRecord record, int maxIterations);

    /** Told once, before iteration 0, which step a first-order solver takes (for auto: the η chosen and why). */
    default void onStep(StepReport step) {
    }
}
