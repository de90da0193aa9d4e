package org.softmax4j.train;

import java.util.List;
import java.util.Locale;

import org.softmax4j.InputException;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.data.PartitionedDataset;
import org.softmax4j.engine.Backend;
import org.softmax4j.engine.DoublePrecisionEvaluator;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.ResidentAscent;
import org.softmax4j.engine.ResidentSafeguardedAscent;

/**
 * The training loop. Each iteration asks the {@link Solver} to move the parameters (one full-batch step, one epoch of
 * shuffled mini-batches, or one quasi-Newton iteration), records F, the gradient and the accuracy on the whole training
 * set (and the log-likelihood of the validation set, when there is one), and asks the {@link StoppingRule}. The
 * objective, the solver (or its update rule) and the stopping rule are separate pieces; this loop only connects them.
 */
public final class Trainer {
    private final TrainingOptions options;
    private final UpdateRule updateRule;
    private final Checkpoint.Writing writing;
    private final Checkpoint resume;
    private final PenaltyFactors penaltyFactors;

    public Trainer(TrainingOptions options) {
        this(options, null);
    }

    /** A trainer whose first-order solvers use {@code updateRule} instead of the one the options name. */
    public Trainer(TrainingOptions options, UpdateRule updateRule) {
        this(options, updateRule, null, null, PenaltyFactors.none());
    }

    private Trainer(TrainingOptions options, UpdateRule updateRule, Checkpoint.Writing writing, Checkpoint resume,
                    PenaltyFactors penaltyFactors) {
        this.options = java.util.Objects.requireNonNull(options, "options");
        this.updateRule = updateRule;
        this.writing = writing;
        this.resume = resume;
        this.penaltyFactors = java.util.Objects.requireNonNull(penaltyFactors, "penaltyFactors");
    }

    /**
     * This trainer, writing checkpoints as {@code writing} says (null: none) and, with {@code resume}, continuing the
     * run that wrote it instead of starting: from its point, solver state and records, to the result the run would
     * have reached without the stop (bit for bit on the CPU engine). A checkpoint is written every
     * {@link Checkpoint.Writing#everySeconds()} and when the listener asks to stop ({@link StopReason#INTERRUPTED}).
     *
     * @throws IllegalArgumentException when checkpoints are asked for with an update rule that gives no state
     */
    public Trainer withCheckpoints(Checkpoint.Writing writing, Checkpoint resume) {
        if ((writing != null || resume != null) && updateRule != null && updateRule.state() == null) {
            throw new IllegalArgumentException("the update rule " + updateRule.getClass().getSimpleName()
                    + " does not give its state (UpdateRule.state()), so training with it cannot be checkpointed");
        }
        return new Trainer(options, updateRule, writing, resume, penaltyFactors);
    }

    /**
     * This trainer with per-feature penalty factors (see {@link PenaltyFactors}; {@link PenaltyFactors#none()} for the
     * plain penalty, the default). They must have one factor per feature of the data trained on. Every solver honours
     * them; with factors that are not all 1, plain ascent with a fixed step runs on the host loop
     * ({@link FirstOrderSolver}), not in the engine ({@link ResidentAscentSolver}, whose penalty is the plain one).
     */
    public Trainer withPenaltyFactors(PenaltyFactors factors) {
        return new Trainer(options, updateRule, writing, resume, factors);
    }

    public PenaltyFactors penaltyFactors() {
        return penaltyFactors;
    }

    /** Trains from zero weights (and zero bias). */
    public TrainingResult train(Evaluator evaluator, TrainingListener listener) {
        var data = evaluator.data();
        return train(evaluator, new Parameters(data.numClasses(), data.numFeatures()), listener);
    }

    /** Trains from {@code start} (not modified); {@code evaluator} is bound without example weights. */
    public TrainingResult train(Evaluator evaluator, Parameters start, TrainingListener listener) {
        return train(evaluator, null, null, start, listener);
    }

