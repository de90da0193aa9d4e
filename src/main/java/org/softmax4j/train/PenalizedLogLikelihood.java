package org.softmax4j.train;

import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;

/**
 * The objective: F(W, b) = L(W, b) − (λ/2)·Σ_k Σ_j f2_j·w_kj², maximised, f2 the L2 factors of
 * {@link PenaltyFactors} (all 1 without them: (λ/2)·‖W‖²). On a mini-batch of B of the N examples the penalty is
 * scaled by B/N, so that the batch objectives of one epoch add up to F. Without a bias ({@code noBias}) the
 * parameters' b must be 0 (the engines then compute the logits W x), F is F(W) = L(W, 0) − (λ/2)·‖W‖², and the bias
 * gradient the engine reports is replaced by zeros: every update rule then leaves b at 0, and the gradient's norm and
 * maximum cover W alone.
 */
public final class PenalizedLogLikelihood {
    private final Evaluator evaluator;
    private final double lambda;
    private final boolean noBias;
    private final PenaltyFactors factors;
    /** f2, or null when every factor is 1 (the plain penalty, computed as before factors existed). */
    private final double[] l2Factors;

    public PenalizedLogLikelihood(Evaluator evaluator, double lambda) {
        this(evaluator, lambda, false);
    }

    public PenalizedLogLikelihood(Evaluator evaluator, double lambda, boolean noBias) {
        this(evaluator, lambda, noBias, PenaltyFactors.none());
    }

    /** @param factors the L2 factors f2 of the penalty (its L1 factors play no part: the L1 penalty is OWL-QN's) */
    public PenalizedLogLikelihood(Evaluator evaluator, double lambda, boolean noBias, PenaltyFactors factors) {
        factors.checkFeatures(evaluator.data().numFeatures());
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda is " + lambda + ", expected a finite number >= 0");
        }
        this.evaluator = evaluator;
        this.lambda = lambda;
        this.noBias = noBias;
        this.factors = factors;
        this.l2Factors = factors.isUniform() ? null : factors.l2Factors(evaluator.data().numFeatures());
    }

    public PenaltyFactors factors() {
        return factors;
    }

    public boolean noBias() {
        return noBias;
    }

    public int numExamples() {
        return evaluator.data().numExamples();
    }

    public double lambda() {
        return lambda;
    }

    /** F over all examples; {@code out} receives L, ∇F (the penalty's gradient included) and the correct count. */
    public double evaluate(Parameters parameters, Evaluation out) {
        evaluator.evaluate(parameters, out);
        return penalize(parameters, out, 1.0);
    }

    /** F over the batch {@code examples[from..to)}, its penalty scaled by B/N. */
    public double evaluate(Parameters parameters, int[] examples, int from, int to, Evaluation out) {
        evaluator.evaluate(parameters, examples, from, to, out);
        return penalize(parameters, out, (double) (to - from) / numExamples());
    }

    private double penalize(Parameters parameters, Evaluation out, double share) {
        if (noBias) {
            checkZeroBias(parameters);
            java.util.Arrays.fill(out.gradBias(), 0.0);
        }
        double logLikelihood = out.logLikelihood();
        if (lambda == 0) {
            return logLikelihood;
        }
        double scaled = lambda * share;
        float[] weights = parameters.weights();
        double[] gradient = out.gradWeights();
        if (l2Factors == null) {
            for (int i = 0; i < weights.length; i++) {
                gradient[i] -= scaled * weights[i];
            }
            return logLikelihood - 0.5 * scaled * parameters.weightsSquaredNorm();
        }
        int numFeatures = l2Factors.length;
        double squares = 0;
        for (int i = 0; i < weights.length; i++) {
            double factor = l2Factors[i % numFeatures];
            gradient[i] -= scaled * factor * weights[i];
            squares += factor * weights[i] * weights[i];
        }
        return logLikelihood - 0.5 * scaled * squares;
    }

    /** Throws unless every b_k is 0 (either sign), as a model without a bias needs. */
    static void checkZeroBias(Parameters parameters) {
        float[] bias = parameters.bias();
        for (int k = 0; k < bias.length; k++) {
            if (bias[k] != 0) {
                throw new IllegalArgumentException("bias[" + k + "] is " + bias[k]
                        + ", expected 0 when training without a bias");
            }
        }
    }

    /** max|∂F| over W and b (W alone without a bias), from an evaluation made by this objective. */
    public static double gradientMaxAbs(Evaluation out) {
        double max = 0;
        for (double g : out.gradWeights()) {
            max = Math.max(max, Math.abs(g));
        }
        for (double g : out.gradBias()) {
            max = Math.max(max, Math.abs(g));
        }
        return max;
    }

    /** ‖∇F‖₂ over W and b (W alone without a bias), from an evaluation made by this objective. */
    public static double gradientNorm(Evaluation out) {
        double sum = 0;
        for (double g : out.gradWeights()) {
            sum += g * g;
        }
        for (double g : out.gradBias()) {
            sum += g * g;
        }
        return Math.sqrt(sum);
    }
}
