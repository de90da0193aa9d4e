package org.softmax4j.train;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Parameters;

/**
 * A certified bound on F* − F for λ &gt; 0, from the Fenchel dual of penalised softmax regression; it needs only what
 * one evaluation returns (L and ∇F) and four sums over the data made once, so the stopping rule of ascent can say
 * "converged" only when F is within the tolerance of the optimum, not when it moves slowly.
 * <p>
 * The dual. With φ(α) = Σ_k α_k ln α_k and z = Wx + b, ln softmax_y(z) = min over the simplex of (y − α)ᵀz + φ(α)
 * (the log-sum-exp is the conjugate of φ), so for any α_n in the simplex (ω the example weights)
 * <pre>
 *   F(W, b) ≤ ⟨G(α), W⟩ + ⟨Σ_n ω_n (y_n − α_n), b⟩ + Σ_n ω_n φ(α_n) − (λ/2)‖W‖²,   G(α) = Σ_n ω_n (y_n − α_n) x_nᵀ
 * </pre>
 * and maximising over W and b (b is not penalised: its term must vanish) gives weak duality:
 * <pre>
 *   F* ≤ D(α) = Σ_n ω_n φ(α_n) + ‖G(α)‖² / (2λ)      for every α with Σ_n ω_n (y_n − α_n) = 0.
 * </pre>
 * At α = p (the model's probabilities) G(p) = ∂L/∂W, and Σ ω φ(p_n) = L − ⟨W, ∂L/∂W⟩ − ⟨b, ∂L/∂b⟩ (since
 * φ(p) = ln p_y − (y − p)ᵀz), so D(p) needs no further pass; but p satisfies the constraint only where ∂L/∂b = 0. The
 * bias's constraint is met by mixing p with one distribution q shared by all examples: α_n = (1 − t)·p_n + t·q with
 * Ω·t·q = t·c + (1 − t)·∂L/∂b (c the weighted class counts, Ω = Σω), which is in the simplex for t ≥ t_min. φ is
 * convex, so Σ ω φ(α_n) ≤ (1 − t)·Σ ω φ(p_n) + t·Ω·φ(q), and with S = Σ ω y_n x_nᵀ, s = Σ ω x_n:
 * <pre>
 *   F* − F ≤ gap(t) = ‖(1 − t)·∇_W F + t·(B − λW)‖² / (2λ) + t·(⟨B, W⟩ − L + Ω·φ(q)) − (1 − t)·⟨b, ∂L/∂b⟩,
 *   B = S − q sᵀ
 * </pre>
 * (the terms of F cancel exactly, so no difference of two large numbers is formed at t = 0). gap(t) is convex in t
 * (a perspective and a square of affine maps), so a golden-section search on [t_min, 1] finds its minimum. Without a
 * bias there is no constraint: t = 0 and gap = ‖∇_W F‖²/(2λ), the textbook bound for a λ-strongly concave F. The
 * bound is exact arithmetic on the engine's L and gradient: their float rounding (about 10⁻⁶·|F| in L, which enters
 * only multiplied by t) is the one uncertainty.
 * <p>
 * With penalty factors ({@link PenaltyFactors}: the penalty (λ/2)·Σ_kj f_j·w_kj², f the L2 factors) the conjugate of
 * the penalty is Σ_kj G_kj² / (2λ f_j) in place of ‖G‖²/(2λ), maximised at w_kj = G_kj / (λ f_j). With the
 * penalty's gradient ΛW (Λ = λ·diag(f) on each row of W) in place of λW, the same algebra cancels the same terms:
 * <pre>
 *   gap(t) = Σ_kj h_kj² / (2λ f_j) + t·(⟨B, W⟩ − L + Ω·φ(q)) − (1 − t)·⟨b, ∂L/∂b⟩,   h = (1 − t)·∇_W F + t·(B − ΛW)
 * </pre>
 * and without a bias Σ_kj (∂F/∂w_kj)² / (2λ f_j). This needs every f_j &gt; 0: a feature with f_j = 0 is unpenalised
 * like the bias, its conjugate is +∞ unless G_kj(α) = 0 for every k, and one shared q cannot meet those constraints
 * as it meets the bias's. So with a factor 0 no bound is certified ({@link #of} refuses), and the stopping rule of
 * ascent falls back to max|∂F| (see {@link StoppingRule}).
 */
