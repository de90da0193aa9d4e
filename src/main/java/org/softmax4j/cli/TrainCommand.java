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
import org.softmax4j.data.CsvReader;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.Split;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.model.Model;
import org.softmax4j.model.ModelFile;
import org.softmax4j.model.TrainingInfo;
import org.softmax4j.train.Trainer;
import org.softmax4j.train.TrainingOptions;
import org.softmax4j.train.TrainingResult;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", sortOptions = false,
        description = {"Train softmax regression by gradient ascent on the log-likelihood.",
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

    @Option(names = "--learning-rate", paramLabel = "ETA", defaultValue = "" + TrainingOptions.DEFAULT_LEARNING_RATE,
            description = "Step: W += (ETA/B)·∇F over a batch of B. Default: ${DEFAULT-VALUE}.")
    double learningRate;

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
        Dataset train = inputs.train;
        Dataset test = inputs.test;

        try (Engine engine = backendOptions.open()) {
            Notices.backendChosen(this, backendOptions, engine);
            report(String.format(Locale.ROOT, "data: %s, %d training and %d test examples, %d features (%s), "
                            + "%d classes", inputs.description, train.numExamples(), test == null ? 0
                            : test.numExamples(), train.numFeatures(), Notices.representation(train),
                    train.numClasses()));
            Progress progress = new Progress(err(), Progress.onTerminal());
            TrainingResult result;
            try (Evaluator evaluator = engine.bind(train)) {
                result = new Trainer(options).train(evaluator, common.quiet ? (r, m) -> { } : progress);
            } finally {
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
            report(String.format(Locale.ROOT, "train: accuracy %.4f, log-likelihood %.6g, objective %.6g",
                    best.trainAccuracy(), best.logLikelihood(), best.objective()));
            if (!Double.isNaN(testAccuracy)) {
                report(String.format(Locale.ROOT, "test:  accuracy %.4f, log-likelihood %.6g",
                        testAccuracy, testLogLikelihood));
            }

            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("log_likelihood", best.logLikelihood());
            metrics.put("objective", best.objective());
            metrics.put("gradient_norm", best.gradientNorm());
            metrics.put("train_accuracy", best.trainAccuracy());
            metrics.put("test_log_likelihood", testLogLikelihood);
            metrics.put("test_accuracy", testAccuracy);
            if (modelOut != null) {
                TrainingInfo info = new TrainingInfo(engine.description(), seed, result.stopReason().id(),
                        result.iterations(), optionsMap(options, inputs), metrics, Instant.now().toString(),
                        Version.get());
                ModelFile.write(new Model(result.parameters(), train.classNames(), inputs.threshold, info), modelOut);
                report("model written to " + modelOut);
            }

            JsonObject json = new JsonObject();
            json.addProperty("command", "train");
            json.addProperty("backend", engine.name());
            json.addProperty("engine", engine.description());
            json.addProperty("data", inputs.description);
            json.addProperty("n_train", train.numExamples());
            json.addProperty("n_test", test == null ? 0 : test.numExamples());
            json.addProperty("features", train.numFeatures());
            json.addProperty("classes", train.numClasses());
            json.addProperty("iterations", result.iterations());
            json.addProperty("best_iteration", best.iteration());
            json.addProperty("stop_reason", result.stopReason().id());
            json.addProperty("stop_detail", result.stopDetail());
            json.add("log_likelihood", Json.number(best.logLikelihood()));
            json.add("objective", Json.number(best.objective()));
            json.add("gradient_norm", Json.number(best.gradientNorm()));
            json.add("train_accuracy", Json.number(best.trainAccuracy()));
            json.add("test_log_likelihood", Json.number(testLogLikelihood));
            json.add("test_accuracy", Json.number(testAccuracy));
            json.add("seconds", Json.number(result.seconds()));
            json.addProperty("model", modelOut == null ? null : modelOut.toString());
            printJson(json);
        }
        return ExitCodes.OK;
    }

    private TrainingOptions trainingOptions() {
        try {
            return new TrainingOptions(learningRate, maxIterations, lambda, tolerance, batchSize, seed);
        } catch (IllegalArgumentException e) {
            throw new InputException("bad option: " + e.getMessage());
        }
    }

    /** The data to train and test on, and the threshold applied to it. */
    private record Inputs(Dataset train, Dataset test, Double threshold, String description) {
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
            Dataset all = BuiltinDigits.load(threshold);
            Split split = Splits.stratified(all, testFraction, seed);
            return new Inputs(split.train(), split.test(), threshold, "built-in digits"
                    + (threshold == null ? " (counts 0..16)" : " binarized at " + formatThreshold(threshold)));
        }
        Double threshold = dataOptions.threshold(null);
        var csv = dataOptions.csvOptions(threshold);
        Dataset train = CsvReader.read(trainFile, csv);
        if (testFile != null) {
            Dataset test = CsvReader.read(testFile, csv, train.classNames(), train.numFeatures());
            return new Inputs(train, test, threshold, trainFile + " and " + testFile);
        }
        Split split = Splits.stratified(train, testFraction, seed);
        return new Inputs(split.train(), split.test(), threshold, trainFile.toString());
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
        map.put("learning_rate", String.valueOf(options.learningRate()));
        map.put("max_iterations", String.valueOf(options.maxIterations()));
        map.put("lambda", String.valueOf(options.lambda()));
        map.put("tolerance", String.valueOf(options.tolerance()));
        map.put("batch_size", String.valueOf(options.batchSize()));
        map.put("seed", String.valueOf(options.seed()));
        map.put("binarize", inputs.threshold == null ? "none" : String.valueOf(inputs.threshold));
        return map;
    }
}
