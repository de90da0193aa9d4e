package org.softmax4j.train;

import org.softmax4j.engine.Parameters;

/**
 * L-BFGS and OWL-QN on the full batch. Internally it minimises f(θ) = −F_s(θ) + Σ_i c_i·|w_i| (c_i = λα·f1_j for a
 * weight of feature j, f1 the L1 factors of {@link PenaltyFactors}, all 1 without them; the bias is never penalised),
 * where F_s is the smooth part of F (see {@link SmoothObjective}). A weight with c_i = 0 (α = 0, or f1_j = 0) is
 * smooth like the bias: OWL-QN neither holds it at zero nor projects it onto an orthant.
 *
 * <ul>
 * <li>Direction: the two-loop recursion over the last m pairs s = θ' − θ, y = ∇f_s(θ') − ∇f_s(θ) (pairs with
 * sᵀy ≤ 0 are skipped), initial inverse Hessian γ·I with γ = sᵀy / yᵀy (Nocedal and Wright, Algorithm 7.4), or,
 * preconditioned by {@link Centering} (the default), γ·M with M = A·Aᵀ and γ = sᵀy / yᵀMy: L-BFGS in the coordinates
 * of centred features. The pseudo-gradient, the line searches and the stopping test stay in the user's coordinates.</li>
 * <li>L-BFGS line search: the strong Wolfe conditions, c₁ = 1e-4, c₂ = 0.9, by bracketing and zoom with safeguarded
 * cubic interpolation (Nocedal and Wright, Algorithms 3.5 and 3.6). The first step is 1/‖∇f‖₂, later ones 1.</li>
 * <li>OWL-QN (Andrew and Gao, 2007): the direction is computed from the pseudo-gradient ◇f (the minimum-norm
 * subgradient) by the two-loop recursion restricted to the free coordinates (the weights held at zero are left out
 * of the pairs), its entries at zero weights that disagree in sign with −◇f are zeroed (Andrew and Gao zero such
 * entries everywhere; doing so at non-zero weights too, and keeping the held weights in the pairs, made H overstate
 * the inverse curvature of the free subspace: on the digits, λ = α = 1, step 1 was rejected in 1,873 of 2,132
 * iterations, the minimum along the direction lying near a third of it), and a backtracking line search projects each
 * trial point onto the orthant of θ (coordinates that would cross zero stay at zero), accepting
 * f(θ') ≤ f(θ) + c₁·◇fᵀ(θ' − θ). At an optimum ◇f = 0: ∂F_s/∂w = c·sign(w) where w ≠ 0, and |∂F_s/∂w| ≤ c where
 * w = 0.</li>
 * <li>Precision: with a double evaluator, the solver switches to it once the engine's gradient meets the tolerance
 * or the engine's line search stalls, and goes on from the same point and memory (on the CPU engine the
 * {@link Trainer} starts in double). In double, both line searches also accept steps by slope where F's change is
 * below its rounding ({@link #approximateWolfe}, {@link #approximateArmijo}).</li>
 * </ul>
 *
 * <p>Why one file of about 540 lines: L-BFGS and OWL-QN share the memory of pairs, the two-loop recursion, the current
 * and trial points and the switch to double, and both line searches read and update that state at every trial; split
 * into classes, each piece would hand a dozen fields back and forth on every evaluation.
 */
final class QuasiNewton implements Solver {
    /** Sufficient decrease (Armijo): the customary 1e-4 (Nocedal and Wright, §3.1) accepts any step that lowers f. */
    private static final double C1 = 1e-4;
    /**
     * Curvature (strong Wolfe): 0.9, the value for quasi-Newton directions (0.1 suits conjugate gradients), so that the
     * step 1 passes nearly always and an iteration costs about one evaluation.
     */
    private static final double C2 = 0.9;
    /**
     * Evaluations one line search may take before it reports a stall (which the switch to double, or the stop,
     * handles): a bound on the cost of a search stuck on rounding. Each zoom trial lies in the middle 80% of the
     * bracket, so the bracket shrinks to at most 0.9^k of its width after k trials, and the cubic fit usually far faster.
     */
    private static final int MAX_LINE_SEARCH = 30;

