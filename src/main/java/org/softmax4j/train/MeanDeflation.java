package org.softmax4j.train;

import org.softmax4j.data.Dataset;

/**
 * The preconditioner of the quasi-Newton solvers for the model without a bias, where {@link Centering} does not apply
 * (it moves Wμ into the bias). Row k of the Hessian of L is −Σ_n p_nk(1 − p_nk)·x_n x_nᵀ plus cross-class terms, and
 * Σ_n x_n x_nᵀ / N = C + μμᵀ (C the features' covariance, μ their mean): uncentred features add the rank-one μμᵀ, whose
 * direction (every weight of a row moving with the feature means) is the stiff one. With the scalar σ² = tr(C)/D,
 * <pre>
 *   M = (σ² I + μμᵀ)⁻¹ · σ²  =  I − μμᵀ / (σ² + ‖μ‖²)      (Sherman–Morrison, applied to each row of W)
 * </pre>
 * shrinks that direction by σ²/(σ² + ‖μ‖²) and leaves the others alone. M is symmetric positive definite, so the
 * optimum does not move; only the path does. OWL-QN's held weights are left out: μ restricted to the free weights of
 * the row (still positive definite).
 */
final class MeanDeflation implements InitialInverseHessian {
    private final double[] means;
    private final double variance;
    private final int numClasses;
    private final int numFeatures;

    MeanDeflation(double[] means, double variance, int numClasses) {
        if (!(variance > 0)) {
            throw new IllegalArgumentException("variance is " + variance + ", expected > 0");
        }
        this.means = means.clone();
        this.variance = variance;
        this.numClasses = numClasses;
        this.numFeatures = means.length;
    }

    /** μ and σ² = tr(C)/D of the features, weighted by {@code exampleWeights} (null: each example 1). */
    static MeanDeflation of(Dataset data, double[] exampleWeights) {
        FeatureMoments moments = FeatureMoments.of(data, exampleWeights);
        int numFeatures = data.numFeatures();
        double[] means = moments.means();
        double trace = 0;
        if (moments.total() > 0) {
            for (int j = 0; j < numFeatures; j++) {
                trace += Math.max(0, moments.squares()[j] / moments.total() - means[j] * means[j]);
            }
        }
        // Constant features (σ² = 0): no curvature to model, M = I.
        double variance = trace > 0 ? trace / numFeatures : Double.MAX_VALUE;
        return new MeanDeflation(means, variance, data.numClasses());
    }

    @Override
    public void apply(double[] v, boolean[] fixed) {
        for (int k = 0; k < numClasses; k++) {
            int row = k * numFeatures;
            double dot = 0;
            double norm = 0;
            for (int j = 0; j < numFeatures; j++) {
                if (fixed == null || !fixed[row + j]) {
                    dot += means[j] * v[row + j];
                    norm += means[j] * means[j];
                }
            }
            double scale = dot / (variance + norm);
            for (int j = 0; j < numFeatures; j++) {
                if (fixed == null || !fixed[row + j]) {
                    v[row + j] -= scale * means[j];
                }
            }
        }
    }

    @Override
    public double norm2(double[] v, boolean[] fixed) {
        double sum = 0;
        for (int k = 0; k < numClasses; k++) {
            int row = k * numFeatures;
            double dot = 0;
            double norm = 0;
            for (int j = 0; j < numFeatures; j++) {
                double x = v[row + j];
                sum += x * x;
                if (fixed == null || !fixed[row + j]) {
                    dot += means[j] * x;
                    norm += means[j] * means[j];
                }
            }
            sum -= dot * dot / (variance + norm);
        }
        return sum;
    }
}
