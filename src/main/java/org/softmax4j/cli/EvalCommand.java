package org.softmax4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.softmax4j.InputException;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.CsvData;
import org.softmax4j.data.CsvReader;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.model.Model;
import org.softmax4j.model.ModelFile;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", sortOptions = false,
        description = {"Evaluate a model on labelled data: accuracy, log-loss, per-class precision and recall, and "
                + "the confusion matrix.",
                "Without --data: the held-out part of the built-in digits, split as train does with --seed "
                        + "(default: the model's seed)."})
final class EvalCommand extends BaseCommand {
    @Option(names = "--model", paramLabel = "FILE", required = true, description = "A model written by train.")
    Path modelFile;

    @Option(names = "--data", paramLabel = "FILE", description = "Labelled data (CSV, optionally .gz).")
    Path dataFile;

    @Option(names = "--seed", paramLabel = "S", description = "Split seed for the built-in digits.")
    Long seed;

    @Option(names = "--test-fraction", paramLabel = "F", defaultValue = "0.2",
            description = "Held-out share of the built-in digits. Default: ${DEFAULT-VALUE}.")
    double testFraction;

    @Option(names = "--strict",
            description = "Fail (exit 2) instead of evaluating when the data draw a notice: columns far outside "
                    + "the training range, a binarization that makes columns constant, a numeric header, a split seed "
                    + "other than the model's.")
    boolean strict;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    BackendOptions backendOptions;

    @Override
    int execute() {
        Model model = ModelFile.read(modelFile);
        Dataset data = load(model);
        int numClasses = model.numClasses();
        int numExamples = data.numExamples();
        Parameters parameters = model.parameters();
        float[] probabilities = new float[Math.multiplyExact(numExamples, numClasses)];
        Evaluation evaluation = new Evaluation(numClasses, model.numFeatures());
        String backend;
        String device;
        try (Engine engine = backendOptions.open(this); Evaluator evaluator = engine.bind(data)) {
            evaluator.evaluate(parameters, evaluation);
            evaluator.probabilities(parameters, probabilities);
            backend = engine.name();
            device = engine.deviceSummary();
        }
        long[][] confusion = new long[numClasses][numClasses];
        for (int n = 0; n < numExamples; n++) {
            confusion[data.label(n)][PredictCommand.argmax(probabilities, n, numClasses)]++;
        }
        long correct = 0;
        for (int k = 0; k < numClasses; k++) {
            correct += confusion[k][k];
        }
        double accuracy = (double) correct / numExamples;
        double logLoss = -evaluation.logLikelihood() / numExamples;
        List<String> names = model.classNames();

        report(String.format(Locale.ROOT, "%s: %d examples, accuracy %.4f, log-loss %.6f (log-likelihood %.6g)",
                dataFile == null ? "built-in digits (held out)" : dataFile, numExamples, accuracy, logLoss,
                evaluation.logLikelihood()));
        int width = Math.max(5, names.stream().mapToInt(String::length).max().orElse(5));
        report(String.format(Locale.ROOT, "%-" + width + "s  %9s  %9s  %9s  %7s", "class", "precision", "recall",
                "f1", "support"));
        JsonArray perClass = new JsonArray();
        for (int k = 0; k < numClasses; k++) {
            long predicted = 0;
            long support = 0;
            for (int i = 0; i < numClasses; i++) {
                predicted += confusion[i][k];
                support += confusion[k][i];
            }
            double precision = predicted == 0 ? Double.NaN : (double) confusion[k][k] / predicted;
            double recall = support == 0 ? Double.NaN : (double) confusion[k][k] / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            report(String.format(Locale.ROOT, "%-" + width + "s  %9s  %9s  %9s  %7d", names.get(k),
                    format(precision), format(recall), format(f1), support));
            JsonObject row = new JsonObject();
            row.addProperty("class", names.get(k));
            row.add("precision", Json.number(precision));
            row.add("recall", Json.number(recall));
            row.add("f1", Json.number(f1));
            row.addProperty("support", support);
            perClass.add(row);
        }
        int cell = Math.max(5, Long.toString(numExamples).length() + 1);
        JsonArray matrix = new JsonArray();
        for (int k = 0; k < numClasses; k++) {
            JsonArray row = new JsonArray();
            for (int i = 0; i < numClasses; i++) {
                row.add(confusion[k][i]);
            }
            matrix.add(row);
        }
        if (width + numClasses * (cell + 1) <= MAX_MATRIX_WIDTH) {
            report("confusion matrix (rows: true class, columns: predicted class):");
            StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%" + width + "s", ""));
            for (String name : names) {
                header.append(String.format(Locale.ROOT, " %" + cell + "s", abbreviate(name, cell)));
            }
            report(header.toString());
            for (int k = 0; k < numClasses; k++) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", names.get(k)));
                for (int i = 0; i < numClasses; i++) {
                    line.append(String.format(Locale.ROOT, " %" + cell + "d", confusion[k][i]));
                }
                report(line.toString());
            }
        } else {
            topConfusions(confusion, names).forEach(this::report);
        }

