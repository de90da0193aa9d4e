package org.softmax4j.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.google.gson.JsonObject;

import org.softmax4j.AtomicFile;
import org.softmax4j.InputException;
import org.softmax4j.data.CsvData;
import org.softmax4j.data.CsvReader;
import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.model.Model;
import org.softmax4j.model.ModelFile;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "predict", sortOptions = false,
        description = {"Predict the class of every row of a CSV file.",
                "Writes CSV: the predicted label, then the probability of each class (columns p_<class>).",
                "Input rows hold the model's features, optionally with a label column (ignored)."})
final class PredictCommand extends BaseCommand {
    @Option(names = "--model", paramLabel = "FILE", required = true, description = "A model written by train.")
    Path modelFile;

    @Option(names = "--input", paramLabel = "FILE", required = true, description = "Rows to classify (CSV).")
    Path inputFile;

    @Option(names = "--output", paramLabel = "FILE",
            description = "Where to write the predictions; default: standard output.")
    Path outputFile;

    @Option(names = "--with-input-labels",
            description = "Begin each output row with the input's row number (column row, from 1) and, when the "
                    + "input has a label column, its label as written (column input_label).")
    boolean withInputLabels;

    @Option(names = "--strict",
            description = "Fail (exit 2) instead of predicting when the input draws a notice: columns far outside "
                    + "the training range, a binarization that makes columns constant, a numeric header.")
    boolean strict;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    BackendOptions backendOptions;

    @Override
    int execute() throws IOException {
        Model model = ModelFile.read(modelFile);
        if (outputFile != null && Files.isDirectory(outputFile)) {
            throw new InputException("--output " + outputFile + " is a directory, expected a file name");
        }
        Double threshold = dataOptions.threshold(model.binarizeThreshold());
        CsvData input = withInputLabels
                ? CsvReader.readForPredictionWithLabels(inputFile, dataOptions.csvOptions(threshold),
                        model.classNames(), model.numFeatures(), model.featureNames())
                : CsvReader.readForModel(inputFile, dataOptions.csvOptions(threshold), model.classNames(),
                        model.numFeatures(), model.featureNames(), true);
        List<String> rowLabels = withInputLabels ? input.inputLabels() : null;
        Notices.checkInput(this, model, input, threshold, strict);
        Dataset data = input.data();
        int numClasses = model.numClasses();
        float[] probabilities = new float[Math.multiplyExact(data.numExamples(), numClasses)];
        try (Engine engine = backendOptions.open(this); Evaluator evaluator = engine.bind(data)) {
            evaluator.probabilities(model.parameters(), probabilities);
        }
        if (outputFile == null) {
            Writer writer = out();
            writeCsv(writer, model.classNames(), probabilities, data.numExamples(), withInputLabels, rowLabels);
            writer.flush();
        } else {
            AtomicFile.write(outputFile, "predictions", stream -> {
                Writer writer = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
                writeCsv(writer, model.classNames(), probabilities, data.numExamples(), withInputLabels, rowLabels);
                writer.flush();
            });
            report("wrote " + data.numExamples() + " predictions to " + outputFile);
        }
        JsonObject json = new JsonObject();
        json.addProperty("command", "predict");
        json.addProperty("model", modelFile.toString());
        json.addProperty("input", inputFile.toString());
        json.addProperty("output", outputFile == null ? null : outputFile.toString());
        json.addProperty("rows", data.numExamples());
        printJson(json);
        return ExitCodes.OK;
    }

    /** Index of the largest probability of row n, the first on ties. */
    static int argmax(float[] probabilities, int row, int numClasses) {
        int base = row * numClasses;
        int best = 0;
        for (int k = 1; k < numClasses; k++) {
            if (probabilities[base + k] > probabilities[base + best]) {
                best = k;
            }
        }
        return best;
    }

    static void writeCsv(Writer writer, List<String> classNames, float[] probabilities, int rows)
            throws IOException {
        writeCsv(writer, classNames, probabilities, rows, false, null);
    }

    /**
     * @param rowNumbers  begin each row with its number, from 1 (column row)
     * @param inputLabels then each row's input label (column input_label), or null for none
     */
    static void writeCsv(Writer writer, List<String> classNames, float[] probabilities, int rows, boolean rowNumbers,
                         List<String> inputLabels) throws IOException {
        int numClasses = classNames.size();
        StringBuilder line = new StringBuilder((rowNumbers ? "row," : "") + (inputLabels != null ? "input_label," : "")
                + "label");
        for (String name : classNames) {
            line.append(',').append(quote("p_" + name));
        }
        writer.write(line.append('\n').toString());
        for (int n = 0; n < rows; n++) {
            line.setLength(0);
            if (rowNumbers) {
                line.append(n + 1).append(',');
            }
            if (inputLabels != null) {
                line.append(quote(inputLabels.get(n))).append(',');
            }
            line.append(quote(classNames.get(argmax(probabilities, n, numClasses))));
            for (int k = 0; k < numClasses; k++) {
                line.append(',').append(probabilities[n * numClasses + k]);
            }
            writer.write(line.append('\n').toString());
        }
    }

    /** A CSV field, quoted when it holds a comma, a quote or a line break. */
    static String quote(String field) {
        if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0
                && field.indexOf('\r') < 0) {
            return field;
        }
        return '"' + field.replace("\"", "\"\"") + '"';
    }
}
