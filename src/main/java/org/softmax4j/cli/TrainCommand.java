package org.softmax4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.google.gson.JsonObject;

import org.softmax4j.InputException;
import org.softmax4j.Version;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.CsvData;
import org.softmax4j.data.CsvReader;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.model.Model;
import org.softmax4j.model.ModelFile;
import org.softmax4j.model.TrainingInfo;
import org.softmax4j.engine.Parameters;
import org.softmax4j.train.Acceleration;
import org.softmax4j.train.ExampleWeights;
import org.softmax4j.train.Precision;
import org.softmax4j.train.Preconditioner;
import org.softmax4j.train.Schedule;
import org.softmax4j.train.SolverType;
import org.softmax4j.train.StepReport;
import org.softmax4j.train.Trainer;
import org.softmax4j.train.TrainingOptions;
import org.softmax4j.train.TrainingResult;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", sortOptions = false,
        description = {"Train softmax regression: maximise the penalised log-likelihood by ascent, L-BFGS, OWL-QN, "
                + "SGD with momentum, or Adam.",
                "With no data options: the built-in 8x8 digits, binarized at 8, split 80/20 by --seed."})
final class TrainCommand extends BaseCommand {
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
                    + "curvature of F), safeguarded. Default: ${DEFAULT-VALUE}.")
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
            description = "Stop when the relative change of F, or ||∇F||/N, is below T. Default: ${DEFAULT-VALUE}.")
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
            description = "ascent, lbfgs, owlqn (L1 / elastic net), sgd (momentum, schedules) or adam. "
                    + "Default: ${DEFAULT-VALUE}.")
    String solver;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0",
            description = "L1 share of the penalty L·(A·||W||₁ + (1-A)/2·||W||²); above 0 needs --solver owlqn. "
                    + "Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Option(names = "--history", paramLabel = "M", defaultValue = "" + TrainingOptions.DEFAULT_HISTORY,
            description = "Pairs kept by lbfgs and owlqn. Default: ${DEFAULT-VALUE}.")
    int history;

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

    @Option(names = "--preconditioner", paramLabel = "center|center-unscaled|none", defaultValue = "center",
            description = "lbfgs/owlqn: precondition as if the features were centred (center; same optimum, "
                    + "fewer iterations; for dense features lbfgs also takes their scale out), centred alone "
                    + "(center-unscaled), or not at all (none). Default: ${DEFAULT-VALUE}.")
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

    @Mixin
    DataOptions dataOptions;

    @Mixin
    BackendOptions backendOptions;

    @Override
    int execute() {
        TrainingOptions options = trainingOptions();
        if (modelOut != null) {
            Path parent = modelOut.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new InputException("--model-out " + modelOut + ": directory " + parent + " does not exist");
            }
            if (Files.isDirectory(modelOut)) {
                throw new InputException("--model-out " + modelOut + " is a directory, expected a file name");
            }
        }
        Inputs inputs = loadInputs();
        String large = Notices.largeFeatures(inputs.train);
        if (large != null) {
            notice(large);
        }
        Dataset train = inputs.train;
        Dataset test = inputs.test;
        double[] trainWeights = inputs.trainWeights;
        Dataset validation = null;
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new InputException("--validation-fraction is " + validationFraction
                    + ", expected a number in [0, 1)");
        }
        if (validationFraction > 0) {
            int[][] parts = Splits.stratifiedIndices(train, validationFraction, seed + 1);
            validation = train.select(parts[1]);
            trainWeights = ExampleWeights.select(trainWeights, parts[0]);
            train = train.select(parts[0]);
        }
        double[] classWeights = classWeights(train);
        double[] exampleWeights;
        try {
            exampleWeights = ExampleWeights.combine(train, trainWeights, classWeights);
        } catch (IllegalArgumentException e) {
            throw new InputException("bad weights: " + e.getMessage());
        }
        Parameters start = initialParameters(train);

        try (Engine engine = backendOptions.open(this)) {
            report(String.format(Locale.ROOT, "data: %s, %d training and %d test examples, %d features (%s), "
                            + "%d classes", inputs.description, train.numExamples(), test == null ? 0
                            : test.numExamples(), train.numFeatures(), Notices.representation(train),
                    train.numClasses()));
            Progress progress = new Progress(err(), Progress.onTerminal());
            TrainingResult result;
            Evaluator validationEvaluator = null;
            try (Evaluator evaluator = bind(engine, train, exampleWeights)) {
                validationEvaluator = validation == null ? null : engine.bind(validation);
                result = new Trainer(options).train(evaluator, exampleWeights, validationEvaluator, start,
                        common.quiet ? (r, m) -> { } : progress);
            } finally {
                if (validationEvaluator != null) {
                    validationEvaluator.close();
                }
                progress.finish();
            }
            double testLogLikelihood = Double.NaN;
            double testAccuracy = Double.NaN;
            if (test != null && test.numExamples() > 0) {
                Evaluation evaluation = new Evaluation(test.numClasses(), test.numFeatures());
                try (Evaluator evaluator = engine.bind(test)) {
                    evaluator.evaluate(result.parameters(), evaluation);
                }
                testLogLikelihood = evaluation.logLikelihood();
                testAccuracy = evaluation.accuracy();
            }
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
                            + "max|dF| %.3g (%s, evaluated in %s)", best.trainAccuracy(), best.logLikelihood(),
                    best.objective(), best.gradientMaxAbs(), result.solver(), result.precision()));
            if (validation != null) {
                report(String.format(Locale.ROOT, "validation: %d examples, best log-likelihood %.6g at iteration %d",
                        validation.numExamples(), best.validationLogLikelihood(), best.iteration()));
            }
            if (!Double.isNaN(testAccuracy)) {
                report(String.format(Locale.ROOT, "test:  accuracy %.4f, log-likelihood %.6g",
                        testAccuracy, testLogLikelihood));
            }

            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("log_likelihood", best.logLikelihood());
            metrics.put("objective", best.objective());
            // Two gradient sizes, each under its own name: max|dF| (what lbfgs and owlqn stop on) and ||dF||/N.
            metrics.put("gradient_max_abs", best.gradientMaxAbs());
            metrics.put("gradient_norm_per_example", best.gradientNorm());
            if (validation != null) {
                metrics.put("validation_log_likelihood", best.validationLogLikelihood());
            }
            metrics.put("train_accuracy", best.trainAccuracy());
            metrics.put("test_log_likelihood", testLogLikelihood);
            metrics.put("test_accuracy", testAccuracy);
            if (modelOut != null) {
                TrainingInfo info = new TrainingInfo(engine.description(), seed, result.stopReason().id(),
                        result.iterations(), optionsMap(options, inputs), metrics, Instant.now().toString(),
                        Version.get());
                // The profile is of every row of the training file (the held-out share included), as read.
                ModelFile.write(new Model(result.parameters(), train.classNames(), inputs.threshold, info, !noBias,
                        inputs.read.featureNames(), inputs.read.profile()), modelOut);
                report("model written to " + modelOut);
            }

            JsonObject json = new JsonObject();
            json.addProperty("command", "train");
            json.addProperty("backend", engine.name());
            json.addProperty("engine", engine.description());
            json.addProperty("device", engine.deviceSummary());
            json.addProperty("data", inputs.description);
            json.addProperty("n_train", train.numExamples());
            json.addProperty("n_test", test == null ? 0 : test.numExamples());
            json.addProperty("features", train.numFeatures());
            json.addProperty("classes", train.numClasses());
            json.addProperty("no_bias", noBias);
            json.addProperty("iterations", result.iterations());
            json.addProperty("best_iteration", best.iteration());
            json.addProperty("stop_reason", result.stopReason().id());
            json.addProperty("stop_detail", result.stopDetail());
            json.addProperty("separable", result.separable());
            json.add("log_likelihood", Json.number(best.logLikelihood()));
            json.add("objective", Json.number(best.objective()));
            json.add("gradient_max_abs", Json.number(best.gradientMaxAbs()));
            json.add("gradient_norm_per_example", Json.number(best.gradientNorm()));
            json.addProperty("solver", result.solver());
            json.addProperty("precision", result.precision());
            json.addProperty("n_validation", validation == null ? 0 : validation.numExamples());
            json.add("validation_log_likelihood", Json.number(best.validationLogLikelihood()));
            json.add("train_accuracy", Json.number(best.trainAccuracy()));
            json.add("test_log_likelihood", Json.number(testLogLikelihood));
            json.add("test_accuracy", Json.number(testAccuracy));
            json.add("seconds", Json.number(result.seconds()));
            json.addProperty("model", modelOut == null ? null : modelOut.toString());
            if (step != null) {
                json.add("learning_rate", Json.number(step.chosen()));
                json.addProperty("learning_rate_auto", step.auto());
                json.add("learning_rate_final", Json.number(step.last()));
                json.addProperty("acceleration", step.acceleration().id());
                json.addProperty("safeguard_falls", step.falls());
                json.addProperty("safeguard_halvings", step.halvings());
                json.addProperty("momentum_restarts", step.restarts());
            }
            int exitCode = result.failed() ? ExitCodes.TRAINING_FAILED : ExitCodes.OK;
            json.addProperty("failed", result.failed());
            json.addProperty("exit_code", exitCode);
            if (result.failed()) {
                report("training failed (exit code " + exitCode + "): " + (result.stopReason()
                        == org.softmax4j.train.StopReason.DIVERGED ? "it diverged" : "no iteration improved on the "
                        + "starting weights") + "; the best weights, from iteration " + best.iteration()
                        + ", were kept" + (modelOut == null ? "" : " and written"));
            }
            printJson(json);
            return exitCode;
        }
    }

    private TrainingOptions trainingOptions() {
        try {
            return new TrainingOptions(parseLearningRate(), maxIterations, lambda, tolerance, batchSize, seed,
                    SolverType.parse(solver), alpha, history, momentum, nesterov, Schedule.parse(schedule), patience,
                    Precision.parse(precision), Preconditioner.parse(preconditioner), noBias,
                    Acceleration.parse(acceleration));
        } catch (IllegalArgumentException e) {
            throw new InputException("bad option: " + e.getMessage());
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

    private static Evaluator bind(Engine engine, Dataset data, double[] exampleWeights) {
        try {
            return engine.bind(data, exampleWeights);
        } catch (UnsupportedOperationException e) {
            throw new InputException("--class-weight and --sample-weights: " + e.getMessage());
        }
    }

    /** Class weights from --class-weight, or null. */
    private double[] classWeights(Dataset train) {
        if (classWeight == null) {
            return null;
        }
        if (classWeight.equalsIgnoreCase("balanced")) {
            return ExampleWeights.balanced(train);
        }
        double[] weights = new double[train.numClasses()];
        java.util.Arrays.fill(weights, 1.0);
        for (String item : classWeight.split(",", -1)) {
            int equals = item.lastIndexOf('=');
            String name = equals < 0 ? "" : item.substring(0, equals).trim();
            int k = train.classNames().indexOf(name);
            if (equals < 0 || k < 0) {
                throw new InputException("--class-weight \"" + item + "\": expected balanced or CLASS=WEIGHT with a "
                        + "class of " + train.classNames());
            }
            try {
                double w = Double.parseDouble(item.substring(equals + 1).trim());
                if (!(w >= 0) || Double.isInfinite(w)) {
                    throw new NumberFormatException();
                }
                weights[k] = w;
            } catch (NumberFormatException e) {
                throw new InputException("--class-weight \"" + item + "\": expected a finite weight >= 0");
            }
        }
        return weights;
    }

    /** The rows' sample weights from --sample-weights, or null. */
    private double[] readSampleWeights(int numRows) {
        if (sampleWeightsFile == null) {
            return null;
        }
        java.util.List<String> lines;
        try {
            lines = Files.readAllLines(sampleWeightsFile);
        } catch (java.io.IOException e) {
            throw new InputException("--sample-weights " + sampleWeightsFile + ": cannot read it (" + e + ")");
        }
        double[] weights = new double[numRows];
        int count = 0;
        for (int line = 0; line < lines.size(); line++) {
            String text = lines.get(line).trim();
            if (text.isEmpty()) {
                continue;
            }
            double w;
            try {
                w = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                w = Double.NaN;
            }
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw InputException.at(sampleWeightsFile.toString(), line + 1, 1, "expected a finite weight >= 0, "
                        + "found \"" + text + "\"");
            }
            if (count < numRows) {
                weights[count] = w;
            }
            count++;
        }
        if (count != numRows) {
            throw new InputException("--sample-weights " + sampleWeightsFile + " has " + count + " weights, expected "
                    + numRows + " (one per training row)");
        }
        return weights;
    }

    /** The starting point: zero, or the weights of --init, checked against the data. */
    private Parameters initialParameters(Dataset train) {
        if (initModel == null) {
            return new Parameters(train.numClasses(), train.numFeatures());
        }
        Model model = ModelFile.read(initModel);
        if (model.hasBias() == noBias) {
            throw new InputException("--init " + initModel + (noBias
                    ? " has a bias, but --no-bias trains a model without one; warm-start from a model trained with "
                            + "--no-bias"
                    : " has no bias (trained with --no-bias); add --no-bias to continue it"));
        }
        if (!model.classNames().equals(train.classNames())) {
            throw new InputException("--init " + initModel + " has classes " + model.classNames()
                    + ", expected the training classes " + train.classNames());
        }
        if (model.numFeatures() != train.numFeatures()) {
            throw new InputException("--init " + initModel + " has " + model.numFeatures() + " features, expected "
                    + train.numFeatures() + " as in the training data");
        }
        return model.parameters();
    }

    private Inputs loadInputs() {
        if (!(testFraction >= 0 && testFraction < 1)) {
            throw new InputException("--test-fraction is " + testFraction + ", expected a number in [0, 1)");
        }
        if (testFile != null && trainFile == null) {
            throw new InputException("--test " + testFile + " needs --train FILE too");
        }
        if (trainFile == null) {
            Double threshold = dataOptions.threshold(BuiltinDigits.DEFAULT_THRESHOLD);
            CsvData digits = BuiltinDigits.loadProfiled(threshold);
            Dataset all = digits.data();
            double[] sampleWeights = readSampleWeights(all.numExamples());
            int[][] parts = Splits.stratifiedIndices(all, testFraction, seed);
            return new Inputs(all.select(parts[0]), all.select(parts[1]), threshold, "built-in digits"
                    + (threshold == null ? " (counts 0..16)" : " binarized at " + formatThreshold(threshold)),
                    ExampleWeights.select(sampleWeights, parts[0]), digits);
        }
        Double threshold = dataOptions.threshold(null);
        var csv = dataOptions.csvOptions(threshold);
        CsvData read = CsvReader.readProfiled(trainFile, csv);
        noticeNumericHeader(read);
        Dataset train = read.data();
        double[] sampleWeights = readSampleWeights(train.numExamples());
        if (testFile != null) {
            CsvData test = CsvReader.readForModel(testFile, csv, train.classNames(), train.numFeatures(),
                    read.featureNames(), false);
            noticeNumericHeader(test);
            return new Inputs(train, test.data(), threshold, trainFile + " and " + testFile, sampleWeights, read);
        }
        int[][] parts = Splits.stratifiedIndices(train, testFraction, seed);
        return new Inputs(train.select(parts[0]), train.select(parts[1]), threshold, trainFile.toString(),
                ExampleWeights.select(sampleWeights, parts[0]), read);
    }

    private void noticeNumericHeader(CsvData read) {
        String line = Notices.numericHeader(read);
        if (line != null) {
            notice(line);
        }
    }

    static String stepSummary(StepReport step) {
        String text = step.auto() && step.bound() != null
                ? String.format(Locale.ROOT, "step: eta %.6g (auto, 1/L with L = %.6g), %s", step.chosen(),
                        step.bound().lipschitz(), step.acceleration() == Acceleration.NESTEROV
                                ? "Nesterov with restart" : "plain")
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

    private Map<String, String> optionsMap(TrainingOptions options, Inputs inputs) {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("data", inputs.description);
        if (testFile == null) {
            map.put("test_fraction", String.valueOf(testFraction));
        }
        map.put("learning_rate", options.autoLearningRate() ? "auto" : String.valueOf(options.learningRate()));
        if (options.autoLearningRate() && options.solver() == SolverType.ASCENT) {
            map.put("acceleration", options.acceleration().id());
        }
        map.put("max_iterations", String.valueOf(options.maxIterations()));
        map.put("lambda", String.valueOf(options.lambda()));
        map.put("tolerance", String.valueOf(options.tolerance()));
        map.put("batch_size", String.valueOf(options.batchSize()));
        map.put("seed", String.valueOf(options.seed()));
        map.put("solver", options.solver().id());
        map.put("alpha", String.valueOf(options.alpha()));
        if (options.noBias()) {
            map.put("no_bias", "true");
        }
        if (options.solver().isQuasiNewton()) {
            map.put("history", String.valueOf(options.history()));
            map.put("precision", options.precision().id());
            map.put("preconditioner", options.preconditioner().id());
        }
        if (options.solver() == SolverType.SGD) {
            map.put("momentum", String.valueOf(options.momentum()));
            map.put("nesterov", String.valueOf(options.nesterov()));
        }
        if (options.solver() == SolverType.SGD || options.solver() == SolverType.ADAM) {
            map.put("schedule", options.schedule().id());
        }
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
