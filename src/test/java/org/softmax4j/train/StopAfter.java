package org.softmax4j.train;

/** A listener that asks to stop once iteration {@code after} is recorded, as Ctrl-C would: for checkpoint tests. */
public final class StopAfter implements TrainingListener {
    private final int after;
    private int last;

    public StopAfter(int after) {
        this.after = after;
    }

    @Override
    public void onIteration(IterationRecord record, int maxIterations) {
        last = record.iteration();
    }

    @Override
    public String stopRequested() {
        return last >= after ? "stopped by the test" : null;
    }
}