    /** The most pairs {@link #autoHistory} keeps. */
    static final int MOST_AUTO_PAIRS = 300;
    /** Dense rows per pair {@link #autoHistory} asks for (see there). */
    static final int ROWS_PER_PAIR = 80;
    /** Bit-packed rows per pair {@link #autoHistory} asks for (see there). */
    static final int BIT_PACKED_ROWS_PER_PAIR = 1000;
    /** The memory {@link #autoHistory} gives the pairs, at most (unless 10 pairs need more). */
    static final long HISTORY_BYTES = 256L << 20;

    private final SmoothObjective objective;
    private final double l1;
    /** c_i = λα·f1_j for each weight (OWL-QN only; null for L-BFGS). */
    private final double[] l1Weights;
    /** f1_j per feature (all 1 without factors). */
    private final double[] l1Factors;
    private final boolean orthantWise;
    private final int numWeights;
    private final int dimension;
    private final double tolerance;
    private final int history;
    private final InitialInverseHessian centering;
    /** {@code --solver newton}: H₀ = H⁻¹ of a sampled Hessian instead of γ·M (L2 only), or null. */
    private final SampledHessian newton;
    /**
     * Newton, or a centring that is taken anew ({@link InitialInverseHessian#refreshDueAt}): the iterations so far
     * and where H (M) was last taken; null without either.
     */
    private int iterations;
    private final double[] hessianPoint;
    /** OWL-QN: the weights held at zero in this iteration (w = 0, ◇f = 0), left out of the two-loop recursion. */
    private final boolean[] fixed;
    private final double[] freeRho;
    private final double[] freeY;
    private final double[][] s;
    private final double[][] y;
    private final double[] rho;
    private final double[] alphas;
    private final Parameters current;
    private double[] point;
    private double[] gradient;
    private double[] trialPoint;
    private double[] trialGradient;
    private final double[] pseudoGradient;
    private final double[] direction;
    /** f_s(θ) = −F_s(θ), the smooth part of what this class minimises (it goes down; F goes up). */
    private double loss;
    private double trialLoss;
    private double lastEvaluatedStep;
    private int count;
    private int newest = -1;

    /** @param centering the preconditioner M of γ·M, or null for γ·I */
    QuasiNewton(SmoothObjective objective, Parameters start, double lambda, double alpha, int history,
                double tolerance, InitialInverseHessian centering) {
        this(objective, start, lambda, alpha, history, tolerance, centering, PenaltyFactors.none());
    }

    /** @param factors the penalty factors: f1 scales the L1 penalty of each feature's weights here */
    QuasiNewton(SmoothObjective objective, Parameters start, double lambda, double alpha, int history,
                double tolerance, InitialInverseHessian centering, PenaltyFactors factors) {
        this(objective, start, lambda, alpha, history, tolerance, centering, factors, null);
    }

    /**
     * Newton's method ({@code --solver newton}): the two-loop recursion over the last {@code history} pairs with
     * H₀ = H⁻¹, H the Hessian of f from {@code newton}'s rows, taken at the current point as
     * {@link SampledHessian#refreshDue} says, and the strong-Wolfe line search from the step 1. With all rows in the
     * sample and no pairs yet this is Newton's direction; the pairs correct a sampled H's error (and a kept H's age),
     * so that the rate is not the linear one of a sampled Hessian alone (see docs/PERFORMANCE.md, "Newton with a
     * sampled Hessian").
     */
    QuasiNewton(SmoothObjective objective, Parameters start, double lambda, int history, double tolerance,
                PenaltyFactors factors, SampledHessian newton) {
        this(objective, start, lambda, 0, history, tolerance, null, factors, java.util.Objects.requireNonNull(newton));
    }

