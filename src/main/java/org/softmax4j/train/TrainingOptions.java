package org.softmax4j.train;

/**
 * Settings of training.
 *
 * @param learningRate η in W ← W + (η/B)·∇F_B, where B is the batch size (N for full batch); ascent, sgd and adam;
 *                     {@link #AUTO_LEARNING_RATE} for a step from the data
 * @param maxIterations iterations (full-batch steps, quasi-Newton iterations, or epochs of mini-batches) at most
 * @param lambda λ of the penalty λ·(α‖W‖₁ + (1 − α)/2·‖W‖²), sum form, so λ = 1/C of scikit-learn; the bias is not
 *               penalised; per-feature factors of each part: {@link Trainer#withPenaltyFactors}
 * @param tolerance ascent, sgd, adam: stop when |ΔF| / max(|F|, 1) or ‖∇F‖₂/N falls under it; ascent with
 *                  {@link #AUTO_LEARNING_RATE}: when the duality gap proves F* − F ≤ tolerance · max(|F|, 1) (λ &gt; 0,
 *                  see {@link DualityGap}); lbfgs, owlqn: stop when max|∂F| (the pseudo-gradient for L1) falls under
 *                  it; 0 never stops early
 * @param batchSize examples per step; 0 means full batch (the only choice for lbfgs and owlqn)
 * @param seed drives the shuffling of mini-batches
 * @param solver the optimiser
 * @param alpha α, the L1 share of the penalty, in [0, 1]; above 0 only with owlqn
 * @param history m, the number of (s, y) pairs L-BFGS and OWL-QN keep, or {@link #AUTO_HISTORY}
 * @param momentum μ of sgd, in [0, 1)
 * @param nesterov whether sgd uses Nesterov's momentum
 * @param schedule the learning-rate schedule of sgd and adam
 * @param patience with a validation set: stop after this many iterations without a better validation log-likelihood
 * @param precision what lbfgs and owlqn evaluate F with (see {@link Precision})
 * @param preconditioner the initial inverse Hessian of lbfgs and owlqn (see {@link Preconditioner})
 * @param noBias whether the model has no bias: b is fixed at 0 and never updated, F and its gradient are over W alone
 *               (the CLI's {@code --no-bias})
 * @param acceleration how ascent with the automatic step moves (see {@link Acceleration})
 */
