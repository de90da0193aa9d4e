package org.softmax4j.train;

/** Why training ended; {@link #id()} is the machine-readable form printed by {@code train --json}. */
public enum StopReason {
    /** The relative change of F, or the gradient norm (max|∂F| for lbfgs and owlqn), fell under the tolerance. */
    CONVERGED("converged"),
    /** The iteration limit was reached first. */
    MAX_ITERATIONS("max-iterations"),
    /** F or the weights became NaN or infinite, or F fell far below its best; the best weights were kept. */
    DIVERGED("diverged"),
    /**
     * The solver could not raise F any more (the line search found no better point) before the tolerance: the
     * precision of the evaluation is reached; the detail gives max|∂F| against the tolerance.
     */
    NO_PROGRESS("no-progress"),
    /** The validation log-likelihood did not improve for --patience iterations; the best weights were restored. */
    EARLY_STOPPING("early-stopping"),
    /**
     * A stop was asked for from outside (Ctrl-C or SIGTERM on the command line, {@link TrainingListener#stopRequested}
     * in the library): training ended after the iteration under way, with the best weights so far.
     */
    INTERRUPTED("interrupted");

    private final String id;

    StopReason(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
