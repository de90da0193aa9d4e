package org.softmax4j.report;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.softmax4j.AtomicFile;
import org.softmax4j.InputException;
import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.model.Model;
import org.softmax4j.model.WeightPicture;

/** Writing reports and plots to files, and checking their names before a run spends time on training. */
public final class ReportFiles {
    private ReportFiles() {
    }

    /**
     * Checks an output name before any work: an existing directory to write into, a name that is not a directory,
     * and the extension ({@code extensions} without dots, the first one named in the error).
     *
     * @throws InputException naming the option and the file
     */
    public static void checkOutput(String option, Path file, String... extensions) {
        if (file == null) {
            return;
        }
        if (Files.isDirectory(file)) {
            throw new InputException(option + " " + file + " is a directory, expected a file name");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new InputException(option + " " + file + ": directory " + parent + " does not exist");
        }
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (String extension : extensions) {
            if (name.endsWith("." + extension)) {
                return;
            }
        }
        throw new InputException(option + " " + file + ": expected a file name ending in ."
                + String.join(" or .", extensions));
    }

    /** The square image shape of D features (64 gives 8×8), or null when D is not a square above 1. */
    public static int[] imageShape(int numFeatures) {
        int[] shape = WeightPicture.squareShape(numFeatures);
        return shape == null || shape[0] < 2 ? null : shape;
    }

    /** The model's probabilities on {@code data}, from {@code engine}. */
    public static float[] probabilities(Engine engine, Model model, Dataset data) {
        float[] out = new float[Math.multiplyExact(data.numExamples(), model.numClasses())];
        try (Evaluator evaluator = engine.bind(data)) {
            evaluator.probabilities(model.parameters(), out);
        }
        return out;
    }

    public static void writeHtml(Path file, ReportInput input, HtmlReport.WeightScale scale) {
        byte[] bytes = HtmlReport.render(input, scale).getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(file, "report", out -> out.write(bytes));
    }

    /** The curve as PNG or SVG, chosen by the file's extension. */
    public static void writePlot(Path file, ReportInput.Curve curve) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        byte[] bytes = "png".equals(CurvePlot.format(name)) ? CurvePlot.png(curve) : CurvePlot.svg(curve);
        AtomicFile.write(file, "plot", out -> out.write(bytes));
    }

    /**
     * Writes what {@code train --report} and {@code --plot} ask for after a run: the HTML report (the model evaluated
     * on the test set when there is one) and the curve alone. Either file may be null.
     *
     * @param numValidation 0 without a validation set
     * @param test          the test set, or null
     * @param dataDescription what was trained on, for the report's last section
     * @param heldOut         the test and validation curves recorded during training, or null
     */
    public static void writeForRun(Path report, Path plot, Model model, org.softmax4j.train.TrainingResult result,
                                   int numTrain, int numValidation, Dataset test, double testLogLikelihood,
                                   double testAccuracy, Engine engine, String dataDescription,
                                   HeldOutCurves heldOut) {
        boolean hasTest = test != null && test.numExamples() > 0;
        ReportInput.Curve curve = new ReportInput.Curve(result.history(), result.stopReason().id(),
                result.stopDetail(), result.best().iteration(), numTrain, numValidation, result.seconds(),
                hasTest ? testAccuracy : Double.NaN, hasTest ? testLogLikelihood : Double.NaN,
                hasTest ? test.numExamples() : 0, heldOut == null ? null : heldOut.curves());
        if (plot != null) {
            writePlot(plot, curve);
        }
        if (report == null) {
            return;
        }
        ReportInput.Evaluated evaluated = hasTest ? new ReportInput.Evaluated("test set (" + test.numExamples()
                + " held-out examples)", test, probabilities(engine, model, test)) : null;
        java.util.Map<String, String> facts = new java.util.LinkedHashMap<>();
        facts.put("data", dataDescription);
        facts.put("examples", numTrain + " training" + (numValidation > 0 ? ", " + numValidation + " validation" : "")
                + ", " + (hasTest ? test.numExamples() : 0) + " test");
        facts.put("engine", engine.description());
        facts.put("device", engine.deviceSummary());
        facts.put("solver", result.solver() + " (evaluated in " + result.precision() + ")");
        facts.put("training time", String.format(Locale.ROOT, "%.3f s for %d iterations (%.3g ms each)",
                result.seconds(), result.iterations(), result.iterations() == 0 ? 0
                        : 1000 * result.seconds() / result.iterations()));
        if (result.step() != null) {
            facts.put("step", String.format(Locale.ROOT, "eta %.6g (%s)", result.step().chosen(),
                    result.step().auto() ? "auto" : "given"));
        }
        facts.put("stop detail", result.stopDetail());
        writeHtml(report, new ReportInput(model, curve, evaluated, facts, imageShape(model.numFeatures())),
                HtmlReport.WeightScale.SHARED);
    }
}
