package org.softmax4j;

import org.softmax4j.train.SolverType;

/** How {@link SoftmaxRegression} maximises the penalised log-likelihood; the CLI's {@code --solver}. */
public enum Solver {
    /** Gradient ascent (with {@code learningRate("auto")}: the step from the data's curvature, Nesterov momentum). */
    ASCENT(SolverType.ASCENT),
    /** Limited-memory BFGS: few iterations, the usual choice for full-batch L2 problems. */
    LBFGS(SolverType.LBFGS),
    /** Orthant-wise L-BFGS: for an L1 share of the penalty ({@code alpha} above 0). */
    OWLQN(SolverType.OWLQN),
    /**
     * Newton's method with the Hessian of a sample of rows: the fewest iterations for L2 problems of at most 1,500
     * parameters (K·(D+1)), such as many rows of few features.
     */
    NEWTON(SolverType.NEWTON),
    /** Stochastic gradient ascent with momentum over mini-batches ({@code batchSize}). */
    SGD(SolverType.SGD),
    /** Adam over mini-batches. */
    ADAM(SolverType.ADAM);

    private final SolverType type;

    Solver(SolverType type) {
        this.type = type;
    }

    SolverType type() {
        return type;
    }
}
