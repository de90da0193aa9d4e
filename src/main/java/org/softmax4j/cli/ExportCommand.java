package org.softmax4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import com.google.gson.JsonObject;

import org.softmax4j.AtomicFile;
import org.softmax4j.InputException;
import org.softmax4j.model.Model;
import org.softmax4j.model.ModelFile;
import org.softmax4j.onnx.OnnxExport;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "export", sortOptions = false,
        description = {"Write a model in another format for serving elsewhere: ONNX, as skl2onnx converts "
                + "scikit-learn's LogisticRegression.",
                "Input float_input (N x D floats, binarised inside the graph when the model was trained on binarised "
                        + "data); outputs output_label and output_probability."})
final class ExportCommand extends BaseCommand {
    @Option(names = "--model", paramLabel = "FILE", required = true, description = "A model written by train.")
    Path modelFile;

    @Option(names = "--format", paramLabel = "onnx", defaultValue = "onnx",
            description = "The format; only onnx so far. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--output", paramLabel = "FILE", required = true, description = "Where to write it (FILE.onnx).")
    Path outputFile;

    @Option(names = "--probabilities", paramLabel = "map|tensor", defaultValue = "map",
            description = "output_probability as one map class -> probability per example (ZipMap, skl2onnx's "
                    + "default) or as an N x K float tensor in class order (skl2onnx's zipmap=False). "
                    + "Default: ${DEFAULT-VALUE}.")
    String probabilities;

    @Override
    int execute() {
        if (!format.trim().equalsIgnoreCase("onnx")) {
            throw new InputException("--format " + format + ": expected onnx");
        }
        OnnxExport.Probabilities shape;
        try {
            shape = OnnxExport.Probabilities.parse(probabilities);
        } catch (IllegalArgumentException e) {
            throw new InputException("--probabilities " + probabilities + ": expected map or tensor");
        }
        if (Files.isDirectory(outputFile)) {
            throw new InputException("--output " + outputFile + " is a directory, expected a file name");
        }
        Path parent = outputFile.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new InputException("--output " + outputFile + ": directory " + parent + " does not exist");
        }
        Model model = ModelFile.read(modelFile);
        byte[] bytes = OnnxExport.toOnnx(model, shape);
        AtomicFile.write(outputFile, "ONNX model", out -> out.write(bytes));
        report("ONNX model written to " + outputFile + " (" + bytes.length + " bytes)");
        JsonObject json = new JsonObject();
        json.addProperty("command", "export");
        json.addProperty("format", "onnx");
        json.addProperty("output", outputFile.toString());
        json.addProperty("bytes", bytes.length);
        json.addProperty("classes", model.numClasses());
        json.addProperty("features", model.numFeatures());
        json.addProperty("probabilities", shape.name().toLowerCase(java.util.Locale.ROOT));
        printJson(json);
        return ExitCodes.OK;
    }
}