    private QuasiNewton(SmoothObjective objective, Parameters start, double lambda, double alpha, int history,
                        double tolerance, InitialInverseHessian centering, PenaltyFactors factors,
                        SampledHessian newton) {
        this.objective = objective;
        this.newton = newton;
        this.hessianPoint = newton == null && !refreshes(centering) ? null : new double[objective.dimension()];
        this.l1 = lambda * alpha;
        this.orthantWise = l1 > 0;
        this.numWeights = objective.numWeights();
        int numFeatures = start.numFeatures();
        this.l1Factors = factors.l1Factors(numFeatures);
        this.l1Weights = orthantWise ? new double[numWeights] : null;
        for (int i = 0; orthantWise && i < numWeights; i++) {
            l1Weights[i] = l1 * l1Factors[i % numFeatures];
        }
        this.dimension = objective.dimension();
        this.tolerance = tolerance;
        this.history = history;
        this.centering = centering;
        this.fixed = new boolean[numWeights];
        this.freeRho = new double[history];
        this.freeY = new double[dimension];
        this.s = new double[history][dimension];
        this.y = new double[history][dimension];
        this.rho = new double[history];
        this.alphas = new double[history];
        this.current = start.copy();
        this.point = objective.pointOf(start);
        this.gradient = new double[dimension];
        this.trialPoint = new double[dimension];
        this.trialGradient = new double[dimension];
        this.pseudoGradient = new double[dimension];
        this.direction = new double[dimension];
    }

    /**
     * The pairs of {@code --history auto}: {@link TrainingOptions#DEFAULT_HISTORY}, and for L-BFGS one per
     * {@link #ROWS_PER_PAIR} dense rows or one per {@link #BIT_PACKED_ROWS_PER_PAIR} bit-packed rows, at most
     * {@link #MOST_AUTO_PAIRS} and within {@link #HISTORY_BYTES}. The pairs cost 4·m·(K·D + K) multiply-adds an
     * iteration in scalar loops beside an evaluation's 2·N·D·K in 8-lane ones: about 16·m/N of it on dense rows, a
     * fifth at m = N/80, less where the cap holds; a bit-packed row's double evaluation costs about 60 ns (10⁶ rows,
     * D = 64, K = 10: 61 ms on 2 threads), a thirteenth of a dense 784-feature row's, hence the 1,000 rows. Measured
     * at λ = 1 to max|∂F| ≤ 1e-6 (iterations for m = 10 / 25 / 30 / 40 / 50 / 100): dense 10⁵ × 784 planted rows
     * 132 / – / 106 / – / – / 85; MNIST 8,000 × 784 299 / 268 / 263 / – / 242 / 204, fit times (medians of 3,
     * alternating in one JVM, load ~11) 12.9 / 11.7 / – / – / 11.1 / 10.8 s; 10⁶ × 64 bit-packed planted rows 84 / – /
     * – / 66 / – / 57, CPU time 12.1 (with the JIT's warm-up) / 8.1 / 6.7 s. The digits (1,437 bit-packed rows) keep 10
     * pairs: their iterations and objectives stay as they were. The cap of 300 (it was 100): Fashion-MNIST's 60,000
     * training images in [0, 1] (whitened, 7,850 parameters) need 1,105 / 845 / 613 / 587 / 559 iterations with m = 30
     * / 100 / 200 / 300 / 500, fits of 55.5 / 36.6 / 27.3 / 26.8 / 25.4–26.9 s (warm, in one JVM, eighth session,
     * quiet); every case measured above converges in fewer than 100 iterations at m = 100, so it is unchanged.
     *
     * @param lbfgs  whether the solver is L-BFGS (OWL-QN keeps {@code least})
     * @param dense  whether the rows are dense (else bit-packed)
     * @param least  the fewest pairs: {@link TrainingOptions#DEFAULT_HISTORY}, or more where an iteration costs more
     *               than an evaluation's arithmetic, as a Spark job does (the estimator's history 0 asks for 40); never
     *               under {@link TrainingOptions#DEFAULT_HISTORY}, and bounded by {@link #HISTORY_BYTES}
     */
    static int autoHistory(boolean lbfgs, boolean dense, long numExamples, int dimension, int least) {
        long fit = HISTORY_BYTES / (16L * dimension);
        long perRows = numExamples / (dense ? ROWS_PER_PAIR : BIT_PACKED_ROWS_PER_PAIR);
        long wanted = lbfgs ? Math.max(least, Math.min(MOST_AUTO_PAIRS, perRows)) : least;
        return (int) Math.max(TrainingOptions.DEFAULT_HISTORY, Math.min(fit, wanted));
    }