    /**
     * As {@link #train(Engine, Evaluator, double[], Evaluator, Parameters, TrainingListener)} without the engine: the
     * double-precision polish of the quasi-Newton solvers then runs on a CPU engine of its own with one thread per
     * processor (bitwise the same result for every thread count; pass the engine to choose the threads or device).
     */
    public TrainingResult train(Evaluator evaluator, double[] exampleWeights, Evaluator validation, Parameters start,
                                TrainingListener listener) {
        try (Engine cpu = Backend.CPU.open(0)) {
            return train(cpu, evaluator, exampleWeights, validation, start, listener);
        }
    }

    /**
     * Trains from {@code start} (not modified).
     *
     * @param engine         the engine that bound {@code evaluator}: it also makes the double-precision evaluator of
     *                       the quasi-Newton solvers' polish ({@link Engine#bindDoublePrecision}), on its threads
     * @param evaluator      the training set, bound with {@code exampleWeights}
     * @param exampleWeights the weights the evaluator was bound with (null: none); the double-precision polish of the
     *                       quasi-Newton solvers binds the same
     * @param validation     the validation set for early stopping, or null
     */
    public TrainingResult train(Engine engine, Evaluator evaluator, double[] exampleWeights, Evaluator validation,
                                Parameters start, TrainingListener listener) {
        var data = evaluator.data();
        int numExamples = data.numExamples();
        int numClasses = data.numClasses();
        int numFeatures = data.numFeatures();
        if (numExamples == 0) {
            throw new IllegalArgumentException("the training set has no examples");
        }
        start.checkShape(numClasses, numFeatures);
        penaltyFactors.checkFeatures(numFeatures);
        if (options.noBias()) {
            PenalizedLogLikelihood.checkZeroBias(start);
        }
        if (validation != null && validation.data().numExamples() == 0) {
            throw new IllegalArgumentException("the validation set has no examples");
        }
        Identity identity = null;
        Parameters from = start;
        if (writing != null || resume != null) {
            identity = new Identity(Checkpoint.settingsOf(options, penaltyFactors, validation != null, engine.name()),
                    Checkpoint.fingerprint(data, exampleWeights, validation == null ? null : validation.data()));
            if (resume != null) {
                String problem = resume.incompatibility(identity.settings(), identity.fingerprint());
                if (problem != null) {
                    throw new InputException("cannot resume from " + resume.describe() + ": " + problem);
                }
                from = LoopState.currentOf(resume.trainer(), numClasses, numFeatures);
            }
        }
        SolverType type = options.solver();
        String refusal = type == SolverType.NEWTON ? SampledHessian.refusal(numClasses, numFeatures, options.noBias())
                : null;
        if (refusal != null) {
            throw new InputException(refusal);
        }
        DoublePrecisionEvaluator polish = type.isQuasiNewton() && options.precision() == Precision.DOUBLE
                ? engine.bindDoublePrecision(data, exampleWeights) : null;
        try {
            return trainWith(evaluator, exampleWeights, polish, validation, from, listener, identity);
        } finally {
            if (polish != null) {
                polish.close();
            }
        }
    }

    /** What a checkpoint of this run records to be checked on resume: the settings and the data's fingerprint. */
    private record Identity(java.util.Map<String, String> settings, String fingerprint) {
    }

    private TrainingResult trainWith(Evaluator evaluator, double[] exampleWeights, DoublePrecisionEvaluator polish,
                                     Evaluator validation, Parameters start, TrainingListener listener,
                                     Identity identity) {
        StepReport step = chooseStep(evaluator.data(), exampleWeights);
        Solver solver = solver(evaluator, exampleWeights, polish, start, validation == null, step);
        try {
            if (step != null) {
                listener.onStep(step);
            }
            return loop(solver, evaluator, validation, listener, step, identity);
        } finally {
            if (solver instanceof AutoCloseable closeable) {
                closeQuietly(closeable);
            }
        }
    }

