package org.softmax4j.train;

/**
 * The state after one iteration (iteration 0 is the starting point): the objective F = L − (λ/2)‖W‖², the
 * log-likelihood L, the gradient norm ‖∇F‖₂ / N (per example, so that one tolerance fits every N) and the training
 * accuracy, all over the whole training set, and the seconds since training began.
 */
public record IterationRecord(int iteration, double objective, double logLikelihood, double gradientNorm,
                              double trainAccuracy, double seconds) {
}