    @Override
    public int numExamples() {
        return objective.numExamples();
    }

    @Override
    public void start() {
        loss = smoothLoss(point, gradient);
        afterMove();
    }

    /**
     * θ, ∇f_s and f_s there, the ring of pairs whole (with its rho, count and newest slot: a pair that failed the
     * curvature test was still written into the next slot), and the objective's precision and last evaluation. The
     * rest (direction, pseudo-gradient, trial points) is recomputed or overwritten by the next iteration.
     */
    @Override
    public void saveState(StateFields state) {
        state.put("point", point);
        state.put("gradient", gradient);
        state.put("loss", loss);
        for (int i = 0; i < history; i++) {
            state.put("s." + i, s[i]);
            state.put("y." + i, y[i]);
        }
        state.put("rho", rho);
        state.put("count", count);
        state.put("newest", newest);
        if (hessianPoint != null) {
            state.put(hessianKey("iterations"), iterations);
            state.put(hessianKey("point"), hessianPoint);
        }
        objective.saveState(state);
    }

    @Override
    public void restoreState(StateFields state) {
        state.copy("point", point);
        state.copy("gradient", gradient);
        loss = state.getDouble("loss");
        for (int i = 0; i < history; i++) {
            state.copy("s." + i, s[i]);
            state.copy("y." + i, y[i]);
        }
        state.copy("rho", rho);
        count = state.getInt("count");
        newest = state.getInt("newest");
        if (count < 0 || count > history || newest < -1 || newest >= history) {
            throw new IllegalArgumentException("the checkpoint's L-BFGS memory has count " + count + " and newest "
                    + newest + ", expected at most " + history);
        }
        if (hessianPoint != null && (newton != null || state.has(hessianKey("iterations")))) {
            // (A checkpoint of L-BFGS from before ClassCoupling has no coupling: it is taken anew from here.)
            iterations = state.getInt(hessianKey("iterations"));
            state.copy(hessianKey("point"), hessianPoint);
            if (iterations > 0) {
                // H (M) as the run that wrote the checkpoint had it: taken at the same point.
                (newton != null ? newton : centering).refresh(hessianPoint);
            }
        }
        objective.restoreState(state);
        computePseudoGradient();
        SmoothObjective.toParameters(point, current);
    }

    private static boolean refreshes(InitialInverseHessian centering) {
        return centering != null && centering.refreshDueAt(0);
    }

    /** The checkpoint's name of the refreshed H's state: Newton's, or the centring's ({@link ClassCoupling}). */
    private String hessianKey(String field) {
        return (newton != null ? "newton." : "coupling.") + field;
    }

    /** f_s = −F_s and ∇f_s. */
    private double smoothLoss(double[] at, double[] grad) {
        double value = objective.evaluate(at, grad);
        for (int i = 0; i < dimension; i++) {
            grad[i] = -grad[i];
        }
        return -value;
    }

    /** Σ_i f1_j·|w_i|, the L1 norm weighted by the factors (the plain one without them, bit for bit). */
    private double l1Norm(double[] at) {
        double sum = 0;
        int numFeatures = l1Factors.length;
        for (int i = 0; i < numWeights; i++) {
            sum += l1Factors[i % numFeatures] * Math.abs(at[i]);
        }
        return sum;
    }

