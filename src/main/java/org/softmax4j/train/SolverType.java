package org.softmax4j.train;

import java.util.Locale;

/** The optimiser, as chosen by {@code --solver}; {@link #id()} is the option's value. */
public enum SolverType {
    /** Gradient ascent with a fixed step (full batch, or plain mini-batches): the textbook loop. */
    ASCENT("ascent"),
    /** Limited-memory BFGS with a strong-Wolfe line search, for L2 or no penalty. */
    LBFGS("lbfgs"),
    /** Orthant-wise L-BFGS (Andrew and Gao, 2007) for L1 and elastic net. */
    OWLQN("owlqn"),
    /**
     * Newton's method for L2 or no penalty: the direction from the Hessian of a sample of rows (all of them up to
     * {@code SampledHessian.SAMPLE_ROWS}), factored; for models of at most {@code SampledHessian.MOST_PARAMETERS}
     * parameters.
     */
    NEWTON("newton"),
    /** Mini-batch ascent with (Nesterov) momentum and a learning-rate schedule. */
    SGD("sgd"),
    /** Adam (Kingma and Ba, 2015) on mini-batches. */
    ADAM("adam");

    private final String id;

    SolverType(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Full-batch (quasi-)Newton: converges on max|∂F| and may polish in double. */
    public boolean isQuasiNewton() {
        return this == LBFGS || this == OWLQN || this == NEWTON;
    }

    public static SolverType parse(String text) {
        for (SolverType type : values()) {
            if (type.id.equals(text.toLowerCase(Locale.ROOT))) {
                return type;
            }
        }
        throw new IllegalArgumentException("solver is \"" + text + "\", expected ascent, lbfgs, owlqn, newton, sgd or adam");
    }
}
