package org.softmax4j.train;

/**
 * When to stop: divergence first (F or the weights not finite, or F more than max(|F_best|, N·ln K) below its best,
 * where N·ln K is what a uniform guess scores), then convergence (|ΔF| / max(|F|, 1) or ‖∇F‖₂/N under the tolerance),
 * then the iteration limit. Each decision comes with a sentence for people. For the quasi-Newton solvers
 * ({@link #onMaxAbsGradient}) convergence means max|∂F| ≤ tolerance instead, checked from iteration 0 on (so that a
 * warm start at the optimum stops at once); their relative change of F is no test of optimality. For ascent with the
 * automatic step ({@link #onOptimalityGap}) the relative change is no test either (ill-conditioned data moves F slowly far
 * from the optimum): for λ &gt; 0 convergence means F* − F ≤ tolerance · max(|F|, 1), proved by the duality gap of
 * {@link DualityGap} ({@link IterationRecord#optimalityGap()}); for λ = 0, where no such bound exists (the optimum may
 * not), or with an L2 penalty factor 0 (see {@link DualityGap}), max|∂F| ≤ tolerance · max(|F|, 1), and the stop
 * detail says that it bounds nothing.
 */
public final class StoppingRule {
    private final double tolerance;
    private final int maxIterations;
    private final double chanceLevel;
    private final boolean maxAbsGradient;
    private final int numExamples;
    /** λ for the gradient-gap test, NaN when it is not used. */
    private final double gapLambda;

    /** What was decided: {@code reason} is null to go on. */
    public record Decision(StopReason reason, String detail) {
        static final Decision CONTINUE = new Decision(null, null);
    }

    public StoppingRule(double tolerance, int maxIterations, int numExamples, int numClasses) {
        this(tolerance, maxIterations, numExamples, numClasses, false);
    }

    private StoppingRule(double tolerance, int maxIterations, int numExamples, int numClasses,
                         boolean maxAbsGradient) {
        this(tolerance, maxIterations, numExamples, numClasses, maxAbsGradient, Double.NaN);
    }

    private StoppingRule(double tolerance, int maxIterations, int numExamples, int numClasses,
                         boolean maxAbsGradient, double gapLambda) {
        this.numExamples = numExamples;
        this.gapLambda = gapLambda;
        this.tolerance = tolerance;
        this.maxIterations = maxIterations;
        this.chanceLevel = numExamples * Math.log(numClasses);
        this.maxAbsGradient = maxAbsGradient;
    }

    /** Converged when max|∂F| ({@link IterationRecord#gradientMaxAbs()}) ≤ tolerance. */
    public static StoppingRule onMaxAbsGradient(double tolerance, int maxIterations, int numExamples,
                                                int numClasses) {
        return new StoppingRule(tolerance, maxIterations, numExamples, numClasses, true);
    }

    /** Converged when F is proved near its optimum (see the class comment); for ascent with the automatic step. */
    public static StoppingRule onOptimalityGap(double tolerance, int maxIterations, int numExamples, int numClasses,
                                             double lambda) {
        return new StoppingRule(tolerance, maxIterations, numExamples, numClasses, false, lambda);
    }

    /** The solver could not move: converged if max|∂F| meets the tolerance after all, else no progress. */
    public Decision stalled(IterationRecord current, String why) {
        if (maxAbsGradient && current.gradientMaxAbs() <= tolerance) {
            return converged(current);
        }
        return new Decision(StopReason.NO_PROGRESS, String.format(java.util.Locale.ROOT,
                "%s at iteration %d; max|dF| %.3g%s", why, current.iteration(), current.gradientMaxAbs(),
                timesTolerance(current.gradientMaxAbs())));
    }

    /** ", 12.5 times the tolerance 1e-06", or " (tolerance 0)" when there is none to divide by. */
    private String timesTolerance(double gradientMaxAbs) {
        if (tolerance > 0) {
            return String.format(java.util.Locale.ROOT, ", %.3g times the tolerance %.3g", gradientMaxAbs / tolerance,
                    tolerance);
        }
        return " (tolerance 0)";
    }

    private Decision converged(IterationRecord current) {
        return new Decision(StopReason.CONVERGED, String.format(java.util.Locale.ROOT,
                "max|dF| %.3g <= tolerance %.3g", current.gradientMaxAbs(), tolerance));
    }