final class DualityGap {
    private static final int GOLDEN_STEPS = 100;
    private static final double GOLDEN = (Math.sqrt(5) - 1) / 2;

    private final double lambda;
    /** f_j, the L2 penalty factors (all 1 without factors: h²/1 and λ·1·w are bit for bit the plain terms). */
    private final double[] factors;
    private final boolean noBias;
    /** c_k = Σ ω_n [y_n = k]. */
    private final double[] classWeights;
    /** S = Σ ω_n y_n x_nᵀ, K×D. */
    private final double[] classSums;
    /** s = Σ ω_n x_n, D. */
    private final double[] featureSums;
    private final double totalWeight;
    private final int numClasses;
    private final int numFeatures;

    private DualityGap(double lambda, double[] factors, boolean noBias, double[] classWeights, double[] classSums,
                       double[] featureSums, double totalWeight) {
        this.lambda = lambda;
        this.factors = factors;
        this.noBias = noBias;
        this.classWeights = classWeights;
        this.classSums = classSums;
        this.featureSums = featureSums;
        this.totalWeight = totalWeight;
        this.numClasses = classWeights.length;
        this.numFeatures = featureSums.length;
    }

    /** The sums of {@code data} weighted by {@code exampleWeights} (null: all 1); λ must be &gt; 0. */
    static DualityGap of(Dataset data, double[] exampleWeights, double lambda, boolean noBias) {
        return of(data, exampleWeights, lambda, noBias, PenaltyFactors.none());
    }

    /** As {@link #of(Dataset, double[], double, boolean)}, for the penalty with these factors: every f2_j &gt; 0. */
    static DualityGap of(Dataset data, double[] exampleWeights, double lambda, boolean noBias,
                         PenaltyFactors penaltyFactors) {
        if (!(lambda > 0)) {
            throw new IllegalArgumentException("lambda is " + lambda + ", the duality gap needs lambda > 0");
        }
        if (!penaltyFactors.allL2Positive()) {
            throw new IllegalArgumentException("an L2 penalty factor is 0: the duality gap needs every factor > 0");
        }
        int numExamples = data.numExamples();
        int numFeatures = data.numFeatures();
        int numClasses = data.numClasses();
        if (exampleWeights != null && exampleWeights.length != numExamples) {
            throw new IllegalArgumentException("exampleWeights has " + exampleWeights.length + " entries, expected "
                    + numExamples);
        }
        double[] classWeights = new double[numClasses];
        double[] classSums = new double[numClasses * numFeatures];
        double[] featureSums = new double[numFeatures];
        double total = 0;
        for (int n = 0; n < numExamples; n++) {
            double omega = exampleWeights == null ? 1 : exampleWeights[n];
            if (omega == 0) {
                continue;
            }
            int k = data.label(n);
            total += omega;
            classWeights[k] += omega;
            int row = k * numFeatures;
            if (data instanceof BinaryDataset binary) {
                long[] words = binary.words();
                int wordsPerRow = binary.wordsPerRow();
                for (int w = 0; w < wordsPerRow; w++) {
                    long bits = words[n * wordsPerRow + w];
                    while (bits != 0) {
                        int j = w * 64 + Long.numberOfTrailingZeros(bits);
                        classSums[row + j] += omega;
                        featureSums[j] += omega;
                        bits &= bits - 1;
                    }
                }
            } else {
                float[] values = ((DenseDataset) data).values();
                int base = n * numFeatures;
                for (int j = 0; j < numFeatures; j++) {
                    double x = omega * values[base + j];
                    classSums[row + j] += x;
                    featureSums[j] += x;
                }
            }
        }
        return new DualityGap(lambda, penaltyFactors.l2Factors(numFeatures), noBias, classWeights, classSums,
                featureSums, total);
    }

