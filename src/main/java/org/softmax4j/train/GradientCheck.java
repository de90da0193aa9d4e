package org.softmax4j.train;

import java.util.Locale;
import java.util.SplittableRandom;

import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.cpu.DoubleReference;

/**
 * Checks the gradient twice at random weights. First the formula: the analytic gradient ∂L/∂θ, in double, against
 * numerical differentiation of L in double (a fourth-order central difference,
 * [8(L(θ+h) − L(θ−h)) − (L(θ+2h) − L(θ−2h))] / 12h with h = 1e-3, whose error is far below the 1e-6 bound); its
 * relative error is |analytic − numeric| / max(|analytic|, |numeric|, 1e-3). Then the engine: its float32 gradient and
 * log-likelihood against the double ones, within the rounding of float32 arithmetic: |G − G_ref| ≤ 1e-5 · Σ_n |r_nk
 * x_nj| per entry and |L − L_ref| ≤ 1e-6 · Σ_n (|ln p_{n,y_n}| + max_k |z_nk|) (the rounding of each term grows with
 * the size of the logits it is computed from).
 * <p>
 * With a penalty ({@link #run(Engine, Dataset, long, int, boolean, double, PenaltyFactors)}, λ &gt; 0) both checks are
 * of F = L − (λ/2)·Σ_kj f2_j·w_kj² instead of L: the formula's gradient ∂L/∂θ − λ·f2∘W against differences of F, and
 * the engine's ∇F as {@link PenalizedLogLikelihood} forms it (with the penalty factors) against it, the penalty's
 * λ·f2_j·|w| added to each entry's scale.
 */
public final class GradientCheck {
    /** Largest relative error of the formula check that passes. */
    public static final double MAX_RELATIVE_ERROR = 1e-6;
    /** Largest engine error, per entry, in units of Σ_n |r_nk x_nj|. */
    public static final double ENGINE_GRADIENT_TOLERANCE = 1e-5;
    /** Largest error of the engine's log-likelihood, in units of Σ_n (|ln p_{n,y_n}| + max_k |z_nk|). */
    public static final double ENGINE_LOG_LIKELIHOOD_TOLERANCE = 1e-6;
    /** Entries of the gradient below this are compared absolutely. */
    public static final double ABSOLUTE_FLOOR = 1e-3;
    private static final double STEP = 1e-3;

    /** The analytic gradient under test: fills ∂L/∂W and ∂L/∂b at (W, b) and returns L. */
    @FunctionalInterface
    public interface GradientFunction {
        double evaluate(Dataset data, double[] weights, double[] bias, double[] gradWeights, double[] gradBias);
    }

    /**
     * @param maxRelativeError largest relative error of the analytic gradient against numerical differences
     * @param worstParameter where it occurred, e.g. {@code W[3][17]} or {@code b[2]}
     * @param engineGradientError largest |G − G_ref| / Σ|r x| of the engine's gradient (NaN without an engine)
     * @param engineLogLikelihoodError |L − L_ref| / Σ_n (|ln p| + max|z|) of the engine (NaN without an engine)
     * @param numChecked how many parameters were differentiated numerically
     */
    public record Result(double maxRelativeError, String worstParameter, double analytic, double numeric,
                         double engineGradientError, double engineLogLikelihoodError, int numChecked,
                         int numExamples, boolean passed) {
        public String summary() {
            String text = String.format(Locale.ROOT,
                    "max relative error %.3e at %s (analytic %.10g, numeric %.10g) over %d parameters, %d examples",
                    maxRelativeError, worstParameter, analytic, numeric, numChecked, numExamples);
            if (!Double.isNaN(engineGradientError)) {
                text += String.format(Locale.ROOT, "; engine gradient error %.3e (limit %.0e), log-likelihood "
                                + "error %.3e (limit %.0e)", engineGradientError, ENGINE_GRADIENT_TOLERANCE,
                        engineLogLikelihoodError, ENGINE_LOG_LIKELIHOOD_TOLERANCE);
            }
            return text + (passed ? ": passed" : ": FAILED");
        }
    }