    /** Whether weight i is held to its orthant by OWL-QN: c_i &gt; 0. */
    private boolean orthantBound(int i) {
        return orthantWise && i < numWeights && l1Weights[i] > 0;
    }

    private void afterMove() {
        computePseudoGradient();
        if (objective.canSwitchToDouble() && tolerance > 0 && gradientMaxAbs() <= tolerance) {
            // The engine says converged: check, and go on if needed, in double.
            switchToDouble();
        }
        SmoothObjective.toParameters(point, current);
    }

    private void switchToDouble() {
        objective.switchToDouble();
        loss = smoothLoss(point, gradient);
        computePseudoGradient();
    }

    private void computePseudoGradient() {
        for (int i = 0; i < dimension; i++) {
            double g = gradient[i];
            if (!orthantBound(i)) {
                pseudoGradient[i] = g;
                continue;
            }
            double c = l1Weights[i];
            if (point[i] > 0) {
                pseudoGradient[i] = g + c;
            } else if (point[i] < 0) {
                pseudoGradient[i] = g - c;
            } else if (g + c < 0) {
                pseudoGradient[i] = g + c;
            } else if (g - c > 0) {
                pseudoGradient[i] = g - c;
            } else {
                pseudoGradient[i] = 0;
            }
        }
    }

    @Override
    public String iterate() {
        computeDirection();
        double slope = dot(direction, pseudoGradient);
        boolean steepest = false;
        if (!(slope < 0)) {
            steepest = true;
            count = 0;
            for (int i = 0; i < dimension; i++) {
                direction[i] = -pseudoGradient[i];
            }
            slope = dot(direction, pseudoGradient);
            if (!(slope < 0)) {
                return "the gradient is zero";
            }
        }
        boolean scaled = newton != null || centering != null && centering.estimatesScale();
        double firstStep = count == 0 && (!scaled || steepest) ? Math.min(1.0, 1.0 / Math.sqrt(-slope)) : 1.0;
        boolean moved = orthantWise ? backtrack(firstStep) : strongWolfe(firstStep, slope);
        if (!moved) {
            if (objective.canSwitchToDouble()) {
                switchToDouble();
                SmoothObjective.toParameters(point, current);
                return null;
            }
            // Leave the state of the current point (the last evaluation was a rejected trial).
            loss = smoothLoss(point, gradient);
            computePseudoGradient();
            return "the line search found no point with a higher objective"
                    + (objective.inDouble() ? " (in double precision)" : " (at the engine's precision)");
        }
        remember();
        double[] swap = point;
        point = trialPoint;
        trialPoint = swap;
        swap = gradient;
        gradient = trialGradient;
        trialGradient = swap;
        loss = trialLoss;
        afterMove();
        return null;
    }

