package org.softmax4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.google.gson.JsonObject;

import org.softmax4j.AtomicFile;
import org.softmax4j.InputException;
import org.softmax4j.Version;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.CsvData;
import org.softmax4j.data.CsvOptions;
import org.softmax4j.data.CsvReader;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Parameters;
import org.softmax4j.model.Model;
import org.softmax4j.model.ModelFile;
import org.softmax4j.model.TrainingInfo;
import org.softmax4j.report.HeldOutCurves;
import org.softmax4j.report.ReportFiles;
import org.softmax4j.train.Acceleration;
import org.softmax4j.train.Checkpoint;
import org.softmax4j.train.ClassWeights;
import org.softmax4j.train.ExampleWeights;
import org.softmax4j.train.PenaltyFactors;
import org.softmax4j.train.PenaltyFactorsFile;
import org.softmax4j.train.Precision;
import org.softmax4j.train.Preconditioner;
import org.softmax4j.train.Schedule;
import org.softmax4j.train.SolverType;
import org.softmax4j.train.SampleWeights;
import org.softmax4j.train.StepReport;
import org.softmax4j.train.StopReason;
import org.softmax4j.train.TrainingListener;
import org.softmax4j.train.TrainingOptions;
import org.softmax4j.train.TrainingResult;
import org.softmax4j.train.TrainingRun;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", sortOptions = false,
        description = {"Train softmax regression: maximise the penalised log-likelihood by ascent, L-BFGS, OWL-QN, "
                + "SGD with momentum, or Adam.",
                "With no data options: the built-in 8x8 digits, binarized at 8, split 80/20 by --seed."})
final class TrainCommand extends BaseCommand {
    static final double DEFAULT_CHECKPOINT_SECONDS = 60;

    @Option(names = "--train", paramLabel = "FILE", description = "Training data (CSV, optionally .gz).")
    Path trainFile;

    @Option(names = "--test", paramLabel = "FILE",
            description = "Test data; without it, --test-fraction of the training data is held out.")
    Path testFile;

    @Option(names = "--test-fraction", paramLabel = "F", defaultValue = "0.2",
            description = "Share held out for testing when there is no --test file (stratified). "
                    + "Default: ${DEFAULT-VALUE}.")
    double testFraction;

    @Option(names = "--learning-rate", paramLabel = "ETA|auto", defaultValue = "auto",
            description = "Step: W += (ETA/B)·∇F over a batch of B; auto: ETA = N/L from the data (L bounds the "
                    + "curvature of F; for ascent in centred coordinates, the bias stepped apart), safeguarded. "
                    + "Default: ${DEFAULT-VALUE}.")
    String learningRate;

    @Option(names = "--acceleration", paramLabel = "nesterov|none", defaultValue = "nesterov",
            description = "ascent with --learning-rate auto: Nesterov's momentum with adaptive restart, or plain "
                    + "steps. Default: ${DEFAULT-VALUE}.")
    String acceleration;

    @Option(names = "--max-iterations", paramLabel = "N", defaultValue = "" + TrainingOptions.DEFAULT_MAX_ITERATIONS,
            description = "Iterations (steps, or epochs with --batch-size) at most. Default: ${DEFAULT-VALUE}.")
    int maxIterations;

    @Option(names = "--lambda", paramLabel = "L", defaultValue = "" + TrainingOptions.DEFAULT_LAMBDA,
            description = "L2 penalty (L/2)·||W||² (sum form: L = 1/C of scikit-learn). Default: ${DEFAULT-VALUE}.")
    double lambda;