    /**
     * The step of the first-order solvers: the given η, or for {@link TrainingOptions#AUTO_LEARNING_RATE} N/L from
     * {@link CurvatureBound} (ascent, sgd) or {@link TrainingOptions#DEFAULT_LEARNING_RATE} (adam); null for lbfgs
     * and owlqn.
     */
    private StepReport chooseStep(org.softmax4j.data.Dataset data, double[] exampleWeights) {
        SolverType type = options.solver();
        if (type.isQuasiNewton()) {
            return null;
        }
        if (!options.autoLearningRate()) {
            return StepReport.fixed(options.learningRate());
        }
        if (type == SolverType.ADAM) {
            return new StepReport(true, TrainingOptions.DEFAULT_LEARNING_RATE, TrainingOptions.DEFAULT_LEARNING_RATE,
                    Acceleration.NONE, 0, 0, 0, null);
        }
        // Safeguarded ascent steps in the centred coordinates (see CurvatureBound.centered); a model without a bias
        // cannot move Wμ into b, and sgd steps along the plain gradient: both take the uncentred bound. The penalty's
        // curvature is λ·f2_j in the weights of feature j: at most λ·max f2 (λ itself without factors).
        double penaltyCurvature = options.lambda() * penaltyFactors.maxL2();
        CurvatureBound bound = safeguarded() && !options.noBias()
                ? CurvatureBound.centered(data, exampleWeights, penaltyCurvature)
                : CurvatureBound.of(data, exampleWeights, penaltyCurvature);
        double eta = bound.learningRate(data.numExamples());
        Acceleration acceleration = safeguarded() ? options.acceleration() : Acceleration.NONE;
        return new StepReport(true, eta, eta, acceleration, 0, 0, 0, bound);
    }