    /**
     * direction = −H·◇f by the two-loop recursion. For OWL-QN the recursion runs on the free coordinates only: the
     * weights held at zero (w = 0 and ◇f = 0 there) are left out of every pair, so that their gradient changes (which
     * come with no step) do not enter H, and the direction's entries at zero weights that disagree in sign with −◇f
     * are zeroed (they would leave the orthant chosen by −◇f).
     */
    private void computeDirection() {
        if (newton != null ? SampledHessian.refreshDue(iterations++)
                : hessianPoint != null && centering.refreshDueAt(iterations++)) {
            System.arraycopy(point, 0, hessianPoint, 0, dimension);
            (newton != null ? newton : centering).refresh(hessianPoint);
        }
        double[] q = direction;
        System.arraycopy(pseudoGradient, 0, q, 0, dimension);
        if (orthantWise) {
            for (int i = 0; i < numWeights; i++) {
                fixed[i] = orthantBound(i) && point[i] == 0 && pseudoGradient[i] == 0;
            }
        }
        for (int j = 0, i = newest; j < count; j++, i = (i - 1 + history) % history) {
            if (orthantWise) {
                double sy = freeDot(s[i], y[i]);
                freeRho[i] = sy > 1e-12 * freeDot(y[i], y[i]) ? 1 / sy : 0;
            } else {
                freeRho[i] = rho[i];
            }
            alphas[i] = freeRho[i] * freeDot(s[i], q);
            freeAxpy(-alphas[i], y[i], q);
        }
        if (newton != null) {
            newton.apply(q, null);
        } else if (count == 0 && centering != null && centering.estimatesScale()) {
            // Before any pair: M's own scale, as Newton's H⁻¹ (see ClassCoupling).
            centering.apply(q, orthantWise ? fixed : null);
        } else if (count > 0) {
            double[] last = y[newest];
            if (orthantWise) {
                System.arraycopy(last, 0, freeY, 0, dimension);
                for (int i = 0; i < numWeights; i++) {
                    if (fixed[i]) {
                        freeY[i] = 0;
                    }
                }
                last = freeY;
            }
            double sy = freeDot(s[newest], last);
            double gamma;
            if (centering == null) {
                gamma = sy / dot(last, last);
            } else {
                gamma = sy / centering.norm2(last, orthantWise ? fixed : null);
                centering.apply(q, orthantWise ? fixed : null);
            }
            if (gamma > 0 && gamma < Double.POSITIVE_INFINITY) {
                for (int i = 0; i < dimension; i++) {
                    q[i] *= gamma;
                }
            }
        }
        for (int j = 0, i = (newest - count + 1 + history) % history; j < count; j++, i = (i + 1) % history) {
            double beta = freeRho[i] * freeDot(y[i], q);
            freeAxpy(alphas[i] - beta, s[i], q);
        }
        for (int i = 0; i < dimension; i++) {
            q[i] = -q[i];
            if (orthantBound(i) && point[i] == 0 && q[i] * pseudoGradient[i] >= 0) {
                q[i] = 0;
            }
        }
    }

    /** aᵀb over the free coordinates (all of them for L-BFGS). */
    private double freeDot(double[] a, double[] b) {
        if (!orthantWise) {
            return dot(a, b);
        }
        double sum = 0;
        for (int i = 0; i < dimension; i++) {
            if (i >= numWeights || !fixed[i]) {
                sum += a[i] * b[i];
            }
        }
        return sum;
    }

    /** target += a·x over the free coordinates (all of them for L-BFGS). */
    private void freeAxpy(double a, double[] x, double[] target) {
        if (!orthantWise) {
            axpy(a, x, target);
            return;
        }
        for (int i = 0; i < dimension; i++) {
            if (i >= numWeights || !fixed[i]) {
                target[i] += a * x[i];
            }
        }
    }

    private void remember() {
        double sy = 0;
        double yy = 0;
        for (int i = 0; i < dimension; i++) {
            double si = trialPoint[i] - point[i];
            double yi = trialGradient[i] - gradient[i];
            sy += si * yi;
            yy += yi * yi;
        }
        // A pair that fails the curvature test is dropped before it is written: with the ring full, its slot holds the
        // oldest pair still in use (overwriting s and y there and keeping the old ρ corrupted the next directions).
        if (sy > 1e-12 * yy && yy > 0) {
            int slot = (newest + 1) % history;
            double[] si = s[slot];
            double[] yi = y[slot];
            for (int i = 0; i < dimension; i++) {
                si[i] = trialPoint[i] - point[i];
                yi[i] = trialGradient[i] - gradient[i];
            }
            rho[slot] = 1.0 / sy;
            newest = slot;
            count = Math.min(count + 1, history);
        }
    }

    /** f_s at θ + step·d into the trial buffers; returns f_s and leaves ∇f_s in trialGradient. */
    private double trial(double step) {
        for (int i = 0; i < dimension; i++) {
            trialPoint[i] = point[i] + step * direction[i];
        }
        lastEvaluatedStep = step;
        trialLoss = smoothLoss(trialPoint, trialGradient);
        return trialLoss;
    }