    public Decision check(IterationRecord current, IterationRecord previous, IterationRecord best,
                          boolean parametersFinite) {
        if (!Double.isFinite(current.objective()) || !parametersFinite) {
            return new Decision(StopReason.DIVERGED, "the objective became " + current.objective()
                    + " at iteration " + current.iteration() + " (weights " + (parametersFinite ? "finite" : "not finite")
                    + "); kept the best weights, from iteration " + best.iteration()
                    + "; try a smaller --learning-rate");
        }
        double allowedDrop = Math.max(Math.abs(best.objective()), chanceLevel);
        if (current.objective() < best.objective() - allowedDrop) {
            return new Decision(StopReason.DIVERGED, String.format(java.util.Locale.ROOT,
                    "the objective fell to %.6g at iteration %d, far below its best %.6g (iteration %d); kept the best "
                            + "weights; try a smaller --learning-rate",
                    current.objective(), current.iteration(), best.objective(), best.iteration()));
        }
        if (maxAbsGradient) {
            if (tolerance > 0 && current.gradientMaxAbs() <= tolerance) {
                return converged(current);
            }
            if (current.iteration() >= maxIterations) {
                return new Decision(StopReason.MAX_ITERATIONS, String.format(java.util.Locale.ROOT,
                        "reached --max-iterations %d before the tolerance %.3g: max|dF| %.3g%s", maxIterations,
                        tolerance, current.gradientMaxAbs(), tolerance > 0 ? String.format(java.util.Locale.ROOT,
                                ", %.3g times the tolerance", current.gradientMaxAbs() / tolerance) : ""));
            }
            return Decision.CONTINUE;
        }
        if (!Double.isNaN(gapLambda)) {
            return checkGap(current);
        }
        if (previous != null && tolerance > 0) {
            double change = relativeChangePerIteration(current, previous);
            if (change < tolerance) {
                return new Decision(StopReason.CONVERGED, String.format(java.util.Locale.ROOT,
                        "relative change of the objective %.3g < tolerance %.3g", change, tolerance));
            }
            if (current.gradientNorm() < tolerance) {
                return new Decision(StopReason.CONVERGED, String.format(java.util.Locale.ROOT,
                        "gradient norm per example %.3g < tolerance %.3g", current.gradientNorm(), tolerance));
            }
        }
        if (current.iteration() >= maxIterations) {
            String detail = "reached --max-iterations " + maxIterations;
            if (previous != null && tolerance > 0) {
                double change = relativeChangePerIteration(current, previous);
                detail += String.format(java.util.Locale.ROOT,
                        " before the tolerance %.3g (last relative change %.3g, gradient norm per example %.3g)",
                        tolerance, change, current.gradientNorm());
            }
            return new Decision(StopReason.MAX_ITERATIONS, detail);
        }
        return Decision.CONTINUE;
    }

    private Decision checkGap(IterationRecord current) {
        double allowed = tolerance * Math.max(Math.abs(current.objective()), 1.0);
        boolean certified = !Double.isNaN(current.optimalityGap());
        double gap = certified ? current.optimalityGap() : current.gradientMaxAbs();
        String name = certified ? "F* - F <= duality gap" : "max|dF|";
        if (tolerance > 0 && gap <= allowed) {
            return new Decision(StopReason.CONVERGED, String.format(java.util.Locale.ROOT,
                    "%s %.3g <= tolerance * max(|F|, 1) = %.3g%s", name, gap, allowed, certified ? ""
                            : gapLambda == 0 ? " (lambda = 0: no bound on F* - F)"
                            : " (a penalty factor is 0: no bound on F* - F)"));
        }
        if (current.iteration() >= maxIterations) {
            return new Decision(StopReason.MAX_ITERATIONS, allowed == 0
                    ? String.format(java.util.Locale.ROOT, "reached --max-iterations %d (tolerance 0): %s %.3g",
                    maxIterations, name, gap)
                    : String.format(java.util.Locale.ROOT,
                    "reached --max-iterations %d before the tolerance: %s %.3g, %.3g times tolerance * max(|F|, 1)",
                    maxIterations, name, gap, gap / allowed));
        }
        return Decision.CONTINUE;
    }

    /**
     * |ΔF| / max(|F|, 1), per iteration between the two records: records are usually one iteration apart, but a solver
     * that keeps its parameters in the engine records every few steps (see ResidentAscentSolver).
     */
    private static double relativeChangePerIteration(IterationRecord current, IterationRecord previous) {
        int apart = Math.max(1, current.iteration() - previous.iteration());
        return Math.abs(current.objective() - previous.objective()) / Math.max(Math.abs(current.objective()), 1.0)
                / apart;
    }
}
