package org.softmax4j.train;

import java.util.Locale;

/**
 * The initial inverse Hessian of L-BFGS and OWL-QN. {@link #CENTER} (the default): the solvers work as if the features
 * were centred, x − μ, with the bias b + Wμ in place of b (see {@link Centering}); the optimum is the same, since the
 * bias is not penalised, and the stopping test still reads ∂F in the user's coordinates. {@link #NONE}: the textbook
 * γ·I of Nocedal and Wright. Measured on the built-in digits (L-BFGS, max|∂F| ≤ 1e-6): 36 / 77 / 165 iterations at
 * λ = 10 / 1 / 0.1 centred against 233 / 417 / 735 with none; OWL-QN at λ = 1: 109 against 398 (α = 0.5) and 155
 * against 339 (α = 1). For dense features with a bias, L-BFGS under {@link #CENTER} also scales each feature's
 * weights by 1/M², M the largest feature magnitude ({@link ScaledCentering}), so that pixels in 0..255 train as fast as pixels in
 * [0, 1]; {@link #CENTER_UNSCALED} leaves that out. Bit-packed (binary) features keep plain centring.
 */
public enum Preconditioner {
    CENTER("center"),
    /**
     * For dense features, centring and one scale 1/M² (see {@link ScaledCentering}) in place of {@link #CENTER}'s
     * whitening; otherwise as {@link #CENTER}.
     */
    CENTER_SCALED("center-scaled"),
    /** Centring without the per-feature scaling that {@link #CENTER} adds for dense features (see {@link ScaledCentering}). */
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
        throw new IllegalArgumentException("preconditioner is \"" + text + "\", expected center, center-scaled, center-unscaled or none");
    }
}