    @Option(names = "--tolerance", paramLabel = "T", defaultValue = "" + TrainingOptions.DEFAULT_TOLERANCE,
            description = "Stop when the relative change of F, or ||∇F||/N, is below T; ascent with --learning-rate "
                    + "auto: when the duality gap proves F* - F <= T·max(|F|, 1); lbfgs, owlqn: max|∂F| <= T. "
                    + "Default: ${DEFAULT-VALUE}.")
    double tolerance;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "0",
            description = "Mini-batch size, shuffled by --seed each epoch; 0 means full batch. Default: 0.")
    int batchSize;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "" + TrainingOptions.DEFAULT_SEED,
            description = "Seed of the train/test split and the mini-batch order. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--model-out", paramLabel = "FILE", description = "Write the trained model here.")
    Path modelOut;

    @Option(names = "--solver", paramLabel = "NAME", defaultValue = "ascent",
            description = "ascent, lbfgs, owlqn (L1 / elastic net), newton (L2; K·(D+1) ≤ 1500 parameters), sgd "
                    + "(momentum, schedules) or adam. "
                    + "Default: ${DEFAULT-VALUE}.")
    String solver;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0",
            description = "L1 share of the penalty L·(A·||W||₁ + (1-A)/2·||W||²); above 0 needs --solver owlqn. "
                    + "Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Option(names = "--penalty-factors", paramLabel = "FILE",
            description = "Per-feature penalty factors (glmnet's penalty.factor): the penalty becomes "
                    + "L·sum_kj (A·f1_j·|w_kj| + (1-A)/2·f2_j·w_kj²). One line per feature: F (both) or L2,L1; or "
                    + "NAME,F / NAME,L2,L1 naming features of the data's header (others 1). Default: all 1.")
    Path penaltyFactorsFile;

    @Option(names = "--history", paramLabel = "M|auto", defaultValue = "auto",
            description = "Pairs kept by lbfgs, owlqn and newton; auto: 10, for lbfgs on dense rows one per 80 rows, "
                    + "up to 300. Default: ${DEFAULT-VALUE}.")
    String history;

    @Option(names = "--momentum", paramLabel = "MU", defaultValue = "" + TrainingOptions.DEFAULT_MOMENTUM,
            description = "Momentum of sgd, in [0, 1). Default: ${DEFAULT-VALUE}.")
    double momentum;

    @Option(names = "--nesterov", description = "Nesterov's momentum for sgd.")
    boolean nesterov;

    @Option(names = "--schedule", paramLabel = "NAME", defaultValue = "constant",
            description = "Learning-rate schedule of sgd and adam: constant, inverse-time or cosine. "
                    + "Default: ${DEFAULT-VALUE}.")
    String schedule;

    @Option(names = "--precision", paramLabel = "engine|double", defaultValue = "double",
            description = "lbfgs/owlqn: finish in double precision on the CPU (double) or use the engine only. "
                    + "Default: ${DEFAULT-VALUE}.")
    String precision;

    @Option(names = "--preconditioner", paramLabel = "center|center-scaled|center-unscaled|none",
            defaultValue = "center",
            description = "lbfgs/owlqn: precondition as if the features were centred (center; same optimum, "
                    + "fewer iterations; for dense features lbfgs also whitens them), centred with one scale for "
                    + "dense features (center-scaled), centred alone (center-unscaled), or not at all (none). "
                    + "Default: ${DEFAULT-VALUE}.")
    String preconditioner;

    @Option(names = "--class-weight", paramLabel = "balanced|CLASS=W,...",
            description = "Class weights: balanced (N / (K·count)) or a list such as 3=2,7=0.5 (others 1).")
    String classWeight;

    @Option(names = "--sample-weights", paramLabel = "FILE",
            description = "One weight (>= 0) per line for each row of the training data (of the built-in digits "
                    + "without --train), in file order.")
    Path sampleWeightsFile;

    @Option(names = "--validation-fraction", paramLabel = "F", defaultValue = "0",
            description = "Share of the training data held out (stratified) for early stopping; 0 for none. "
                    + "Default: ${DEFAULT-VALUE}.")
    double validationFraction;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "" + TrainingOptions.DEFAULT_PATIENCE,
            description = "With --validation-fraction: stop after N iterations without a better validation "
                    + "log-likelihood and restore the best weights. Default: ${DEFAULT-VALUE}.")
    int patience;

    @Option(names = "--init", paramLabel = "MODEL", description = "Warm start from this model file (of the same "
            + "kind: with a bias, or without one for --no-bias).")
    Path initModel;

    @Option(names = "--no-bias", description = "The model without a bias: scores W·x, b fixed at 0 and never "
            + "trained; F and its gradient are over W alone.")
    boolean noBias;

    @Option(names = "--report", paramLabel = "FILE.html",
            description = "Write a self-contained HTML report of the run: the training curve, the weights, the "
                    + "confusion matrix, per-class scores, confused examples, calibration, options and timings.")
    Path reportFile;

    @Option(names = "--plot", paramLabel = "FILE.png|svg",
            description = "Write the training curve alone (log-likelihood, accuracy, gradient size) as PNG or SVG.")
    Path plotFile;

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = "Write the whole training state here (atomically) every --checkpoint-every seconds and "
                    + "when interrupted; train --resume FILE continues it.")
    Path checkpointFile;

    @Option(names = "--checkpoint-every", paramLabel = "SECONDS",
            description = "Seconds between checkpoints; 0: after every iteration. Default: "
                    + DEFAULT_CHECKPOINT_SECONDS + ".")
    Double checkpointEvery;

    @Option(names = "--resume", paramLabel = "FILE",
            description = "Continue the run that wrote this checkpoint, to the result it would have reached "
                    + "(same data and training options; --max-iterations, --checkpoint-every, --threads and the "
                    + "outputs may change); checkpoints go on to FILE unless --checkpoint names another.")
    Path resumeFile;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    BackendOptions backendOptions;

    @Override
    int execute() {
        // Every option is checked before any data is read: a bad option fails at once, whatever the data.
        TrainingOptions options = trainingOptions();
        checkModelOut();
        ReportFiles.checkOutput("--report", reportFile, "html", "htm");
        ReportFiles.checkOutput("--plot", plotFile, "png", "svg");
        checkFractions();
        Checkpoint.Writing writing = checkpointWriting();
        backendOptions.check();
        Double threshold = dataOptions.threshold(trainFile == null ? BuiltinDigits.DEFAULT_THRESHOLD : null);
        CsvOptions csv = dataOptions.csvOptions(threshold);
        ClassWeights classWeights = parseClassWeights();
        SampleWeights sampleWeights = sampleWeightsFile == null ? null : SampleWeights.read(sampleWeightsFile);
        PenaltyFactorsFile factorsFile = penaltyFactorsFile == null ? null
                : PenaltyFactorsFile.read(penaltyFactorsFile);
        Model init = readInit();
        Checkpoint resume = resumeFile == null ? null : Checkpoint.read(resumeFile);

        Inputs inputs = loadInputs(threshold, csv, sampleWeights);
        String large = Notices.largeFeatures(inputs.train);
        if (large != null) {
            notice(large);
        }
        TrainingRun.Inputs run = runInputs(inputs, classWeights, init);
        if (factorsFile != null) {
            run = run.withPenaltyFactors(factorsFile.forFeatures(inputs.read.featureNames(),
                    inputs.train.numFeatures()));
        }
        Dataset train = run.train();
        Dataset test = run.test();
        try (Engine engine = backendOptions.open(this)) {
            report(String.format(Locale.ROOT, "data: %s, %d training and %d test examples, %d features (%s), "
                            + "%d classes", inputs.description, train.numExamples(), test == null ? 0
                            : test.numExamples(), train.numFeatures(), Notices.representation(train),
                    train.numClasses()));
            Progress progress = new Progress(err(), Progress.onTerminal());
            TrainingRun.Report outcome;
            Interruption interruption = Interruption.install(err(), "train");
            TrainingListener listener = interruption.around(common.quiet ? TrainingListener.NONE : progress);
            // With --report: the test set's curve, from the evaluations training makes anyway (see HeldOutCurves).
            HeldOutCurves heldOut = reportFile == null ? null : new HeldOutCurves(engine, test, listener);
            if (resume != null) {
                if (heldOut != null) {
                    heldOut.unknownBefore(resume.records());
                }
                report(String.format(Locale.ROOT, "resuming from checkpoint %s: iteration %d, %.2fs of training",
                        resumeFile, resume.iteration(), resume.elapsedSeconds()));
            }
            try (interruption) {
                outcome = TrainingRun.run(engine, options, run, heldOut == null ? listener : heldOut, heldOut,
                        writing, resume);
            } catch (UnsupportedOperationException e) {
                throw new InputException("--class-weight and --sample-weights: " + e.getMessage());
            } finally {
                progress.finish();
                if (heldOut != null) {
                    heldOut.close();
                }
            }
            TrainingResult result = outcome.result();
            Map<String, Double> metrics = outcome.metrics();
            var best = result.best();
            report(String.format(Locale.ROOT, "stopped: %s (%s) after %d iterations in %.2fs; best at iteration %d",
                    result.stopReason().id(), result.stopDetail(), result.iterations(), result.seconds(),
                    best.iteration()));
            if (result.separable()) {
                notice("notice: the training data are separable (with --lambda 0 every training example is classified "
                        + "correctly): the log-likelihood has no maximum, the weights grow for as long as the solver "
                        + "runs and the probabilities are overconfident; add a penalty such as --lambda 1");
            }
            StepReport step = result.step();
            if (step != null) {
                report(stepSummary(step));
            }
            report(String.format(Locale.ROOT, "train: accuracy %.4f, log-likelihood %.10g, objective %.12g, "
                            + "max|dF| %.3g (%s, evaluated in %s)", metrics.get("train_accuracy"),
                    metrics.get("log_likelihood"), metrics.get("objective"), metrics.get("gradient_max_abs"),
                    result.solver(), result.precision()));
            if (run.validation() != null) {
                report(String.format(Locale.ROOT, "validation: %d examples, best log-likelihood %.6g at iteration %d",
                        run.validation().numExamples(), metrics.get("validation_log_likelihood"), best.iteration()));
            }
            if (!Double.isNaN(outcome.testAccuracy())) {
                report(String.format(Locale.ROOT, "test:  accuracy %.4f, log-likelihood %.6g",
                        outcome.testAccuracy(), outcome.testLogLikelihood()));
            }
            TrainingInfo info = new TrainingInfo(engine.description(), seed, result.stopReason().id(),
                    result.iterations(), optionsMap(options, inputs, run.penaltyFactors()), metrics,
                    Instant.now().toString(), Version.get());
            // The profile is of every row of the training file (the held-out share included), as read.
            Model trained = modelOut == null && reportFile == null ? null : new Model(result.parameters(),
                    train.classNames(), inputs.threshold, info, !noBias, inputs.read.featureNames(),
                    inputs.read.profile());
            if (modelOut != null) {
                ModelFile.write(trained, modelOut);
                report("model written to " + modelOut);
            }
            if (reportFile != null || plotFile != null) {
                ReportFiles.writeForRun(reportFile, plotFile, trained, result, train.numExamples(),
                        run.validation() == null ? 0 : run.validation().numExamples(), test,
                        outcome.testLogLikelihood(), outcome.testAccuracy(), engine, inputs.description, heldOut);
                report((reportFile == null ? "" : "report written to " + reportFile)
                        + (reportFile != null && plotFile != null ? ", " : "")
                        + (plotFile == null ? "" : "curve written to " + plotFile));
            }
            boolean interrupted = result.stopReason() == StopReason.INTERRUPTED;
            int exitCode = interrupted ? interruption.exitCode()
                    : result.failed() ? ExitCodes.TRAINING_FAILED : ExitCodes.OK;
            if (interrupted) {
                report("interrupted (exit code " + exitCode + "): the best weights, from iteration "
                        + best.iteration() + ", were kept" + (modelOut == null ? "" : " and written")
                        + (writing == null ? "" : "; the state after iteration " + result.iterations()
                        + " is in checkpoint " + writing.file() + ": train --resume " + writing.file()
                        + " continues"));
            } else if (result.failed()) {
                report("training failed (exit code " + exitCode + "): " + (result.stopReason()
                        == org.softmax4j.train.StopReason.DIVERGED ? "it diverged" : "no iteration improved on the "
                        + "starting weights") + "; the best weights, from iteration " + best.iteration()
                        + ", were kept" + (modelOut == null ? "" : " and written"));
            }
            printJson(json(engine, inputs, outcome, exitCode));
            return exitCode;
        }
    }

    /** The result for --json: the run's settings and sizes, then its one metrics map, then the step. */
    private JsonObject json(Engine engine, Inputs inputs, TrainingRun.Report outcome, int exitCode) {
        TrainingResult result = outcome.result();
        TrainingRun.Inputs run = outcome.inputs();
        var best = result.best();
        JsonObject json = new JsonObject();
        json.addProperty("command", "train");
        json.addProperty("backend", engine.name());
        json.addProperty("engine", engine.description());
        json.addProperty("device", engine.deviceSummary());
        engine.settings().forEach((name, value) -> json.add(name, value instanceof Number number
                ? new com.google.gson.JsonPrimitive(number) : new com.google.gson.JsonPrimitive(String.valueOf(value))));
        json.addProperty("data", inputs.description);
        json.addProperty("n_train", run.train().numExamples());
        json.addProperty("n_test", run.test() == null ? 0 : run.test().numExamples());
        json.addProperty("features", run.train().numFeatures());
        json.addProperty("classes", run.train().numClasses());
        json.addProperty("no_bias", noBias);
        PenaltyFactors factors = run.penaltyFactors();
        json.addProperty("penalty_factors", factors.isNone() ? null : factors.summary());
        json.addProperty("iterations", result.iterations());
        json.addProperty("best_iteration", best.iteration());
        json.addProperty("stop_reason", result.stopReason().id());
        json.addProperty("stop_detail", result.stopDetail());
        json.addProperty("separable", result.separable());
        json.addProperty("solver", result.solver());
        json.addProperty("precision", result.precision());
        json.addProperty("n_validation", run.validation() == null ? 0 : run.validation().numExamples());
        json.add("validation_log_likelihood", null);  // null without a validation set; the metrics give it with one
        outcome.metrics().forEach((name, value) -> json.add(name, Json.number(value)));
        if (!Double.isNaN(best.optimalityGap())) {
            json.add("optimality_gap", Json.number(best.optimalityGap()));
        }
        json.add("seconds", Json.number(result.seconds()));
        json.addProperty("model", modelOut == null ? null : modelOut.toString());
        json.addProperty("checkpoint", checkpointFile != null ? checkpointFile.toString()
                : resumeFile == null ? null : resumeFile.toString());
        json.addProperty("resumed_from", resumeFile == null ? null : resumeFile.toString());
        StepReport step = result.step();
        if (step != null) {
            json.add("learning_rate", Json.number(step.chosen()));
            json.addProperty("learning_rate_auto", step.auto());
            json.add("learning_rate_final", Json.number(step.last()));
            json.addProperty("acceleration", step.acceleration().id());
            json.addProperty("safeguard_falls", step.falls());
            json.addProperty("safeguard_halvings", step.halvings());
            json.addProperty("momentum_restarts", step.restarts());
        }
        json.addProperty("failed", result.failed());
        json.addProperty("exit_code", exitCode);
        return json;
    }

    private void checkModelOut() {
        if (modelOut != null) {
            Path parent = modelOut.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new InputException("--model-out " + modelOut + ": directory " + parent + " does not exist");
            }
            if (Files.isDirectory(modelOut)) {
                throw new InputException("--model-out " + modelOut + " is a directory, expected a file name");
            }
        }
    }

    /**
     * Where checkpoints go (--checkpoint, else the --resume file) and how often; null without either. Checked before
     * any data is read, as --model-out is.
     */
    private Checkpoint.Writing checkpointWriting() {
        Path file = checkpointFile != null ? checkpointFile : resumeFile;
        if (file == null) {
            if (checkpointEvery != null) {
                throw new InputException("--checkpoint-every needs --checkpoint FILE (or --resume FILE)");
            }
            return null;
        }
        if (initModel != null && resumeFile != null) {
            throw new InputException("--init " + initModel + " and --resume " + resumeFile + ": a resumed run starts "
                    + "where its checkpoint left off; give one of them");
        }
        Path parent = file.toAbsolutePath().getParent();
        String option = checkpointFile != null ? "--checkpoint " : "--resume ";
        if (parent != null && !Files.isDirectory(parent)) {
            throw new InputException(option + file + ": directory " + parent + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new InputException(option + file + " is a directory, expected a file name");
        }
        double seconds = checkpointEvery == null ? DEFAULT_CHECKPOINT_SECONDS : checkpointEvery;
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new InputException("--checkpoint-every is " + checkpointEvery + ", expected a number of seconds "
                    + ">= 0");
        }
        AtomicFile.removeAbandoned(file);
        return new Checkpoint.Writing(file, seconds);
    }

    private void checkFractions() {
        if (!(testFraction >= 0 && testFraction < 1)) {
            throw new InputException("--test-fraction is " + testFraction + ", expected a number in [0, 1)");
        }
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new InputException("--validation-fraction is " + validationFraction
                    + ", expected a number in [0, 1)");
        }
        if (testFile != null && trainFile == null) {
            throw new InputException("--test " + testFile + " needs --train FILE too");
        }
    }

    private ClassWeights parseClassWeights() {
        try {
            return classWeight == null ? null : ClassWeights.parse(classWeight);
        } catch (IllegalArgumentException e) {
            throw new InputException("--class-weight " + e.getMessage());
        }
    }

    /** The model of --init, read and checked for its kind (with a bias or without); null without --init. */
    private Model readInit() {
        if (initModel == null) {
            return null;
        }
        Model model = ModelFile.read(initModel);
        String problem = model.warmStartProblem(!noBias, null, 0);
        if (problem != null) {
            throw new InputException("--init " + initModel + " " + problem);
        }
        return model;
    }

    /** The run's inputs: the validation split, the weights, the start (--init checked against the data). */
    private TrainingRun.Inputs runInputs(Inputs inputs, ClassWeights classWeights, Model init) {
        Parameters start = null;
        if (init != null) {
            String problem = init.warmStartProblem(!noBias, inputs.train.classNames(), inputs.train.numFeatures());
            if (problem != null) {
                throw new InputException("--init " + initModel + " " + problem);
            }
            start = init.parameters();
        }
        try {
            return TrainingRun.Inputs.of(inputs.train, inputs.trainWeights, classWeights, validationFraction, seed,
                    inputs.test, start);
        } catch (IllegalArgumentException e) {
            throw new InputException((e.getMessage().startsWith("\"") ? "--class-weight " : "bad weights: ")
                    + e.getMessage());
        }
    }

    private TrainingOptions trainingOptions() {
        try {
            return new TrainingOptions(parseLearningRate(), maxIterations, lambda, tolerance, batchSize, seed,
                    SolverType.parse(solver), alpha, parseHistory(), momentum, nesterov, Schedule.parse(schedule), patience,
                    Precision.parse(precision), Preconditioner.parse(preconditioner), noBias,
                    Acceleration.parse(acceleration));
        } catch (IllegalArgumentException e) {
            throw new InputException("bad option: " + e.getMessage());
        }
    }

    private int parseHistory() {
        if (history.trim().equalsIgnoreCase("auto")) {
            return TrainingOptions.AUTO_HISTORY;
        }
        try {
            int value = Integer.parseInt(history.trim());
            if (value < 1) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("history is \"" + history + "\", expected auto or a whole number ≥ 1");
        }
    }

    private double parseLearningRate() {
        if (learningRate.trim().equalsIgnoreCase("auto")) {
            return TrainingOptions.AUTO_LEARNING_RATE;
        }
        try {
            double value = Double.parseDouble(learningRate.trim());
            if (Double.isNaN(value)) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("learning rate is \"" + learningRate
                    + "\", expected auto or a finite number > 0");
        }
    }

    /** The data to train and test on, the training rows' sample weights (or null), and the threshold applied. */
    private record Inputs(Dataset train, Dataset test, Double threshold, String description, double[] trainWeights,
                          CsvData read) {
    }

    private Inputs loadInputs(Double threshold, CsvOptions csv, SampleWeights sampleWeights) {
        if (trainFile == null) {
            CsvData digits = BuiltinDigits.loadProfiled(threshold);
            Dataset all = digits.data();
            double[] weights = sampleWeights == null ? null : sampleWeights.forRows(all.numExamples());
            int[][] parts = Splits.stratifiedIndices(all, testFraction, seed);
            return new Inputs(all.select(parts[0]), all.select(parts[1]), threshold, "built-in digits"
                    + (threshold == null ? " (counts 0..16)" : " binarized at " + formatThreshold(threshold)),
                    ExampleWeights.select(weights, parts[0]), digits);
        }
        CsvData read = CsvReader.readProfiled(trainFile, csv);
        noticeNumericHeader(read);
        Dataset train = read.data();
        double[] weights = sampleWeights == null ? null : sampleWeights.forRows(train.numExamples());
        if (testFile != null) {
            CsvData test = CsvReader.readForModel(testFile, csv, train.classNames(), train.numFeatures(),
                    read.featureNames(), false);
            noticeNumericHeader(test);
            return new Inputs(train, test.data(), threshold, trainFile + " and " + testFile, weights, read);
        }
        int[][] parts = Splits.stratifiedIndices(train, testFraction, seed);
        // Without a test set the training rows are every row in order: the rows as read, not a copy of them.
        return new Inputs(parts[1].length == 0 ? train : train.select(parts[0]), train.select(parts[1]), threshold,
                trainFile.toString(), ExampleWeights.select(weights, parts[0]), read);
    }

    private void noticeNumericHeader(CsvData read) {
        String line = Notices.numericHeader(read);
        if (line != null) {
            notice(line);
        }
    }

    static String stepSummary(StepReport step) {
        String text = step.auto() && step.bound() != null
                ? String.format(Locale.ROOT, "step: eta %.6g (auto, 1/L with L = %.6g%s), %s", step.chosen(),
                        step.bound().lipschitz(), step.bound().isCentered() ? String.format(Locale.ROOT,
                                " in centred coordinates, bias step x%.4g", step.bound().biasStepRatio()) : "",
                        step.acceleration() == Acceleration.NESTEROV ? "Nesterov with restart" : "plain")
                : String.format(Locale.ROOT, "step: eta %.6g (%s)", step.chosen(), step.auto() ? "auto" : "given");
        if (step.falls() > 0 || step.restarts() > 0) {
            text += String.format(Locale.ROOT, "; safeguard: F fell %d times (best weights restored), eta halved %d "
                    + "times to %.6g; momentum restarted %d times", step.falls(), step.halvings(), step.last(),
                    step.restarts());
        }
        return text;
    }

    static String formatThreshold(double threshold) {
        return threshold == Math.rint(threshold) ? String.valueOf((long) threshold) : String.valueOf(threshold);
    }

    private Map<String, String> optionsMap(TrainingOptions options, Inputs inputs, PenaltyFactors factors) {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("data", inputs.description);
        if (testFile == null) {
            map.put("test_fraction", String.valueOf(testFraction));
        }
        map.putAll(options.record());
        if (penaltyFactorsFile != null) {
            map.put("penalty_factors_file", penaltyFactorsFile.toString());
        }
        factors.record(map);
        if (classWeight != null) {
            map.put("class_weight", classWeight);
        }
        if (sampleWeightsFile != null) {
            map.put("sample_weights", sampleWeightsFile.toString());
        }
        if (validationFraction > 0) {
            map.put("validation_fraction", String.valueOf(validationFraction));
            map.put("patience", String.valueOf(options.patience()));
        }
        if (initModel != null) {
            map.put("init", initModel.toString());
        }
        map.put("binarize", inputs.threshold == null ? "none" : String.valueOf(inputs.threshold));
        return map;
    }
}
