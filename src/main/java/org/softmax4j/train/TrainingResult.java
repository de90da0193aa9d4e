package org.softmax4j.train;

import java.util.List;

import org.softmax4j.engine.Parameters;

/**
 * What training returns: the best parameters seen (highest F over the training set, or with a validation set the
 * highest validation log-likelihood), the record of the iteration they come from, the whole history, why it stopped,
 * the solver's id, what the last evaluations were computed with ("engine", or "double" after a double polish), and
 * whether the training data turned out separable without a penalty (then the log-likelihood has no maximum: it rises
 * towards 0 as the weights grow, and the weights returned are wherever the solver stopped), and for the first-order
 * solvers the step (null for lbfgs and owlqn), and for lbfgs and owlqn without a validation set the returned point
 * unrounded ({@link #point()}).
 *
 * @param point θ = [W, b] in double, K·D + K values, when {@link #parameters()} is the float rounding of a quasi-Newton
 *              solver's last point (no validation set), else null: at an optimum reached in double, rounding W to
 *              float32 alone moves max|∂F| by about N·max|x|·|W|·2⁻²⁴ (on 20,000 binary rows: from 9e-7 to 9e-5)
 */
public record TrainingResult(Parameters parameters, IterationRecord best, List<IterationRecord> history,
                             StopReason stopReason, String stopDetail, double seconds, String solver,
                             String precision, boolean separable, StepReport step, double[] point) {
    public TrainingResult {
        history = List.copyOf(history);
        point = point == null ? null : point.clone();
    }

    public TrainingResult(Parameters parameters, IterationRecord best, List<IterationRecord> history,
                          StopReason stopReason, String stopDetail, double seconds, String solver, String precision,
                          boolean separable, StepReport step) {
        this(parameters, best, history, stopReason, stopDetail, seconds, solver, precision, separable, step, null);
    }

    /** θ in double (a copy), or null; see the record's {@code point}. */
    @Override
    public double[] point() {
        return point == null ? null : point.clone();
    }

    public TrainingResult(Parameters parameters, IterationRecord best, List<IterationRecord> history,
                          StopReason stopReason, String stopDetail, double seconds, String solver, String precision) {
        this(parameters, best, history, stopReason, stopDetail, seconds, solver, precision, false, null);
    }

    public TrainingResult(Parameters parameters, IterationRecord best, List<IterationRecord> history,
                          StopReason stopReason, String stopDetail, double seconds, String solver, String precision,
                          boolean separable) {
        this(parameters, best, history, stopReason, stopDetail, seconds, solver, precision, separable, null);
    }

    public TrainingResult(Parameters parameters, IterationRecord best, List<IterationRecord> history,
                          StopReason stopReason, String stopDetail, double seconds, String solver, String precision,
                          StepReport step) {
        this(parameters, best, history, stopReason, stopDetail, seconds, solver, precision, false, step);
    }

    public TrainingResult(Parameters parameters, IterationRecord best, List<IterationRecord> history,
                          StopReason stopReason, String stopDetail, double seconds) {
        this(parameters, best, history, stopReason, stopDetail, seconds, SolverType.ASCENT.id(), "engine");
    }

    /**
     * Whether the run failed to train: it diverged, or it ran iterations and kept the starting weights as its best
     * (the CLI exits with code 5 after writing them).
     */
    public boolean failed() {
        return stopReason == StopReason.DIVERGED || (best.iteration() == 0 && iterations() > 0);
    }

    /** The number of iterations run (steps, or epochs of mini-batches). */
    public int iterations() {
        return history.get(history.size() - 1).iteration();
    }
}