public record TrainingOptions(double learningRate, int maxIterations, double lambda, double tolerance, int batchSize,
                              long seed, SolverType solver, double alpha, int history, double momentum,
                              boolean nesterov, Schedule schedule, int patience, Precision precision,
                              Preconditioner preconditioner, boolean noBias, Acceleration acceleration) {
    /**
     * {@code --learning-rate auto}: η from the data, N/L with L the curvature bound of {@link CurvatureBound}, for
     * ascent (safeguarded, see {@link SafeguardedAscent}) and sgd; adam takes {@link #DEFAULT_LEARNING_RATE}.
     */
    public static final double AUTO_LEARNING_RATE = Double.NaN;
    /** The fixed η of earlier versions' default, and adam's under {@code auto}. */
    public static final double DEFAULT_LEARNING_RATE = 1.0;
    public static final int DEFAULT_MAX_ITERATIONS = 5000;
    public static final double DEFAULT_LAMBDA = 1.0;
    public static final double DEFAULT_TOLERANCE = 1e-6;
    public static final long DEFAULT_SEED = 1;
    public static final int DEFAULT_HISTORY = 10;
    /**
     * {@code --history auto}: {@link #DEFAULT_HISTORY} pairs, more for L-BFGS on dense rows where an evaluation
     * costs far more than the pairs do (see {@code QuasiNewton.autoHistory}).
     */
    public static final int AUTO_HISTORY = 0;
    /** The pairs {@link #AUTO_HISTORY} gives on partitioned rows (Spark), at least: each iteration costs a job. */
    public static final int PARTITIONED_LEAST_HISTORY = 40;
    public static final double DEFAULT_MOMENTUM = 0.9;
    public static final int DEFAULT_PATIENCE = 10;

    public TrainingOptions {
        if (!Double.isNaN(learningRate) && (!(learningRate > 0) || Double.isInfinite(learningRate))) {
            throw new IllegalArgumentException("learning rate is " + learningRate + ", expected a finite number > 0");
        }
        if (maxIterations < 0) {
            throw new IllegalArgumentException("max iterations is " + maxIterations + ", expected 0 or more");
        }
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda is " + lambda + ", expected a finite number >= 0");
        }
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("tolerance is " + tolerance + ", expected a finite number >= 0");
        }
        if (batchSize < 0) {
            throw new IllegalArgumentException("batch size is " + batchSize + ", expected 0 (full batch) or more");
        }
        java.util.Objects.requireNonNull(solver, "solver");
        java.util.Objects.requireNonNull(schedule, "schedule");
        java.util.Objects.requireNonNull(precision, "precision");
        java.util.Objects.requireNonNull(preconditioner, "preconditioner");
        java.util.Objects.requireNonNull(acceleration, "acceleration");
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha is " + alpha + ", expected a number in [0, 1]");
        }
        if (alpha > 0 && lambda > 0 && solver != SolverType.OWLQN) {
            throw new IllegalArgumentException("alpha is " + alpha + " (an L1 penalty), which only the owlqn solver"
                    + " handles, not " + solver.id());
        }
        if (history < 0) {
            throw new IllegalArgumentException("history is " + history + ", expected at least 1 (or 0: auto)");
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum is " + momentum + ", expected a number in [0, 1)");
        }
        if (patience < 1) {
            throw new IllegalArgumentException("patience is " + patience + ", expected at least 1");
        }
        if (solver.isQuasiNewton() && batchSize != 0) {
            throw new IllegalArgumentException("batch size is " + batchSize + ", but " + solver.id()
                    + " works on the full batch only (batch size 0)");
        }
    }

    /** Every setting but the acceleration, which is Nesterov's (it matters only with {@link #AUTO_LEARNING_RATE}). */
    public TrainingOptions(double learningRate, int maxIterations, double lambda, double tolerance, int batchSize,
                           long seed, SolverType solver, double alpha, int history, double momentum,
                           boolean nesterov, Schedule schedule, int patience, Precision precision,
                           Preconditioner preconditioner) {
        this(learningRate, maxIterations, lambda, tolerance, batchSize, seed, solver, alpha, history, momentum,
                nesterov, schedule, patience, precision, preconditioner, false, Acceleration.NESTEROV);
    }

    /** With a bias or without, the acceleration Nesterov's. */
    public TrainingOptions(double learningRate, int maxIterations, double lambda, double tolerance, int batchSize,
                           long seed, SolverType solver, double alpha, int history, double momentum,
                           boolean nesterov, Schedule schedule, int patience, Precision precision,
                           Preconditioner preconditioner, boolean noBias) {
        this(learningRate, maxIterations, lambda, tolerance, batchSize, seed, solver, alpha, history, momentum,
                nesterov, schedule, patience, precision, preconditioner, noBias, Acceleration.NESTEROV);
    }

    /** With a bias, the given acceleration. */
    public TrainingOptions(double learningRate, int maxIterations, double lambda, double tolerance, int batchSize,
                           long seed, SolverType solver, double alpha, int history, double momentum,
                           boolean nesterov, Schedule schedule, int patience, Precision precision,
                           Preconditioner preconditioner, Acceleration acceleration) {
        this(learningRate, maxIterations, lambda, tolerance, batchSize, seed, solver, alpha, history, momentum,
                nesterov, schedule, patience, precision, preconditioner, false, acceleration);
    }

    /**
     * The pairs {@link #AUTO_HISTORY} stands for: {@link #DEFAULT_HISTORY}, or {@code least} if more, and for L-BFGS
     * one pair per 80 dense rows or per 1,000 bit-packed rows, up to 300, within 256 MiB of pairs (measured in
     * {@code QuasiNewton}).
     *
     * @param dimension the parameters' count, K·D + K
     * @param least     the fewest pairs ({@link #PARTITIONED_LEAST_HISTORY} on Spark, where an iteration costs a job)
     */
    public static int autoHistory(SolverType solver, boolean dense, long numExamples, int dimension, int least) {
        return QuasiNewton.autoHistory(solver == SolverType.LBFGS, dense, numExamples, dimension, least);
    }

    /** Whether m is {@link #AUTO_HISTORY}. */
    public boolean autoHistory() {
        return history == AUTO_HISTORY;
    }

    /** Whether η is {@link #AUTO_LEARNING_RATE}. */
    public boolean autoLearningRate() {
        return Double.isNaN(learningRate);
    }

    /** The ascent loop's settings, every newer setting at its default. */
    public TrainingOptions(double learningRate, int maxIterations, double lambda, double tolerance, int batchSize,
                           long seed) {
        this(learningRate, maxIterations, lambda, tolerance, batchSize, seed, SolverType.ASCENT, 0.0, AUTO_HISTORY,
                DEFAULT_MOMENTUM, false, Schedule.CONSTANT, DEFAULT_PATIENCE, Precision.DOUBLE,
                Preconditioner.CENTER, false, Acceleration.NESTEROV);
    }

    /**
     * The CLI's defaults: ascent with {@link #AUTO_LEARNING_RATE} and Nesterov's acceleration. An explicit η
     * ({@link #withLearningRate}) gives the fixed-step ascent of earlier versions, unchanged.
     */
    public static TrainingOptions defaults() {
        return new TrainingOptions(AUTO_LEARNING_RATE, DEFAULT_MAX_ITERATIONS, DEFAULT_LAMBDA, DEFAULT_TOLERANCE,
                0, DEFAULT_SEED);
    }

    public TrainingOptions withLearningRate(double value) {
        return new TrainingOptions(value, maxIterations, lambda, tolerance, batchSize, seed, solver, alpha, history,
                momentum, nesterov, schedule, patience, precision, preconditioner, noBias, acceleration);
    }

    public TrainingOptions withMaxIterations(int value) {
        return new TrainingOptions(learningRate, value, lambda, tolerance, batchSize, seed, solver, alpha, history,
                momentum, nesterov, schedule, patience, precision, preconditioner, noBias, acceleration);
    }

    public TrainingOptions withLambda(double value) {
        return new TrainingOptions(learningRate, maxIterations, value, tolerance, batchSize, seed, solver, alpha,
                history, momentum, nesterov, schedule, patience, precision, preconditioner, noBias, acceleration);
    }

    public TrainingOptions withTolerance(double value) {
        return new TrainingOptions(learningRate, maxIterations, lambda, value, batchSize, seed, solver, alpha, history,
                momentum, nesterov, schedule, patience, precision, preconditioner, noBias, acceleration);
    }

    public TrainingOptions withBatchSize(int value) {
        return new TrainingOptions(learningRate, maxIterations, lambda, tolerance, value, seed, solver, alpha, history,
                momentum, nesterov, schedule, patience, precision, preconditioner, noBias, acceleration);
    }

    public TrainingOptions withSeed(long value) {
        return new TrainingOptions(learningRate, maxIterations, lambda, tolerance, batchSize, value, solver, alpha,
                history, momentum, nesterov, schedule, patience, precision, preconditioner, noBias, acceleration);
    }

    public TrainingOptions withSolver(SolverType value) {
        return new TrainingOptions(learningRate, maxIterations, lambda, tolerance, batchSize, seed, value, alpha,
                history, momentum, nesterov, schedule, patience, precision, preconditioner, noBias, acceleration);
    }

    public TrainingOptions withAlpha(double value) {
        return new TrainingOptions(learningRate, maxIterations, lambda, tolerance, batchSize, seed, solver, value,
                history, momentum, nesterov, schedule, patience, precision, preconditioner, noBias, acceleration);
    }

    public TrainingOptions withHistory(int value) {
        return new TrainingOptions(learningRate, maxIterations, lambda, tolerance, batchSize, seed, solver, alpha,
                value, momentum, nesterov, schedule, patience, precision, preconditioner, noBias, acceleration);
    }

    public TrainingOptions withMomentum(double value, boolean useNesterov) {
        return new TrainingOptions(learningRate, maxIterations, lambda, tolerance, batchSize, seed, solver, alpha,
                history, value, useNesterov, schedule, patience, precision, preconditioner, noBias, acceleration);
    }

    public TrainingOptions withSchedule(Schedule value) {
        return new TrainingOptions(learningRate, maxIterations, lambda, tolerance, batchSize, seed, solver, alpha,
                history, momentum, nesterov, value, patience, precision, preconditioner, noBias, acceleration);
    }

    public TrainingOptions withPatience(int value) {
        return new TrainingOptions(learningRate, maxIterations, lambda, tolerance, batchSize, seed, solver, alpha,
                history, momentum, nesterov, schedule, value, precision, preconditioner, noBias, acceleration);
    }

    public TrainingOptions withPrecision(Precision value) {
        return new TrainingOptions(learningRate, maxIterations, lambda, tolerance, batchSize, seed, solver, alpha,
                history, momentum, nesterov, schedule, patience, value, preconditioner, noBias, acceleration);
    }

    public TrainingOptions withPreconditioner(Preconditioner value) {
        return new TrainingOptions(learningRate, maxIterations, lambda, tolerance, batchSize, seed, solver, alpha,
                history, momentum, nesterov, schedule, patience, precision, value, noBias, acceleration);
    }

    public TrainingOptions withNoBias(boolean value) {
        return new TrainingOptions(learningRate, maxIterations, lambda, tolerance, batchSize, seed, solver, alpha,
                history, momentum, nesterov, schedule, patience, precision, preconditioner, value, acceleration);
    }

    public TrainingOptions withAcceleration(Acceleration value) {
        return new TrainingOptions(learningRate, maxIterations, lambda, tolerance, batchSize, seed, solver, alpha,
                history, momentum, nesterov, schedule, patience, precision, preconditioner, noBias, value);
    }

    /**
     * The settings that shape this training, by the names the model file records them under ({@code training.options}):
     * those of every solver, then those of the solver chosen (history, precision and preconditioner of lbfgs and owlqn;
     * momentum of sgd; the schedule of sgd and adam; the acceleration of ascent with the automatic step).
     */
    public java.util.Map<String, String> record() {
        java.util.Map<String, String> map = new java.util.LinkedHashMap<>();
        map.put("learning_rate", autoLearningRate() ? "auto" : String.valueOf(learningRate));
        if (autoLearningRate() && solver == SolverType.ASCENT) {
            map.put("acceleration", acceleration.id());
        }
        map.put("max_iterations", String.valueOf(maxIterations));
        map.put("lambda", String.valueOf(lambda));
        map.put("tolerance", String.valueOf(tolerance));
        map.put("batch_size", String.valueOf(batchSize));
        map.put("seed", String.valueOf(seed));
        map.put("solver", solver.id());
        map.put("alpha", String.valueOf(alpha));
        if (noBias) {
            map.put("no_bias", "true");
        }
        if (solver.isQuasiNewton()) {
            map.put("history", autoHistory() ? "auto" : String.valueOf(history));
            map.put("precision", precision.id());
            map.put("preconditioner", preconditioner.id());
        }
        if (solver == SolverType.SGD) {
            map.put("momentum", String.valueOf(momentum));
            map.put("nesterov", String.valueOf(nesterov));
        }
        if (solver == SolverType.SGD || solver == SolverType.ADAM) {
            map.put("schedule", schedule.id());
        }
        return map;
    }
}