    private GradientCheck() {
    }

    /**
     * Checks the formula and the engine on {@code data} at weights drawn from N(0, 0.1²) by {@code seed}. At most
     * {@code maxParameters} parameters (chosen by the seed when there are more) are differentiated numerically.
     */
    public static Result run(Engine engine, Dataset data, long seed, int maxParameters) {
        return run(engine, data, seed, maxParameters, false);
    }

    /**
     * As {@link #run(Engine, Dataset, long, int)}; with {@code noBias}, the model without a bias: b = 0, and both
     * checks cover W alone (the parameters differentiated numerically are weights only).
     */
    public static Result run(Engine engine, Dataset data, long seed, int maxParameters, boolean noBias) {
        return run(engine, data, seed, maxParameters, noBias, 0, PenaltyFactors.none());
    }

    /**
     * As {@link #run(Engine, Dataset, long, int, boolean)}, of F with the penalty (λ/2)·Σ_kj f2_j·w_kj² (λ = 0: of L
     * alone, as there).
     */
    public static Result run(Engine engine, Dataset data, long seed, int maxParameters, boolean noBias, double lambda,
                             PenaltyFactors factors) {
        Parameters parameters = Parameters.random(data.numClasses(), data.numFeatures(), 0.1, seed);
        if (noBias) {
            java.util.Arrays.fill(parameters.bias(), 0f);
        }
        int numClasses = data.numClasses();
        int numFeatures = data.numFeatures();
        double[] l2Factors = factors.l2Factors(numFeatures);
        Result formula = checkFormula(data, parameters, DoubleReference::logLikelihoodAndGradient, seed,
                maxParameters, noBias, lambda, l2Factors);
        double[] weights = toDouble(parameters.weights());
        double[] bias = toDouble(parameters.bias());
        DoubleReference.Result reference = DoubleReference.evaluate(data, weights, bias);
        Evaluation evaluation = new Evaluation(numClasses, numFeatures);
        double objective;
        try (Evaluator evaluator = engine.bind(data)) {
            objective = new PenalizedLogLikelihood(evaluator, lambda, noBias, factors).evaluate(parameters,
                    evaluation);
        }
        double gradientError = 0;
        double penaltyValue = 0;
        for (int i = 0; i < weights.length; i++) {
            double penalty = lambda * l2Factors[i % numFeatures];
            penaltyValue += 0.5 * penalty * weights[i] * weights[i];
            gradientError = Math.max(gradientError,
                    scaledError(evaluation.gradWeights()[i], reference.gradWeights()[i] - penalty * weights[i],
                            reference.gradWeightsScale()[i] + penalty * Math.abs(weights[i])));
        }
        for (int k = 0; k < (noBias ? 0 : numClasses); k++) {
            gradientError = Math.max(gradientError,
                    scaledError(evaluation.gradBias()[k], reference.gradBias()[k], reference.gradBiasScale()[k]));
        }
        double logLikelihoodError = scaledError(objective, reference.logLikelihood() - penaltyValue,
                reference.logLikelihoodScale() + penaltyValue);
        boolean passed = formula.passed() && gradientError <= ENGINE_GRADIENT_TOLERANCE
                && logLikelihoodError <= ENGINE_LOG_LIKELIHOOD_TOLERANCE;
        return new Result(formula.maxRelativeError(), formula.worstParameter(), formula.analytic(),
                formula.numeric(), gradientError, logLikelihoodError, formula.numChecked(), data.numExamples(),
                passed);
    }

    private static double scaledError(double actual, double expected, double scale) {
        double error = Math.abs(actual - expected);
        if (Double.isNaN(error)) {
            return Double.POSITIVE_INFINITY;
        }
        return error == 0 ? 0 : error / scale;
    }

    /** The formula check alone, for any analytic gradient (tests plant wrong ones to see it fail). */
    public static Result checkFormula(Dataset data, Parameters parameters, GradientFunction analytic, long seed,
                                      int maxParameters) {
        return checkFormula(data, parameters, analytic, seed, maxParameters, false);
    }

