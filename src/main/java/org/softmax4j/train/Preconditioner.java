package org.softmax4j.train;

import java.util.Locale;

/**
 * The initial inverse Hessian of L-BFGS and OWL-QN. {@link #CENTER} (the default): the solvers work as if the features
 * were centred, x − μ, with the bias b + Wμ in place of b (see {@link Centering}); the optimum is the same, since the
 * bias is not penalised, and the stopping test still reads ∂F in the user's coordinates. {@link #NONE}: the textbook
 * γ·I of Nocedal and Wright. Measured on the built-in digits (L-BFGS, max|∂F| ≤ 1e-6): 36 / 77 / 165 iterations at
 * λ = 10 / 1 / 0.1 centred against 233 / 417 / 735 with none; OWL-QN at λ = 1: 109 against 398 (α = 0.5) and 155
 * against 339 (α = 1).
 *
 * <p>For dense features with a bias, L-BFGS under {@link #CENTER} also takes their scale out, so that pixels in 0..255
 * train as pixels in [0, 1] do: with at least {@link Whitening#MIN_ROWS_PER_FEATURE} rows per feature (and at most
 * {@link Whitening#MAX_FEATURES} features) it whitens them ({@link Whitening}: the features' covariance with a ridge,
 * applied through its Cholesky factor), with fewer rows it uses one scale 1/M² ({@link ScaledCentering}), which
 * {@link #CENTER_SCALED} asks for always. Measured at λ = 1: Fashion-MNIST (60,000 × 784 in 0..255, whitened) after
 * 500 iterations at F = −18732.3, max|∂F| 1.3·10³, against −19558.3, 4.4·10³ with one scale; MNIST (8,000 × 784 in
 * [0, 1], one scale) 299 iterations to max|∂F| ≤ 1e-6, 257 whitened but no faster. Whitened, the classes are coupled
 * too ({@link ClassCoupling}: a Kronecker-factored H₀ from the softmax's curvature at the first iterations' points):
 * dense 10⁵ × 784 planted rows 85 → 56 iterations, compare-spark's uniform rows 154 → 35. {@link #CENTER_UNSCALED} is
 * centring alone. Bit-packed (binary) features keep plain centring, OWL-QN too (with penalty factors,
 * {@link ScaledCentering#perFeature}).
 */
public enum Preconditioner {
    CENTER("center"),
    /**
     * For dense features, centring and one scale 1/M² (see {@link ScaledCentering}) in place of {@link #CENTER}'s
     * whitening; otherwise as {@link #CENTER}.
     */
    CENTER_SCALED("center-scaled"),
    /** Centring alone, without the whitening or scaling that {@link #CENTER} and {@link #CENTER_SCALED} add. */
    CENTER_UNSCALED("center-unscaled"),
    NONE("none");

    private final String id;

    Preconditioner(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Preconditioner parse(String text) {
        for (Preconditioner preconditioner : values()) {
            if (preconditioner.id.equals(text.toLowerCase(Locale.ROOT))) {
                return preconditioner;
            }
        }
        throw new IllegalArgumentException("preconditioner is \"" + text
                + "\", expected center, center-scaled, center-unscaled or none");
    }
}
