package org.softmax4j.train;

/**
 * The step of a first-order run: the η chosen (given, or from {@link CurvatureBound} for {@code auto}), the η at the
 * end (smaller after halvings of the safeguard), how often F fell and the best weights were restored, how often η was
 * halved, how often the momentum restarted, and the curvature bound (null for a given η).
 */
public record StepReport(boolean auto, double chosen, double last, Acceleration acceleration, int falls, int halvings,
                         int restarts, CurvatureBound bound) {

    /** A fixed η, as given. */
    static StepReport fixed(double learningRate) {
        return new StepReport(false, learningRate, learningRate, Acceleration.NONE, 0, 0, 0, null);
    }
}
