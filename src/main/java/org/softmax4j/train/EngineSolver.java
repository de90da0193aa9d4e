package org.softmax4j.train;

import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Parameters;

/**
 * What the solvers that evaluate through the engine share: the objective, and F, its gradient and the accuracy at the
 * current point, read from the last full evaluation.
 */
abstract class EngineSolver implements Solver {
    protected final PenalizedLogLikelihood objective;
    protected final Evaluation evaluation;
    protected final int numExamples;
    /** F at the current point, from the last full evaluation. */
    protected double value;

    EngineSolver(PenalizedLogLikelihood objective, Parameters start) {
        this.objective = objective;
        this.evaluation = new Evaluation(start.numClasses(), start.numFeatures());
        this.numExamples = objective.numExamples();
    }

    /** Evaluates F, its gradient and the accuracy at the current point. */
    protected final void evaluateCurrent() {
        value = objective.evaluate(parameters(), evaluation);
    }

    @Override
    public final int numExamples() {
        return numExamples;
    }

    @Override
    public void start() {
        evaluateCurrent();
    }

    @Override
    public final double objective() {
        return value;
    }

    @Override
    public final double logLikelihood() {
        return evaluation.logLikelihood();
    }

    @Override
    public final double gradientNorm() {
        return PenalizedLogLikelihood.gradientNorm(evaluation);
    }

    @Override
    public final double gradientMaxAbs() {
        return PenalizedLogLikelihood.gradientMaxAbs(evaluation);
    }

    @Override
    public final double trainAccuracy() {
        return evaluation.accuracy();
    }
}
