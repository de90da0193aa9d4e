package org.softmax4j.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.google.gson.JsonObject;

import org.softmax4j.InputException;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.CsvData;
import org.softmax4j.data.CsvReader;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Engine;
import org.softmax4j.model.Model;
import org.softmax4j.model.ModelFile;
import org.softmax4j.report.HtmlReport;
import org.softmax4j.report.ReportFiles;
import org.softmax4j.report.ReportInput;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "report", sortOptions = false,
        description = {"Write a self-contained HTML report of a model: its weights, and on labelled data the "
                + "confusion matrix, per-class scores, the most confused examples and calibration.",
                "Without --data: for a model of the built-in digits, their held-out part, split as train did. "
                        + "The training curve needs the run itself: train --report."})
final class ReportCommand extends BaseCommand {
    @Option(names = "--model", paramLabel = "FILE", required = true, description = "A model written by train.")
    Path modelFile;

    @Option(names = "--data", paramLabel = "FILE", description = "Labelled data (CSV, optionally .gz).")
    Path dataFile;

    @Option(names = "--output", paramLabel = "FILE.html", required = true, description = "The report.")
    Path outputFile;

    @Option(names = "--weight-scale", paramLabel = "shared|per-class", defaultValue = "shared",
            description = "Colour the weights on one scale for all classes, or each class on its own. "
                    + "Default: ${DEFAULT-VALUE}.")
    String weightScale;

    @Option(names = "--shape", paramLabel = "HxW",
            description = "Draw weights and examples as H x W images (H x W = the number of features). Default: "
                    + "square when the number of features is a square, else a heat map of classes by features.")
    String shape;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    BackendOptions backendOptions;

    @Override
    int execute() {
        ReportFiles.checkOutput("--output", outputFile, "html", "htm");
        HtmlReport.WeightScale scale;
        try {
            scale = HtmlReport.WeightScale.parse(weightScale);
        } catch (IllegalArgumentException e) {
            throw new InputException("--weight-scale " + weightScale + ": expected shared or per-class");
        }
        Model model = ModelFile.read(modelFile);
        int[] imageShape = shape == null ? ReportFiles.imageShape(model.numFeatures()) : parseShape(model);
        Double threshold = dataOptions.threshold(model.binarizeThreshold());
        Dataset data = null;
        String name = null;
        if (dataFile != null) {
            CsvData input = CsvReader.readForModel(dataFile, dataOptions.csvOptions(threshold), model.classNames(),
                    model.numFeatures(), model.featureNames(), false);
            Notices.checkInput(this, model, input, threshold, false);
            data = input.data();
            name = dataFile.toString();
        } else if (isDigitsModel(model)) {
            double fraction = testFraction(model);
            Dataset all = BuiltinDigits.load(threshold);
            data = Splits.stratified(all, fraction, model.training().seed()).test();
            name = "built-in digits, held out (" + data.numExamples() + " examples, split by seed "
                    + model.training().seed() + ")";
        }
        if (data != null && data.numExamples() == 0) {
            throw new InputException(name + ": no examples");
        }
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("model file", modelFile.toString());
        ReportInput.Evaluated evaluated = null;
        try (Engine engine = backendOptions.open(this)) {
            if (data != null) {
                evaluated = new ReportInput.Evaluated(name, data, ReportFiles.probabilities(engine, model, data));
                facts.put("evaluated with", engine.description() + " (" + engine.deviceSummary() + ")");
            }
        }
        facts.put("training data", model.training().options().getOrDefault("data", "not recorded"));
        facts.put("trained with", model.training().engine());
        ReportFiles.writeHtml(outputFile, new ReportInput(model, null, evaluated, facts, imageShape), scale);
        report("report written to " + outputFile + (data == null ? " (no labelled data: weights and the run only; "
                + "give --data FILE for the rest)" : ""));
        JsonObject json = new JsonObject();
        json.addProperty("command", "report");
        json.addProperty("output", outputFile.toString());
        json.addProperty("examples", data == null ? 0 : data.numExamples());
        printJson(json);
        return ExitCodes.OK;
    }

    private static boolean isDigitsModel(Model model) {
        String data = model.training().options().getOrDefault("data", "");
        return data.startsWith(BuiltinDigits.SOURCE) && model.numFeatures() == 64
                && model.classNames().equals(BuiltinDigits.load().classNames());
    }

    private static double testFraction(Model model) {
        try {
            double fraction = Double.parseDouble(model.training().options().getOrDefault("test_fraction", "0.2"));
            return fraction > 0 && fraction < 1 ? fraction : 0.2;
        } catch (NumberFormatException e) {
            return 0.2;
        }
    }

    private int[] parseShape(Model model) {
        String[] parts = shape.toLowerCase(java.util.Locale.ROOT).split("x", -1);
        try {
            if (parts.length == 2) {
                int h = Integer.parseInt(parts[0].trim());
                int w = Integer.parseInt(parts[1].trim());
                if (h > 0 && w > 0 && (long) h * w == model.numFeatures()) {
                    return new int[] {h, w};
                }
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new InputException("--shape " + shape + ": expected HxW with H x W = " + model.numFeatures()
                + " (the model's features)");
    }
}
