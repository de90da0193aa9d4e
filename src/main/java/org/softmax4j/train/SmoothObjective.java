package org.softmax4j.train;

import org.softmax4j.engine.DoublePrecisionEvaluator;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;

/**
 * The smooth part of F on a double vector θ = [W (K×D), b (K)]: F_s(θ) = L(θ) − λ(1−α)/2·Σ_kj f2_j·w_kj² and ∇F_s
 * (f2 the L2 factors of {@link PenaltyFactors}), for the quasi-Newton solvers (the L1 part, λα·Σ_kj f1_j·|w_kj|, is
 * theirs to handle). L comes from the engine (θ rounded to float, the
 * buffers allocated once) or, after {@link #switchToDouble()}, from the double-precision evaluator. Without a bias θ is
 * W alone (K·D values): the evaluators get b = 0, and their bias gradient is dropped.
 */
final class SmoothObjective {
    private final Evaluator evaluator;
    private final DoublePrecisionEvaluator doubleEvaluator;
    private final double l2;
    /** f2, one per feature (all 1 without factors: 1·w is w, bit for bit). */
    private final double[] l2Factors;
    private final int numWeights;
    private final int dimension;
    private final Parameters scratch;
    private final Evaluation evaluation;
    private final int numExamples;
    private final boolean noBias;
    /** Without a bias: θ with b = 0 appended, and the gradient over both, for the double evaluator. */
    private final double[] fullPoint;
    private final double[] fullGradient;
    private boolean inDouble;
    private double logLikelihood;
    private long numCorrect;
    private int evaluations;

    /** @param doubleEvaluator for the polish, or null to use the engine only */
    SmoothObjective(Evaluator evaluator, DoublePrecisionEvaluator doubleEvaluator, double lambda, double alpha) {
        this(evaluator, doubleEvaluator, lambda, alpha, false);
    }

    /** @param noBias whether θ is W alone, b being fixed at 0 */
    SmoothObjective(Evaluator evaluator, DoublePrecisionEvaluator doubleEvaluator, double lambda, double alpha,
                    boolean noBias) {
        this(evaluator, doubleEvaluator, lambda, alpha, noBias, PenaltyFactors.none());
    }

    /**
     * @param factors the penalty factors (their f2 here; f1 is the solver's)
     */
    SmoothObjective(Evaluator evaluator, DoublePrecisionEvaluator doubleEvaluator, double lambda, double alpha,
                    boolean noBias, PenaltyFactors factors) {
        this.evaluator = evaluator;
        this.noBias = noBias;
        this.doubleEvaluator = doubleEvaluator;
        this.l2 = lambda * (1 - alpha);
        int numClasses = evaluator.data().numClasses();
        int numFeatures = evaluator.data().numFeatures();
        this.numWeights = numClasses * numFeatures;
        this.dimension = noBias ? numWeights : numWeights + numClasses;
        this.fullPoint = noBias ? new double[numWeights + numClasses] : null;
        this.fullGradient = noBias ? new double[numWeights + numClasses] : null;
        this.scratch = new Parameters(numClasses, numFeatures);
        this.evaluation = new Evaluation(numClasses, numFeatures);
        this.numExamples = evaluator.data().numExamples();
        this.l2Factors = factors.l2Factors(numFeatures);
    }

    int dimension() {
        return dimension;
    }

    int numExamples() {
        return numExamples;
    }

    int numWeights() {
        return numWeights;
    }

    boolean noBias() {
        return noBias;
    }

    boolean canSwitchToDouble() {
        return doubleEvaluator != null && !inDouble;
    }

    boolean inDouble() {
        return inDouble;
    }

    void switchToDouble() {
        inDouble = true;
    }

    /** F_s(θ), with ∇F_s into {@code gradient}. */
    double evaluate(double[] point, double[] gradient) {
        evaluations++;
        if (inDouble && noBias) {
            System.arraycopy(point, 0, fullPoint, 0, numWeights);
            logLikelihood = doubleEvaluator.evaluate(fullPoint, fullGradient);
            System.arraycopy(fullGradient, 0, gradient, 0, numWeights);
            numCorrect = doubleEvaluator.numCorrect();
        } else if (inDouble) {
            logLikelihood = doubleEvaluator.evaluate(point, gradient);
            numCorrect = doubleEvaluator.numCorrect();
        } else {
            toParameters(point, scratch);
            evaluator.evaluate(scratch, evaluation);
            System.arraycopy(evaluation.gradWeights(), 0, gradient, 0, numWeights);
            System.arraycopy(evaluation.gradBias(), 0, gradient, numWeights, dimension - numWeights);
            logLikelihood = evaluation.logLikelihood();
            numCorrect = evaluation.numCorrect();
        }
        double squares = 0;
        int numFeatures = l2Factors.length;
        for (int i = 0; i < numWeights; i++) {
            double factor = l2Factors[i % numFeatures];
            squares += factor * point[i] * point[i];
            gradient[i] -= l2 * factor * point[i];
        }
        return logLikelihood - 0.5 * l2 * squares;
    }

    double logLikelihood() {
        return logLikelihood;
    }

    double accuracy() {
        return (double) numCorrect / numExamples;
    }

    int evaluations() {
        return evaluations;
    }

    /** θ rounded to float; a θ of W alone (K·D values) gives b = 0. */
    static void toParameters(double[] point, Parameters out) {
        float[] weights = out.weights();
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) point[i];
        }
        float[] bias = out.bias();
        boolean withBias = point.length > weights.length;
        for (int k = 0; k < bias.length; k++) {
            bias[k] = withBias ? (float) point[weights.length + k] : 0f;
        }
    }

    /** θ of this objective at {@code parameters}: [W, b], or W alone without a bias. */
    double[] pointOf(Parameters parameters) {
        if (noBias) {
            PenalizedLogLikelihood.checkZeroBias(parameters);
            double[] point = new double[numWeights];
            float[] weights = parameters.weights();
            for (int i = 0; i < numWeights; i++) {
                point[i] = weights[i];
            }
            return point;
        }
        return toPoint(parameters);
    }

    static double[] toPoint(Parameters parameters) {
        float[] weights = parameters.weights();
        float[] bias = parameters.bias();
        double[] point = new double[weights.length + bias.length];
        for (int i = 0; i < weights.length; i++) {
            point[i] = weights[i];
        }
        for (int k = 0; k < bias.length; k++) {
            point[weights.length + k] = bias[k];
        }
        return point;
    }
}