    /**
     * The bound on F* − F at {@code parameters}, from {@code evaluation} made there by {@link PenalizedLogLikelihood}
     * (its weight gradient is ∇_W F, its bias gradient ∂L/∂b).
     */
    double at(Parameters parameters, Evaluation evaluation) {
        float[] weights = parameters.weights();
        double[] gradient = evaluation.gradWeights();
        if (noBias) {
            double sum = 0;
            for (int i = 0; i < gradient.length; i++) {
                sum += gradient[i] * gradient[i] / factors[i % numFeatures];
            }
            return sum / (2 * lambda);
        }
        // Σ_k ∂L/∂b_k = 0 exactly (each example's residuals sum to 0); the engine's float sums leave rounding, which
        // would make q sum to other than 1: take it out.
        double[] gradBias = evaluation.gradBias().clone();
        double mean = 0;
        for (double g : gradBias) {
            mean += g / numClasses;
        }
        for (int k = 0; k < numClasses; k++) {
            gradBias[k] -= mean;
        }
        double smallest = 0;
        for (int k = 0; k < numClasses; k++) {
            if (gradBias[k] < 0) {
                // q_k ≥ 0 ⇔ t·c_k + (1 − t)·g_k ≥ 0 ⇔ t ≥ |g_k| / (c_k + |g_k|).
                smallest = Math.max(smallest, -gradBias[k] / (classWeights[k] - gradBias[k]));
            }
        }
        double logLikelihood = evaluation.logLikelihood();
        double low = smallest;
        double high = 1;
        double best = Math.min(gap(low, weights, parameters.bias(), gradient, gradBias, logLikelihood),
                gap(high, weights, parameters.bias(), gradient, gradBias, logLikelihood));
        double a = high - GOLDEN * (high - low);
        double b = low + GOLDEN * (high - low);
        double fa = gap(a, weights, parameters.bias(), gradient, gradBias, logLikelihood);
        double fb = gap(b, weights, parameters.bias(), gradient, gradBias, logLikelihood);
        for (int i = 0; i < GOLDEN_STEPS && high - low > 1e-15 * Math.max(low, 1e-300); i++) {
            if (fa <= fb) {
                high = b;
                b = a;
                fb = fa;
                a = high - GOLDEN * (high - low);
                fa = gap(a, weights, parameters.bias(), gradient, gradBias, logLikelihood);
            } else {
                low = a;
                a = b;
                fa = fb;
                b = low + GOLDEN * (high - low);
                fb = gap(b, weights, parameters.bias(), gradient, gradBias, logLikelihood);
            }
            best = Math.min(best, Math.min(fa, fb));
        }
        return best;
    }

    /** gap(t) of the class comment; +∞ where q leaves the simplex. */
    private double gap(double t, float[] weights, float[] bias, double[] gradient, double[] gradBias,
                       double logLikelihood) {
        double[] q = new double[numClasses];
        double entropyTerm = 0;
        for (int k = 0; k < numClasses; k++) {
            // Ω·t·q_k, computed as one sum so that q_k = 0 comes out exactly at t = t_min.
            double mass = t * classWeights[k] + (1 - t) * gradBias[k];
            if (t == 0 && mass != 0) {
                return Double.POSITIVE_INFINITY; // p itself is not feasible
            }
            if (mass < 0) {
                if (mass > -1e-12 * Math.max(classWeights[k], 1)) {
                    mass = 0;
                } else {
                    return Double.POSITIVE_INFINITY;
                }
            }
            q[k] = t > 0 ? mass / (t * totalWeight) : 0;
            if (mass > 0) {
                entropyTerm += mass * Math.log(q[k]);
            }
        }
        double norm = 0;
        double inner = 0;
        for (int k = 0; k < numClasses; k++) {
            int row = k * numFeatures;
            for (int j = 0; j < numFeatures; j++) {
                double w = weights[row + j];
                double b = classSums[row + j] - q[k] * featureSums[j];
                double h = (1 - t) * gradient[row + j] + t * (b - lambda * factors[j] * w);
                norm += h * h / factors[j];
                inner += b * w;
            }
        }
        double biasTerm = 0;
        for (int k = 0; k < numClasses; k++) {
            biasTerm += bias[k] * gradBias[k];
        }
        // Ω·t·φ(q) = Σ_k (Ω t q_k) ln q_k = entropyTerm.
        return norm / (2 * lambda) + t * (inner - logLikelihood) + entropyTerm - (1 - t) * biasTerm;
    }
}