    private boolean strongWolfe(double firstStep, double slope) {
        double previousStep = 0;
        double previousValue = loss;
        double previousSlope = slope;
        double step = firstStep;
        for (int evaluation = 0; evaluation < MAX_LINE_SEARCH; evaluation++) {
            double value = trial(step);
            double valueSlope = dot(trialGradient, direction);
            if (approximateWolfe(value, valueSlope, slope)) {
                return true;
            }
            if (!Double.isFinite(value) || value > loss + C1 * step * slope
                    || (evaluation > 0 && value >= previousValue)) {
                return zoom(previousStep, previousValue, previousSlope, step, value, valueSlope, slope,
                        MAX_LINE_SEARCH - evaluation - 1);
            }
            if (Math.abs(valueSlope) <= -C2 * slope) {
                return true;
            }
            if (valueSlope >= 0) {
                return zoom(step, value, valueSlope, previousStep, previousValue, previousSlope, slope,
                        MAX_LINE_SEARCH - evaluation - 1);
            }
            previousStep = step;
            previousValue = value;
            previousSlope = valueSlope;
            step *= 2;
        }
        return false;
    }

    private boolean zoom(double low, double lowValue, double lowSlope, double high, double highValue,
                         double highSlope, double slope, int budget) {
        for (int evaluation = 0; evaluation < budget; evaluation++) {
            double width = Math.abs(high - low);
            if (width <= 1e-16 * Math.max(Math.abs(low), Math.abs(high))) {
                break;
            }
            double step = cubicMinimum(low, lowValue, lowSlope, high, highValue, highSlope);
            double lo = Math.min(low, high) + 0.1 * width;
            double hi = Math.max(low, high) - 0.1 * width;
            if (!(step >= lo && step <= hi)) {
                step = 0.5 * (low + high);
            }
            double value = trial(step);
            double valueSlope = dot(trialGradient, direction);
            if (approximateWolfe(value, valueSlope, slope)) {
                return true;
            }
            if (!Double.isFinite(value) || value > loss + C1 * step * slope || value >= lowValue) {
                high = step;
                highValue = value;
                highSlope = valueSlope;
            } else {
                if (Math.abs(valueSlope) <= -C2 * slope) {
                    return true;
                }
                if (valueSlope * (high - low) >= 0) {
                    high = low;
                    highValue = lowValue;
                    highSlope = lowSlope;
                }
                low = step;
                lowValue = value;
                lowSlope = valueSlope;
            }
        }
        // No step met the curvature condition within the budget: take the best one that raised F, if any.
        if (low > 0 && lowValue < loss) {
            if (lastEvaluatedStep != low) {
                trial(low);
            }
            return true;
        }
        return false;
    }

    /**
     * Hager and Zhang's approximate Wolfe conditions (2005), for the last iterations, where f's change along the line
     * is below the rounding of f and the Armijo test compares noise: accept a step whose f is within the rounding of
     * f(θ) and whose slope meets (2c₁ − 1)·φ'(0) ≥ φ'(a) and |φ'(a)| ≤ c₂|φ'(0)|. The slope, a sum of gradient
     * entries, stays accurate where f's digits are gone. Used in double only, with a rounding of 1e-12·|f|: on the
     * float32 engine (measured on the digits) accepting steps by noisy slopes tripled the iterations.
     */
    private boolean approximateWolfe(double value, double valueSlope, double slope) {
        if (!objective.inDouble()) {
            return false;
        }
        double rounding = 1e-12 * Math.abs(loss);
        return Double.isFinite(value) && value <= loss + rounding && valueSlope <= (2 * C1 - 1) * slope
                && Math.abs(valueSlope) <= -C2 * slope;
    }