    /** Whether the run is full-batch ascent with the automatic step: {@link SafeguardedAscent}. */
    private boolean safeguarded() {
        return options.solver() == SolverType.ASCENT && options.autoLearningRate() && options.batchSize() == 0
                && updateRule == null;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not release the solver's resources: " + e.getMessage(), e);
        }
    }

    private TrainingResult loop(Solver solver, Evaluator evaluator, Evaluator validation, TrainingListener listener,
                                StepReport step, Identity identity) {
        var data = evaluator.data();
        int numExamples = data.numExamples();
        int numClasses = data.numClasses();
        int numFeatures = data.numFeatures();
        SolverType type = options.solver();
        StoppingRule stoppingRule = type.isQuasiNewton()
                ? StoppingRule.onMaxAbsGradient(options.tolerance(), options.maxIterations(), numExamples, numClasses)
                : safeguarded()
                ? StoppingRule.onOptimalityGap(options.tolerance(), options.maxIterations(), numExamples, numClasses,
                        options.lambda())
                : new StoppingRule(options.tolerance(), options.maxIterations(), numExamples, numClasses);
        Evaluation validationEvaluation = validation == null ? null : new Evaluation(numClasses, numFeatures);

        long started = System.nanoTime();
        LoopState state;
        StoppingRule.Decision decision;
        if (resume == null) {
            solver.start();
            state = new LoopState(record(0, solver, validation, validationEvaluation, started),
                    solver.parameters(), validation != null);
            listener.onIteration(state.current, options.maxIterations());
            decision = stoppingRule.check(state.current, null, state.bestRecord, solver.parametersFinite());
        } else {
            // Where the run that wrote the checkpoint stood after its iteration: it had decided to go on.
            solver.restoreState(resume.solver());
            state = LoopState.restore(resume.trainer(), numClasses, numFeatures, validation != null);
            started -= (long) (resume.elapsedSeconds() * 1e9);
            decision = state.current.iteration() < options.maxIterations() ? StoppingRule.Decision.CONTINUE
                    : new StoppingRule.Decision(StopReason.MAX_ITERATIONS, "reached --max-iterations "
                            + options.maxIterations() + " (the checkpoint resumed is at iteration "
                            + state.current.iteration() + ")");
        }
        long lastCheckpoint = System.nanoTime();
        boolean inconsistent = false;
        while (decision.reason() == null) {
            String stuck = solver.iterate();
            IterationRecord previous = state.current;
            IterationRecord current = record(previous.iteration() + solver.stepsInLastIteration(), solver, validation,
                    validationEvaluation, started);
            state.current = current;
            state.history.add(current);
            listener.onIteration(current, options.maxIterations());
            boolean finite = solver.parametersFinite();
            decision = stuck != null ? stoppingRule.stalled(current, stuck)
                    : stoppingRule.check(current, previous, state.bestRecord, finite);
            String disagreement = type.isQuasiNewton() && finite ? evaluationsDisagree(previous, current) : null;
            if (disagreement != null) {
                decision = new StoppingRule.Decision(StopReason.DIVERGED, disagreement);
                inconsistent = true;
            }
            // The quasi-Newton line searches only accept points that raise F (in the precision of the moment), so
            // their latest point is their best, even when a switch to double moves F by its rounding.
            if (finite && disagreement == null
                    && (type.isQuasiNewton() || current.objective() > state.bestRecord.objective())) {
                state.bestRecord = current;
                if (!solver.keepsBest()) {
                    state.best.copyFrom(solver.parameters());
                }
            }
            if (validation != null && finite) {
                if (current.validationLogLikelihood() > state.bestValidation.validationLogLikelihood()) {
                    state.bestValidation = current;
                    state.bestValidationParameters.copyFrom(solver.parameters());
                    state.sinceBetterValidation = 0;
                } else if (++state.sinceBetterValidation >= options.patience() && decision.reason() == null) {
                    decision = new StoppingRule.Decision(StopReason.EARLY_STOPPING, String.format(Locale.ROOT,
                            "the validation log-likelihood did not improve for %d iterations; restored the best "
                                    + "weights, from iteration %d (validation log-likelihood %.8g)",
                            options.patience(), state.bestValidation.iteration(),
                            state.bestValidation.validationLogLikelihood()));
                }
            }
            // Asked last, when the iteration's own decisions are made: a stop requested where the run would have
            // gone on leaves a state a checkpoint can continue from.
            String stopRequest = decision.reason() == null ? listener.stopRequested() : null;
            if (stopRequest != null) {
                decision = new StoppingRule.Decision(StopReason.INTERRUPTED, stopRequest + "; stopped after iteration "
                        + current.iteration() + " with the best weights so far");
            }
            long now = System.nanoTime();
            if (writing != null && (decision.reason() == StopReason.INTERRUPTED || (decision.reason() == null
                    && now - lastCheckpoint >= writing.everySeconds() * 1e9))) {
                StateFields trainer = new StateFields("trainer");
                if (solver.keepsBest()) {
                    state.best.copyFrom(solver.best());
                }
                state.save(trainer, solver.parameters());
                StateFields solverState = new StateFields("solver");
                solver.saveState(solverState);
                new Checkpoint(identity.settings(), identity.fingerprint(), (now - started) / 1e9, trainer,
                        solverState).write(writing.file());
                lastCheckpoint = System.nanoTime();
            }
        }
        IterationRecord current = state.current;
        IterationRecord bestRecord = state.bestRecord;
        Parameters best = state.best;
        IterationRecord bestValidation = state.bestValidation;
        Parameters bestValidationParameters = state.bestValidationParameters;
        List<IterationRecord> history = state.history;
        double seconds = (System.nanoTime() - started) / 1e9;
        if (solver.keepsBest()) {
            best = solver.best();
        }
        if (decision.reason() == StopReason.CONVERGED && !Double.isNaN(current.optimalityGap())
                && solver.parametersFinite()) {
            // The duality gap proved this point within the tolerance of F*; a point of higher F in float32 may be
            // higher by rounding alone, and its gap proves less (on the digits: iteration 433, gap 1.7e-3, against
            // iteration 483, gap 2.9e-4). The proved point is the one returned.
            bestRecord = current;
            best.copyFrom(solver.parameters());
        }
        String precision = solver instanceof QuasiNewton q && q.inDouble() ? "double" : "engine";
        AscentSchedule schedule = solver instanceof SafeguardedAscent host ? host.schedule()
                : solver instanceof ResidentSafeguardedSolver resident ? resident.schedule() : null;
        if (schedule != null) {
            step = new StepReport(step.auto(), step.chosen(), schedule.learningRate(), step.acceleration(),
                    schedule.falls(), schedule.halvings(), schedule.restarts(), step.bound());
        }
        IterationRecord chosen = validation != null ? bestValidation : bestRecord;
        boolean separable = isSeparable(chosen);
        String detail = decision.detail();
        if (separable) {
            detail = (detail == null || detail.isEmpty() ? "" : detail + "; ") + SEPARABLE_DETAIL;
        }
        // The quasi-Newton solvers return their last point (see above): the same point unrounded.
        double[] point = validation == null && !inconsistent && solver instanceof QuasiNewton q
                && solver.parametersFinite() ? q.point() : null;
        return new TrainingResult(validation != null ? bestValidationParameters : best, chosen, history,
                decision.reason(), detail, seconds, type.id(), precision, separable, step, point);
    }

    /**
     * How far a quasi-Newton iteration's F may fall below the last one's, relative to max(|F|, 1): its line search
     * accepts only points that raise F, so a fall is rounding (a switch from float to double moves F by about 1e-7
     * relative) or two evaluations of one point that disagree.
     */
    static final double MOST_ROUNDING_FALL = 1e-4;

    /**
     * Why a quasi-Newton run cannot go on from {@code current}, or null: F fell far below the previous iteration's,
     * which its line search never accepts, so an evaluation gave two answers at one point (an engine defect: a
     * collector that moved a lookup table under the CPU engine did this once). The run stops as diverged with the
     * previous iteration's weights, rather than hand on a point whose F nobody can trust.
     */
    static String evaluationsDisagree(IterationRecord previous, IterationRecord current) {
        double fall = previous.objective() - current.objective();
        if (!(fall > MOST_ROUNDING_FALL * Math.max(Math.abs(previous.objective()), 1.0))) {
            return null;
        }
        return String.format(java.util.Locale.ROOT, "the objective fell from %.10g (iteration %d) to %.10g (iteration"
                        + " %d), though the line search accepts only points that raise it: two evaluations of one point"
                        + " disagree, an engine defect (please report it with this line); kept the weights of"
                        + " iteration %d", previous.objective(), previous.iteration(), current.objective(),
                current.iteration(), previous.iteration());
    }

    /** The stop detail's addition when {@link #isSeparable} holds. */
    public static final String SEPARABLE_DETAIL = "the training data are separable: without a penalty the "
            + "log-likelihood rises towards 0 as the weights grow without bound, so no maximum exists";

    /**
     * Without a penalty (λ = 0), weights that classify every training example correctly show the data separable: if
     * each example's own score is strictly the highest, scaling W and b by c &gt; 1 raises every example's probability,
     * so the log-likelihood keeps rising and has no maximum. (A tie at an argmax would need exactly equal scores.)
     */
    private boolean isSeparable(IterationRecord record) {
        return options.lambda() == 0 && record.trainAccuracy() == 1.0;
    }

    /**
     * {@link Whitening} of dense rows coupled across classes ({@link ClassCoupling}); for rows in partitions, of the
     * rows ⌊i·N/R⌋ (i &lt; R = min(N, {@link Whitening#SAMPLE_ROWS})) fetched to the driver, the rows whose covariance
     * one machine estimates (and A's sample is taken from them). The means and the weight total are then the
     * sample's: the centring is about the sample's means (any means keep the optimum), and λ₂ is scaled by Ω_sample/Ω
     * so that the penalty's diagonal 4λ₂f2_j/Ω is the whole data's.
     */
    private static InitialInverseHessian whitening(org.softmax4j.data.Dataset data, double[] exampleWeights,
                                                   double l2Penalty, double[] l2Factors) {
        if (!(data instanceof PartitionedDataset partitioned)) {
            DenseDataset rows = (DenseDataset) data;
            double total = rows.numExamples();
            if (exampleWeights != null) {
                total = 0;
                for (double weight : exampleWeights) {
                    total += weight;
                }
            }
            return ClassCoupling.of(Whitening.of(rows, exampleWeights, l2Penalty, l2Factors), rows, exampleWeights,
                    total, l2Penalty, l2Factors);
        }
        int numExamples = partitioned.numExamples();
        int rows = Math.min(numExamples, Whitening.SAMPLE_ROWS);
        int[] examples = new int[rows];
        for (int i = 0; i < rows; i++) {
            examples[i] = (int) ((long) i * numExamples / rows);
        }
        PartitionedDataset.FetchedRows sample = partitioned.fetch(examples);
        double sampleTotal = rows;
        if (sample.weights() != null) {
            sampleTotal = 0;
            for (double weight : sample.weights()) {
                sampleTotal += weight;
            }
        }
        Whitening whitening = Whitening.of(sample.rows(), sample.weights(),
                l2Penalty * sampleTotal / partitioned.weightTotal(), l2Factors);
        return ClassCoupling.of(whitening, sample.rows(), sample.weights(), partitioned.weightTotal(), l2Penalty,
                l2Factors);
    }

    /** {@code residentAllowed}: whether plain ascent may keep the parameters in the engine (not with validation). */
    private Solver solver(Evaluator evaluator, double[] exampleWeights, DoublePrecisionEvaluator polish, Parameters start,
                          boolean residentAllowed, StepReport step) {
        var data = evaluator.data();
        int numExamples = data.numExamples();
        if (options.solver().isQuasiNewton()) {
            SmoothObjective objective = new SmoothObjective(evaluator, polish, options.lambda(), options.alpha(),
                    options.noBias(), penaltyFactors);
            if (polish != null && evaluator.doublePrecisionCostsTheSame()) {
                // On the CPU engine, double costs about what float32 does (measured on the digits: 0.29 vs 0.33 ms
                // per evaluation, scalar) and its line searches need fewer evaluations, so it runs in double from
                // the start. Measured with centring, L-BFGS at C = 1 on the digits: 0.017 s in double from the start,
                // 0.029 s float32 (SIMD) first, then double.
                objective.switchToDouble();
            }
            if (options.solver() == SolverType.NEWTON) {
                SampledHessian hessian = SampledHessian.of(data, exampleWeights, options.noBias(),
                        options.lambda() * (1 - options.alpha()),
                        penaltyFactors.l2Factors(data.numFeatures()), SampledHessian.SAMPLE_ROWS);
                int history = options.autoHistory() ? TrainingOptions.DEFAULT_HISTORY : options.history();
                return new QuasiNewton(objective, start, options.lambda(), history, options.tolerance(),
                        penaltyFactors, hessian);
            }
            // Centring moves Wμ into the bias; without one it would change the optimum, so the model without a bias
            // gets the part of it that needs no bias (see Preconditioner).
            // Dense features with a bias: L-BFGS whitens them where the solves cost little beside an evaluation (see
            // Whitening); otherwise one scale, or with penalty factors each feature's own (see ScaledCentering).
            Preconditioner chosen = options.preconditioner();
            // Dense rows in Spark's partitions (a PartitionedDataset) take the same policy from their moments and a
            // sample of rows fetched to the driver.
            boolean denseLbfgs = options.solver() == SolverType.LBFGS && (data instanceof DenseDataset
                    || data instanceof PartitionedDataset partitioned && !partitioned.binary());
            boolean whiten = denseLbfgs && Whitening.paysOff(numExamples, data.numFeatures());
            double l2Penalty = options.lambda() * (1 - options.alpha());
            InitialInverseHessian centering = chosen == Preconditioner.NONE ? null
                    : options.noBias() ? MeanDeflation.of(data, exampleWeights)
                    : chosen == Preconditioner.CENTER && whiten
                            ? whitening(data, exampleWeights, l2Penalty, penaltyFactors.l2Factors(data.numFeatures()))
                    : chosen != Preconditioner.CENTER_UNSCALED && !penaltyFactors.isUniform()
                            ? ScaledCentering.perFeature(data, exampleWeights, l2Penalty,
                                    penaltyFactors.l2Factors(data.numFeatures()))
                    : chosen != Preconditioner.CENTER_UNSCALED && denseLbfgs
                            ? data instanceof PartitionedDataset partitioned ? ScaledCentering.of(partitioned)
                                    : ScaledCentering.of((DenseDataset) data, exampleWeights)
                            : Centering.of(data, exampleWeights);
            int history = options.autoHistory()
                    ? QuasiNewton.autoHistory(options.solver() == SolverType.LBFGS, data instanceof DenseDataset
                            || data instanceof PartitionedDataset partitionedRows && !partitionedRows.binary(),
                            numExamples, objective.dimension(), TrainingOptions.DEFAULT_HISTORY)
                    : options.history();
            return new QuasiNewton(objective, start, options.lambda(), options.alpha(), history,
                    options.tolerance(), centering, penaltyFactors);
        }
        PenalizedLogLikelihood objective = new PenalizedLogLikelihood(evaluator, options.lambda(), options.noBias(),
                penaltyFactors);
        if (safeguarded()) {
            CurvatureBound bound = step.bound();
            boolean accelerated = step.acceleration() == Acceleration.NESTEROV;
            double[] means = bound.isCentered() ? Centering.of(data, exampleWeights).means() : null;
            DualityGap gap = options.lambda() > 0 && penaltyFactors.allL2Positive()
                    ? DualityGap.of(data, exampleWeights, options.lambda(), options.noBias(), penaltyFactors) : null;
            if (residentAllowed && penaltyFactors.isUniform()
                    && evaluator instanceof ResidentSafeguardedAscent resident) {
                // The engine keeps y, x_k and the best point (the CUDA engine: on the device); only sums come back.
                return new ResidentSafeguardedSolver(resident, objective, start, step.chosen(), accelerated, means,
                        bound.biasStepRatio(), gap);
            }
            SafeguardedAscent ascent = new SafeguardedAscent(objective, start, step.chosen(), accelerated, means,
                    bound.biasStepRatio());
            if (gap != null) {
                ascent.certifyWith(gap);
            }
            return ascent;
        }
        double learningRate = step.chosen();
        int batchSize = options.batchSize() == 0 ? numExamples : Math.min(options.batchSize(), numExamples);
        int stepsPerEpoch = (numExamples + batchSize - 1) / batchSize;
        UpdateRule rule = updateRule;
        if (rule == null) {
            rule = switch (options.solver()) {
                case SGD -> new MomentumAscent(learningRate, options.momentum(), options.nesterov(),
                        options.schedule(), stepsPerEpoch, options.maxIterations(), data.numClasses(),
                        data.numFeatures());
                case ADAM -> new AdamAscent(learningRate, options.schedule(), stepsPerEpoch,
                        options.maxIterations(), data.numClasses(), data.numFeatures());
                default -> new GradientAscent(learningRate);
            };
        }
        // The engine-resident loop applies the plain penalty λ·W on the device: with other factors, the host loop.
        if (residentAllowed && options.solver() == SolverType.ASCENT && updateRule == null
                && batchSize == numExamples && penaltyFactors.isUniform()
                && evaluator instanceof ResidentAscent resident) {
            return new ResidentAscentSolver(resident, objective, start, learningRate,
                    options.maxIterations());
        }
        return new FirstOrderSolver(objective, rule, start, batchSize, options.seed());
    }

    private static IterationRecord record(int iteration, Solver solver, Evaluator validation,
                                          Evaluation validationEvaluation, long started) {
        double validationLogLikelihood = Double.NaN;
        if (validation != null) {
            validation.evaluate(solver.parameters(), validationEvaluation);
            validationLogLikelihood = validationEvaluation.logLikelihood();
        }
        int numExamples = Math.max(1, solver.numExamples());
        return new IterationRecord(iteration, solver.objective(), solver.logLikelihood(),
                solver.gradientNorm() / numExamples, solver.trainAccuracy(), (System.nanoTime() - started) / 1e9,
                solver.gradientMaxAbs(), validationLogLikelihood, solver.optimalityGap());
    }
}
