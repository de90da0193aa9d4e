package org.softmax4j.train;

import org.softmax4j.data.Dataset;

/**
 * Centring as a preconditioner of the quasi-Newton solvers. With μ the (example-weighted) mean of the features, the
 * logits W x + b equal W (x − μ) + b' with b' = b + Wμ, so F in the coordinates θ' = (W, b') is F(A θ'), where
 * A (W, b') = (W, b' − Wμ). Running L-BFGS on θ' is running it on θ with the initial inverse Hessian γ·A·Aᵀ in place of
 * γ·I (the two-loop recursion is otherwise unchanged), where
 * <pre>
 *   Aᵀ (g_W, g_b) = (g_W − g_b μᵀ, g_b)         M = A·Aᵀ:  r_W = g_W − g_b μᵀ,  r_b = g_b − r_W μ
 * </pre>
 * Since the bias is not penalised and W is the same in both coordinates (the same L2 norm, the same L1 norm and the
 * same orthants for OWL-QN), the optimum does not move; only the path does. Without centring, a feature that is on in
 * a fraction μ of the rows couples its weight with the bias (the Hessian's off-diagonal block has the size of its
 * diagonal), which is the slow direction of the uncentred problem.
 *
 * <p>OWL-QN holds the weights that sit at zero with a zero pseudo-gradient; moving the bias to compensate for their
 * (zeroed) step would be a step of its own, so {@link #apply(double[], boolean[])} leaves them out of A (still a
 * symmetric positive definite M). Measured on the digits (λ = 1, OWL-QN): 109 iterations against 398 with γ·I for
 * elastic net (α = 0.5), 155 against 339 for L1 (α = 1).
 */
final class Centering implements InitialInverseHessian {
    private final double[] means;
    private final int numClasses;
    private final int numFeatures;

    Centering(double[] means, int numClasses) {
        this.means = means.clone();
        this.numClasses = numClasses;
        this.numFeatures = means.length;
    }

    /** The means of the features, weighted by {@code exampleWeights} (null: each example 1). */
    static Centering of(Dataset data, double[] exampleWeights) {
        return new Centering(FeatureMoments.of(data, exampleWeights).means(), data.numClasses());
    }

    double[] means() {
        return means.clone();
    }

    /** v ← A·Aᵀ·v, for v = [W (K×D), b (K)]. */
    void apply(double[] v) {
        apply(v, null);
    }

    /** v ← A·Aᵀ·v with the weights where {@code fixed} is true left out of A (null: none). */
    @Override
    public void apply(double[] v, boolean[] fixed) {
        apply(v, fixed, means, null, numClasses, numFeatures);
    }

    /**
     * v ← A·S·Aᵀ·v with S = diag({@code scales}) on each row of weights (the bias unscaled; null: S = I), the weights
     * where {@code fixed} is true left out: the step of {@link Centering} and of {@link ScaledCentering}.
     */
    static void apply(double[] v, boolean[] fixed, double[] means, double[] scales, int numClasses,
                      int numFeatures) {
        int numWeights = numClasses * numFeatures;
        for (int k = 0; k < numClasses; k++) {
            double gb = v[numWeights + k];
            int row = k * numFeatures;
            double shift = 0;
            for (int j = 0; j < numFeatures; j++) {
                if (fixed != null && fixed[row + j]) {
                    continue;
                }
                double r = scales == null ? v[row + j] - gb * means[j] : (v[row + j] - gb * means[j]) * scales[j];
                v[row + j] = r;
                shift += r * means[j];
            }
            v[numWeights + k] = gb - shift;
        }
    }

    /** vᵀ·A·Aᵀ·v = ‖Aᵀv‖². */
    double norm2(double[] v) {
        return norm2(v, null);
    }

    @Override
    public double norm2(double[] v, boolean[] fixed) {
        int numWeights = numClasses * numFeatures;
        double sum = 0;
        for (int k = 0; k < numClasses; k++) {
            double gb = v[numWeights + k];
            sum += gb * gb;
            int row = k * numFeatures;
            for (int j = 0; j < numFeatures; j++) {
                double r = fixed != null && fixed[row + j] ? v[row + j] : v[row + j] - gb * means[j];
                sum += r * r;
            }
        }
        return sum;
    }
}