    /** The formula check; with {@code noBias}, over W alone (the bias is left as given, 0 for such a model). */
    public static Result checkFormula(Dataset data, Parameters parameters, GradientFunction analytic, long seed,
                                      int maxParameters, boolean noBias) {
        return checkFormula(data, parameters, analytic, seed, maxParameters, noBias, 0, null);
    }

    /** The formula check of F = L − (λ/2)·Σ_kj f2_j·w_kj² ({@code l2Factors} null: all 1). */
    private static Result checkFormula(Dataset data, Parameters parameters, GradientFunction analytic, long seed,
                                       int maxParameters, boolean noBias, double lambda, double[] l2Factors) {
        int numClasses = data.numClasses();
        int numFeatures = data.numFeatures();
        double[] weights = toDouble(parameters.weights());
        double[] bias = toDouble(parameters.bias());
        double[] gradWeights = new double[weights.length];
        double[] gradBias = new double[bias.length];
        analytic.evaluate(data, weights, bias, gradWeights, gradBias);
        double[] penalties = new double[numFeatures];
        for (int j = 0; j < numFeatures; j++) {
            penalties[j] = lambda * (l2Factors == null ? 1 : l2Factors[j]);
        }
        for (int i = 0; i < weights.length; i++) {
            gradWeights[i] -= penalties[i % numFeatures] * weights[i];
        }

        int total = weights.length + (noBias ? 0 : bias.length);
        int[] chosen = choose(total, Math.min(total, maxParameters), seed);
        double worstError = -1;
        String worst = "";
        double worstAnalytic = 0;
        double worstNumeric = 0;
        for (int index : chosen) {
            boolean isWeight = index < weights.length;
            double[] target = isWeight ? weights : bias;
            int i = isWeight ? index : index - weights.length;
            double numeric = numericDerivative(data, weights, bias, target, i, penalties);
            double exact = isWeight ? gradWeights[i] : gradBias[i];
            double error = Math.abs(exact - numeric)
                    / Math.max(Math.max(Math.abs(exact), Math.abs(numeric)), ABSOLUTE_FLOOR);
            if (Double.isNaN(error)) {
                error = Double.POSITIVE_INFINITY;
            }
            if (error > worstError) {
                worstError = error;
                worst = isWeight ? "W[" + i / numFeatures + "][" + i % numFeatures + "]" : "b[" + i + "]";
                worstAnalytic = exact;
                worstNumeric = numeric;
            }
        }
        return new Result(worstError, worst, worstAnalytic, worstNumeric, Double.NaN, Double.NaN, chosen.length,
                data.numExamples(), worstError <= MAX_RELATIVE_ERROR);
    }

    /** ∂F/∂θ_i by differences, F = L − ½·Σ_i penalties[j(i)]·w_i². */
    private static double numericDerivative(Dataset data, double[] weights, double[] bias, double[] target, int i,
                                            double[] penalties) {
        double saved = target[i];
        double[] values = new double[4];
        double[] offsets = {STEP, -STEP, 2 * STEP, -2 * STEP};
        for (int s = 0; s < 4; s++) {
            target[i] = saved + offsets[s];
            values[s] = DoubleReference.logLikelihood(data, weights, bias);
            for (int w = 0; w < weights.length; w++) {
                values[s] -= 0.5 * penalties[w % penalties.length] * weights[w] * weights[w];
            }
        }
        target[i] = saved;
        return (8 * (values[0] - values[1]) - (values[2] - values[3])) / (12 * STEP);
    }

    /** {@code count} distinct indices of 0..total-1 in increasing order, all of them when count == total. */
    private static int[] choose(int total, int count, long seed) {
        int[] all = new int[total];
        for (int i = 0; i < total; i++) {
            all[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(total - i);
            int swap = all[i];
            all[i] = all[j];
            all[j] = swap;
        }
        int[] chosen = java.util.Arrays.copyOf(all, count);
        java.util.Arrays.sort(chosen);
        return chosen;
    }

    private static double[] toDouble(float[] values) {
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }
}
