package org.softmax4j.train;

/**
 * The initial inverse Hessian H₀ = γ·M of the quasi-Newton solvers' two-loop recursion, M symmetric positive definite:
 * any such M leaves the optimum where it is and changes only the path. {@link Centering} with a bias,
 * {@link MeanDeflation} without one.
 */
interface InitialInverseHessian {

    /** v ← M·v, with the weights where {@code fixed} is true (OWL-QN's held weights) left out (null: none). */
    void apply(double[] v, boolean[] fixed);

    /** vᵀ·M·v, with the same weights left out. */
    double norm2(double[] v, boolean[] fixed);

    /** Whether M is taken anew ({@link #refresh}) at the solver's iteration {@code iteration} (0 first); never here. */
    default boolean refreshDueAt(int iteration) {
        return false;
    }

    /** M at the point θ, for an M that depends on it ({@link #refreshDueAt}). */
    default void refresh(double[] point) {
    }

    /**
     * Whether M estimates the inverse Hessian scale included ({@link ClassCoupling}): the first direction is then
     * −M·∇f with the step 1, not −∇f with the step 1/‖∇f‖.
     */
    default boolean estimatesScale() {
        return false;
    }
}
