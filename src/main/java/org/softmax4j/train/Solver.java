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