    /** The minimiser of the cubic through (a, fa, da) and (b, fb, db); NaN when it has none. */
    private static double cubicMinimum(double a, double fa, double da, double b, double fb, double db) {
        if (!Double.isFinite(fb) || !Double.isFinite(db)) {
            return Double.NaN;
        }
        double d1 = da + db - 3 * (fa - fb) / (a - b);
        double root = d1 * d1 - da * db;
        if (!(root >= 0)) {
            return Double.NaN;
        }
        double d2 = Math.signum(b - a) * Math.sqrt(root);
        return b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
    }

    private boolean backtrack(double firstStep) {
        double total = loss + l1 * l1Norm(point);
        double step = firstStep;
        for (int evaluation = 0; evaluation < MAX_LINE_SEARCH; evaluation++) {
            double decrease = 0;
            for (int i = 0; i < dimension; i++) {
                double value = point[i] + step * direction[i];
                if (orthantBound(i)) {
                    double orthant = point[i] != 0 ? Math.signum(point[i]) : -Math.signum(pseudoGradient[i]);
                    if (value * orthant <= 0) {
                        value = 0;
                    }
                }
                trialPoint[i] = value;
                decrease += pseudoGradient[i] * (value - point[i]);
            }
            lastEvaluatedStep = step;
            trialLoss = smoothLoss(trialPoint, trialGradient);
            double trialTotal = trialLoss + l1 * l1Norm(trialPoint);
            if (Double.isFinite(trialTotal) && trialTotal <= total + C1 * decrease && trialTotal < total) {
                return true;
            }
            if (approximateArmijo(total, trialTotal, decrease)) {
                return true;
            }
            step *= 0.5;
        }
        return false;
    }

    /**
     * OWL-QN's counterpart of {@link #approximateWolfe}, for the last iterations in double, where the decrease of f
     * along the step (~‖◇f‖²) is below the rounding of f and the Armijo test compares noise. Along the projected path
     * f is smooth within the orthant, with slope φ'(a)·a = Σ (∇f_s(θ') + c·sign(θ'))ᵢ (θ' − θ)ᵢ over the coordinates
     * that did not stop at zero; a step whose f is within the rounding of f(θ) and whose end slope meets
     * φ'(a) ≤ (1 − 2c₁)·|φ'(0)| (Hager and Zhang's approximation of the Armijo condition) is accepted. Measured on the
     * digits: without it OWL-QN stopped with no progress at max|◇F| ≈ 2·10⁻⁶.
     */
    private boolean approximateArmijo(double total, double trialTotal, double decrease) {
        if (!objective.inDouble() || !Double.isFinite(trialTotal) || !(decrease < 0)
                || trialTotal > total + 1e-12 * Math.abs(total)) {
            return false;
        }
        double endSlope = 0;
        for (int i = 0; i < dimension; i++) {
            double moved = trialPoint[i] - point[i];
            if (orthantBound(i)) {
                if (trialPoint[i] == 0) {
                    continue;
                }
                endSlope += (trialGradient[i] + l1Weights[i] * Math.signum(trialPoint[i])) * moved;
            } else {
                endSlope += trialGradient[i] * moved;
            }
        }
        return endSlope <= (1 - 2 * C1) * -decrease;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static void axpy(double a, double[] x, double[] target) {
        for (int i = 0; i < target.length; i++) {
            target[i] += a * x[i];
        }
    }

    /** The current point in double: the optimum, unrounded, once converged. */
    double[] point() {
        return point.clone();
    }

    boolean inDouble() {
        return objective.inDouble();
    }

    @Override
    public Parameters parameters() {
        return current;
    }

    @Override
    public double objective() {
        return -(loss + l1 * l1Norm(point));
    }

    @Override
    public double logLikelihood() {
        return objective.logLikelihood();
    }

    @Override
    public double gradientNorm() {
        return Math.sqrt(dot(pseudoGradient, pseudoGradient));
    }

    @Override
    public double gradientMaxAbs() {
        double max = 0;
        for (double g : pseudoGradient) {
            max = Math.max(max, Math.abs(g));
        }
        return max;
    }

    @Override
    public double trainAccuracy() {
        return objective.accuracy();
    }
}
