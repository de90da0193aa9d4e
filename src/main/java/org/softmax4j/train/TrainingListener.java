package org.softmax4j.train;

/** Told about every iteration as it happens, e.g. to draw a progress bar. */
@FunctionalInterface
public interface TrainingListener {
    TrainingListener NONE = (record, maxIterations) -> { };

    void onIteration(IterationRecord record, int maxIterations);

    /** Told once, before iteration 0, which step a first-order solver takes (for auto: the η chosen and why). */
    default void onStep(StepReport step) {
    }

    /**
     * Asked after every iteration (from the training thread): null to go on, or why to stop now, which ends training
     * with {@link StopReason#INTERRUPTED}, the best weights so far and this text in the stop's detail. Implementations
     * read a flag another thread sets (a signal handler, a UI button); they must not block.
     */
    default String stopRequested() {
        return null;
    }
}
