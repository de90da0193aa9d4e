package org.softmax4j.train;

/**
 * The state after one iteration (iteration 0 is the starting point): the objective F = L − λ(α‖W‖₁ + (1−α)/2‖W‖²),
 * the log-likelihood L, the gradient norm ‖∇F‖₂ / N (per example, so that one tolerance fits every N), max|∂F| (for
 * L1 the minimum-norm subgradient, sum form), the training accuracy, all over the whole training set, the seconds
 * since training began, the log-likelihood of the validation set (NaN without one), and a certified bound on
 * F* − F where the solver gives one (ascent with the automatic step and λ &gt; 0, see {@link DualityGap}; NaN
 * otherwise).
 */
public record IterationRecord(int iteration, double objective, double logLikelihood, double gradientNorm,
                              double trainAccuracy, double seconds, double gradientMaxAbs,
                              double validationLogLikelihood, double optimalityGap) {

    /** A record without a bound on F* − F. */
    public IterationRecord(int iteration, double objective, double logLikelihood, double gradientNorm,
                           double trainAccuracy, double seconds, double gradientMaxAbs,
                           double validationLogLikelihood) {
        this(iteration, objective, logLikelihood, gradientNorm, trainAccuracy, seconds, gradientMaxAbs,
                validationLogLikelihood, Double.NaN);
    }

    /** A record without max|∂F| or validation (both NaN). */
    public IterationRecord(int iteration, double objective, double logLikelihood, double gradientNorm,
                           double trainAccuracy, double seconds) {
        this(iteration, objective, logLikelihood, gradientNorm, trainAccuracy, seconds, Double.NaN, Double.NaN,
                Double.NaN);
    }
}
