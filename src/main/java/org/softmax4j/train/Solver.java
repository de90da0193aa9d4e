package org.softmax4j.train;

import org.softmax4j.engine.Parameters;

/**
 * An optimiser as the training loop sees it: it owns the current point, moves it one iteration at a time and knows F,
 * its gradient and the training accuracy there (over the whole training set). The loop, not the solver, decides when
 * to stop and keeps the history.
 */
interface Solver {

    /** N, the number of training examples. */
    int numExamples();

    /** Evaluates the starting point. */
    void start();

    /**
     * Writes what the iterations to come depend on, between two iterations, for a {@link Checkpoint}: a solver made
     * with the same settings and data that {@link #restoreState restores} it continues bit for bit as this one would.
     */
    void saveState(StateFields state);

    /** In place of {@link #start()}: returns to a state {@link #saveState} wrote. */
    void restoreState(StateFields state);

    /** One iteration. Returns null when the point moved, else a sentence saying why it could not. */
    String iterate();

    /** How many of the user's iterations (steps, epochs) the last {@link #iterate()} took; 1 but for batched solvers. */
    default int stepsInLastIteration() {
        return 1;
    }

    /** The current point, rounded to float; live, overwritten by the next iteration. */
    Parameters parameters();

    /** Whether every entry of the current point is finite. */
    default boolean parametersFinite() {
        return parameters().isFinite();
    }

    /**
     * Whether the solver keeps its best point itself ({@link #best()}), so that the loop need not copy each better
     * point: a solver whose point lives in the engine ({@link ResidentSafeguardedSolver}), where {@link #parameters()}
     * is a copy from the device. Its best is the loop's: the point of highest F (finite), the start included.
     */
    default boolean keepsBest() {
        return false;
    }

    /** The best point, when {@link #keepsBest()}. */
    default Parameters best() {
        throw new UnsupportedOperationException("the training loop keeps the best point of this solver");
    }

    double objective();

    double logLikelihood();

    /** ‖∇F‖₂ (the pseudo-gradient for L1). */
    double gradientNorm();

    /** max|∂F| (the pseudo-gradient for L1). */
    double gradientMaxAbs();

    double trainAccuracy();

    /** A certified bound on F* − F at the current point, or NaN when the solver has none. */
    default double optimalityGap() {
        return Double.NaN;
    }
}