        JsonObject json = new JsonObject();
        json.addProperty("command", "eval");
        json.addProperty("model", modelFile.toString());
        json.addProperty("no_bias", !model.hasBias());
        json.addProperty("data", dataFile == null ? "built-in digits (held out)" : dataFile.toString());
        json.addProperty("backend", backend);
        json.addProperty("device", device);
        json.addProperty("n", numExamples);
        json.add("accuracy", Json.number(accuracy));
        json.add("log_loss", Json.number(logLoss));
        json.add("log_likelihood", Json.number(evaluation.logLikelihood()));
        JsonArray classes = new JsonArray();
        names.forEach(classes::add);
        json.add("classes", classes);
        json.add("per_class", perClass);
        json.add("confusion", matrix);
        printJson(json);
        return ExitCodes.OK;
    }

    private Dataset load(Model model) {
        Double threshold = dataOptions.threshold(model.binarizeThreshold());
        Dataset data;
        if (dataFile == null) {
            if (!(testFraction > 0 && testFraction < 1)) {
                throw new InputException("--test-fraction is " + testFraction + ", expected a number in (0, 1)");
            }
            CsvData digits = BuiltinDigits.loadProfiled(threshold);
            Dataset all = digits.data();
            if (!all.classNames().equals(model.classNames()) || all.numFeatures() != model.numFeatures()) {
                throw new InputException(modelFile + ": the model has " + model.numFeatures() + " features and "
                        + "classes " + model.classNames() + ", the built-in digits have 64 and [0..9]; "
                        + "give --data FILE");
            }
            long splitSeed = seed != null ? seed : model.training().seed();
            if (splitSeed != model.training().seed()) {
                String line = "notice: --seed " + splitSeed + " differs from the model's training seed "
                        + model.training().seed() + ": the held-out digits of this split include examples the model "
                        + "was trained on, so the scores are too high";
                notice(line);
                if (strict) {
                    throw new InputException("--strict and 1 notice about the built-in digits; the first: "
                            + line.substring("notice: ".length()));
                }
            }
            Notices.checkInput(this, model, digits, threshold, strict);
            data = Splits.stratified(all, testFraction, splitSeed).test();
        } else {
            CsvData input = CsvReader.readForModel(dataFile, dataOptions.csvOptions(threshold), model.classNames(),
                    model.numFeatures(), model.featureNames(), false);
            Notices.checkInput(this, model, input, threshold, strict);
            data = input.data();
        }
        if (data.numExamples() == 0) {
            throw new InputException((dataFile == null ? "built-in digits" : dataFile) + ": no examples");
        }
        return data;
    }

    /** The widest confusion matrix printed as a table; wider ones (K = 100 would take 705 characters) are listed. */
    static final int MAX_MATRIX_WIDTH = 120;
    /** How many of the most frequent confusions are listed instead of a matrix too wide to read. */
    static final int TOP_CONFUSIONS = 20;

    /** The most frequent off-diagonal cells, most first (ties by true, then predicted class), one per line. */
    static List<String> topConfusions(long[][] confusion, List<String> names) {
        int numClasses = names.size();
        List<int[]> cells = new java.util.ArrayList<>();
        long wrong = 0;
        for (int k = 0; k < numClasses; k++) {
            for (int i = 0; i < numClasses; i++) {
                if (k != i && confusion[k][i] > 0) {
                    cells.add(new int[] {k, i});
                    wrong += confusion[k][i];
                }
            }
        }
        cells.sort((a, b) -> Long.compare(confusion[b[0]][b[1]], confusion[a[0]][a[1]]));
        List<String> lines = new java.util.ArrayList<>();
        int shown = Math.min(TOP_CONFUSIONS, cells.size());
        lines.add(String.format(Locale.ROOT, "confusions (%d classes: the matrix is in --json), the %d most frequent "
                + "of %d wrong predictions in %d distinct pairs:", numClasses, shown, wrong, cells.size()));
        for (int c = 0; c < shown; c++) {
            int[] cell = cells.get(c);
            lines.add(String.format(Locale.ROOT, "  %7d  true %s, predicted %s", confusion[cell[0]][cell[1]],
                    names.get(cell[0]), names.get(cell[1])));
        }
        return lines;
    }

    private static String format(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.4f", value);
    }

    private static String abbreviate(String name, int width) {
        return name.length() <= width ? name : name.substring(0, width - 1) + "~";
    }
}
