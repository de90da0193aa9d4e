package org.softmax4j.engine.cpu;

import java.util.Arrays;

import org.softmax4j.data.Dataset;

/**
 * The log-likelihood and its gradient in plain double precision, one example and one feature at a time, straight from
 * the formulas. Slow and simple on purpose: it is the oracle the engines are tested against, and what
 * {@code gradcheck} differentiates numerically. Weights are K×D row-major, as everywhere.
 */
public final class DoubleReference {

    /**
     * A reference evaluation, with the scales against which a float32 result's rounding is judged: Σ_n |r_nk x_nj|
     * for each gradient entry, Σ_n |r_nk| for each bias entry, and Σ_n (|ln p_{n,y_n}| + max_k |z_nk|) for L.
     */
    public record Result(double logLikelihood, double[] gradWeights, double[] gradBias, double logLikelihoodScale,
                         double[] gradWeightsScale, double[] gradBiasScale) {
    }

    private DoubleReference() {
    }

    /** L(W, b) = Σ_n ln softmax_{y_n}(W x_n + b). */
    public static double logLikelihood(Dataset data, double[] weights, double[] bias) {
        return run(data, weights, bias, null, null, null, null, null, null);
    }

    /** L(W, b), with ∂L/∂W = Σ_n (y_n − p_n) x_nᵀ and ∂L/∂b = Σ_n (y_n − p_n) written into the last two arrays. */
    public static double logLikelihoodAndGradient(Dataset data, double[] weights, double[] bias,
                                                  double[] gradWeights, double[] gradBias) {
        return run(data, weights, bias, null, gradWeights, gradBias, null, null, null);
    }

    /** Everything: L, its gradient and the rounding scales. */
    public static Result evaluate(Dataset data, double[] weights, double[] bias) {
        return evaluate(data, weights, bias, null);
    }

    /**
     * Everything, with example weights: L = Σ_n ω_n ln p_{n,y_n}, ∂L/∂W = Σ_n ω_n (y_n − p_n) x_nᵀ, ∂L/∂b = Σ_n ω_n
     * (y_n − p_n), each scale summed over the weighted terms (ω_n (|ln p_n| + max_k |z_nk|) for L).
     *
     * @param exampleWeights ω_n, one per example, or null for every ω_n = 1
     */
    public static Result evaluate(Dataset data, double[] weights, double[] bias, double[] exampleWeights) {
        if (exampleWeights != null && exampleWeights.length != data.numExamples()) {
            throw new IllegalArgumentException("example weights has " + exampleWeights.length + " values, expected "
                    + data.numExamples());
        }
        double[] gradWeights = new double[weights.length];
        double[] gradBias = new double[bias.length];
        double[] scaleWeights = new double[weights.length];
        double[] scaleBias = new double[bias.length];
        double[] scaleLogLikelihood = new double[1];
        double logLikelihood = run(data, weights, bias, exampleWeights, gradWeights, gradBias, scaleWeights,
                scaleBias, scaleLogLikelihood);
        return new Result(logLikelihood, gradWeights, gradBias, scaleLogLikelihood[0], scaleWeights, scaleBias);
    }

    private static double run(Dataset data, double[] weights, double[] bias, double[] exampleWeights,
                              double[] gradWeights, double[] gradBias, double[] scaleWeights, double[] scaleBias,
                              double[] scaleLogLikelihood) {
        int numClasses = data.numClasses();
        int numFeatures = data.numFeatures();
        if (weights.length != numClasses * numFeatures || bias.length != numClasses) {
            throw new IllegalArgumentException("weights " + weights.length + " and bias " + bias.length
                    + ", expected " + numClasses + "x" + numFeatures + " and " + numClasses);
        }
        if (gradWeights != null) {
            Arrays.fill(gradWeights, 0.0);
            Arrays.fill(gradBias, 0.0);
        }
        double[] x = new double[numFeatures];
        double[] z = new double[numClasses];
        double logLikelihood = 0;
        double logLikelihoodScale = 0;
        for (int n = 0; n < data.numExamples(); n++) {
            for (int j = 0; j < numFeatures; j++) {
                x[j] = data.feature(n, j);
            }
            double max = Double.NEGATIVE_INFINITY;
            double maxAbs = 0;
            for (int k = 0; k < numClasses; k++) {
                double s = bias[k];
                for (int j = 0; j < numFeatures; j++) {
                    s += weights[k * numFeatures + j] * x[j];
                }
                z[k] = s;
                max = Math.max(max, s);
                maxAbs = Math.max(maxAbs, Math.abs(s));
            }
            double sum = 0;
            for (int k = 0; k < numClasses; k++) {
                sum += Math.exp(z[k] - max);
            }
            double logSum = max + Math.log(sum);
            int label = data.label(n);
            double omega = exampleWeights == null ? 1.0 : exampleWeights[n];
            double term = omega * (z[label] - logSum);
            logLikelihood += term;
            logLikelihoodScale += Math.abs(term) + omega * maxAbs;
            if (gradWeights == null) {
                continue;
            }
            for (int k = 0; k < numClasses; k++) {
                double residual = omega * ((k == label ? 1.0 : 0.0) - Math.exp(z[k] - logSum));
                gradBias[k] += residual;
                for (int j = 0; j < numFeatures; j++) {
                    gradWeights[k * numFeatures + j] += residual * x[j];
                }
                if (scaleWeights != null) {
                    scaleBias[k] += Math.abs(residual);
                    for (int j = 0; j < numFeatures; j++) {
                        scaleWeights[k * numFeatures + j] += Math.abs(residual * x[j]);
                    }
                }
            }
        }
        if (scaleLogLikelihood != null) {
            scaleLogLikelihood[0] = logLikelihoodScale;
        }
        return logLikelihood;
    }
}
