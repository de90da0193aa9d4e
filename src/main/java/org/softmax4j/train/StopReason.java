package org.softmax4j.train;

/** Why training ended; {@link #id()} is the machine-readable form printed by {@code train --json}. */
public enum StopReason {
    /** The relative change of F, or the gradient norm, fell under the tolerance. */
    CONVERGED("converged"),
    /** The iteration limit was reached first. */
    MAX_ITERATIONS("max-iterations"),
    /** F or the weights became NaN or infinite, or F fell far below its best; the best weights were kept. */
    DIVERGED("diverged");

    private final String id;

    StopReason(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}
