package org.softmax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
        JsonObject json() {
            String[] lines = out.strip().split("\n");
            return JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void defaultTrainingReachesNinetyPercentOnTheDigits() {
        Run run = run("train", "--json", "--quiet");
        assertEquals(0, run.code(), run.err());
        JsonObject json = run.json();
        for (String key : List.of("backend", "n_train", "n_test", "features", "classes", "iterations",
                "stop_reason", "log_likelihood", "train_accuracy", "test_accuracy", "seconds")) {
            assertTrue(json.has(key), "missing key " + key + " in " + json);
        }
        assertEquals(org.softmax4j.engine.cuda.CudaProbe.result().available() ? "cuda" : "cpu",
                json.get("backend").getAsString());
        assertEquals(1797, json.get("n_train").getAsInt() + json.get("n_test").getAsInt());
        assertEquals(64, json.get("features").getAsInt());
        assertEquals(10, json.get("classes").getAsInt());
        double testAccuracy = json.get("test_accuracy").getAsDouble();
        assertTrue(testAccuracy >= 0.90, "test accuracy " + testAccuracy);
        assertTrue(json.get("log_likelihood").getAsDouble() < 0);
        // The default stop: converged within 500 iterations, the duality gap within the tolerance of |F|.
        assertEquals("converged", json.get("stop_reason").getAsString(), run.out());
        assertTrue(json.get("iterations").getAsInt() <= 500, run.out());
        double gap = json.get("optimality_gap").getAsDouble();
        assertTrue(gap >= 0 && gap <= 1e-6 * Math.abs(json.get("objective").getAsDouble()), run.out());
        // Under --json, standard output is the JSON line alone.
        assertEquals(1, run.out().strip().split("\n").length, run.out());
    }

    /** {@code --solver newton} through the command line: L-BFGS's optimum on the digits in fewer iterations. */
    @Test
    void newtonReachesTheLbfgsOptimum() {
        Run newton = run("train", "--json", "--quiet", "--backend", "cpu", "--solver", "newton");
        Run lbfgs = run("train", "--json", "--quiet", "--backend", "cpu", "--solver", "lbfgs");
        assertEquals(0, newton.code(), newton.err());
        assertEquals(0, lbfgs.code(), lbfgs.err());
        assertEquals("converged", newton.json().get("stop_reason").getAsString(), newton.out());
        double expected = lbfgs.json().get("objective").getAsDouble();
        double actual = newton.json().get("objective").getAsDouble();
        assertTrue(Math.abs(actual - expected) <= 1e-10 * Math.abs(expected), actual + " vs " + expected);
        assertTrue(newton.json().get("iterations").getAsInt() < lbfgs.json().get("iterations").getAsInt(),
                newton.out() + lbfgs.out());
    }

    @Test
    void trainEvalAndPredictRoundTrip() throws IOException {
        Path model = dir.resolve("digits.model");
        Run train = run("train", "--quiet", "--json", "--max-iterations", "100", "--model-out", model.toString());
        assertEquals(0, train.code(), train.err());
        assertTrue(Files.exists(model));
        double trainTest = train.json().get("test_accuracy").getAsDouble();

        // eval without --data uses the same held-out digits (the model's seed): the same accuracy.
        Run eval = run("eval", "--json", "--model", model.toString());
        assertEquals(0, eval.code(), eval.err());
        assertEquals(trainTest, eval.json().get("accuracy").getAsDouble(), 1e-12);
        assertEquals(10, eval.json().getAsJsonArray("confusion").size());

        Path input = dir.resolve("rows.csv");
        Files.writeString(input, "0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,"
                + "9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0\n");
        Path output = dir.resolve("predictions.csv");
        Run predict = run("predict", "--model", model.toString(), "--input", input.toString(), "--output",
                output.toString());
        assertEquals(0, predict.code(), predict.err());
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        assertEquals("label,p_0,p_1,p_2,p_3,p_4,p_5,p_6,p_7,p_8,p_9", lines.get(0));
        assertEquals(2, lines.size());
        String[] fields = lines.get(1).split(",");
        assertEquals("0", fields[0], "the first digit of the data set is a 0: " + lines.get(1));
        double sum = 0;
        for (int k = 1; k <= 10; k++) {
            sum += Double.parseDouble(fields[k]);
        }
        assertEquals(1.0, sum, 1e-5);
    }

    /** picture: PNG and SVG of a trained model; bad requests exit 2 with one line and leave the output untouched. */
    @Test
    void pictureDrawsTheWeightsAndRejectsBadRequests() throws IOException {
        Path model = dir.resolve("digits.model");
        assertEquals(0, run("train", "--quiet", "--max-iterations", "50", "--model-out", model.toString()).code());
        Path png = dir.resolve("weights.png");
        Run drawn = run("picture", "--json", "--model", model.toString(), "--output", png.toString(), "--scale", "4");
        assertEquals(0, drawn.code(), drawn.err());
        JsonObject json = drawn.json();
        assertEquals(8, json.get("tile_height").getAsInt());
        assertEquals(5, json.get("columns").getAsInt());
        assertEquals(10, json.getAsJsonArray("tiles").size());
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(4 * (5 * 9 + 1), image.getWidth());
        assertEquals(4 * (2 * 9 + 1), image.getHeight());
        assertEquals(json.get("width").getAsInt(), image.getWidth());
        Path svg = dir.resolve("weights.svg");
        Run vector = run("picture", "--model", model.toString(), "--output", svg.toString(), "--columns", "10");
        assertEquals(0, vector.code(), vector.err());
        assertTrue(Files.readString(svg).startsWith("<svg"));
        assertTrue(vector.out().contains("10 per row"), vector.out());

        byte[] before = Files.readAllBytes(png);
        String[][] bad = {
            {"--output", dir.resolve("weights.jpg").toString()},
            {"--output", png.toString(), "--shape", "4x8"},
            {"--output", png.toString(), "--shape", "eight"},
            {"--output", png.toString(), "--scale", "0"},
            {"--output", dir.resolve("missing").resolve("w.png").toString()},
            {"--output", dir.toString() + "/"},
        };
        for (String[] options : bad) {
            String[] args = new String[options.length + 3];
            args[0] = "picture";
            args[1] = "--model";
            args[2] = model.toString();
            System.arraycopy(options, 0, args, 3, options.length);
            Run run = run(args);
            assertEquals(2, run.code(), String.join(" ", options) + ": " + run.err());
            assertEquals(1, run.err().strip().split("\n").length, run.err());
        }
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(png)), "the earlier picture is untouched");
        assertFalse(Files.exists(dir.resolve("weights.jpg")));
        Run shape = run("picture", "--model", model.toString(), "--output", png.toString(), "--shape", "4x8");
        assertTrue(shape.err().contains("a tile of 4x8 cells holds 32 features, expected the model's 64"),
                shape.err());
        Run missing = run("picture", "--model", dir.resolve("none.model").toString(), "--output", png.toString());
        assertEquals(2, missing.code(), missing.err());
    }

    /** Enormous feature values are named before training; the training still runs and explains how it ended. */
    @Test
    void largeFeaturesGetANotice() throws IOException {
        Path csv = dir.resolve("huge.csv");
        Files.writeString(csv, "1e30,0,a\n0,1e30,b\n1e30,1e30,a\n3e38,1,b\n");
        Run run = run("train", "--train", csv.toString(), "--test-fraction", "0", "--solver", "lbfgs");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.err().contains("notice: feature 1 reaches |x| = 3.00e+38; at such scales float32 logits can "
                + "overflow"), run.err());
        assertTrue(run.out().contains("stopped: no-progress"), run.out());
        Run digits = run("train", "--max-iterations", "1");
        assertFalse(digits.err().contains("reaches |x|"), digits.err());
    }

    /** A model whose features are not a square number needs --shape. */
    @Test
    void pictureOfANonSquareModelNeedsAShape() throws IOException {
        Path csv = dir.resolve("six.csv");
        StringBuilder rows = new StringBuilder();
        for (int n = 0; n < 40; n++) {
            rows.append(n % 2).append(',').append(n % 3 == 0 ? 1 : 0).append(",1,0,").append(n % 5 == 0 ? 1 : 0)
                    .append(",0,").append(n % 2 == 0 ? "a" : "b").append('\n');
        }
        Files.writeString(csv, rows.toString());
        Path model = dir.resolve("six.model");
        Run train = run("train", "--quiet", "--train", csv.toString(), "--test-fraction", "0", "--max-iterations",
                "20", "--model-out", model.toString());
        assertEquals(0, train.code(), train.err());
        Path png = dir.resolve("six.png");
        Run noShape = run("picture", "--model", model.toString(), "--output", png.toString());
        assertEquals(2, noShape.code());
        assertTrue(noShape.err().contains("6 features, not a square number: give --shape HxW"), noShape.err());
        assertFalse(Files.exists(png));
        Run shaped = run("picture", "--model", model.toString(), "--output", png.toString(), "--shape", "2x3");
        assertEquals(0, shaped.code(), shaped.err());
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
        // Two classes side by side, tiles of 2 rows x 3 columns of 16-pixel cells, one-cell margin and gap.
        assertEquals(16 * (2 * (3 + 1) + 1), image.getWidth());
        assertEquals(16 * (2 + 1 + 1), image.getHeight());
    }

    @Test
    void cudaBackendIsUnavailableWithExitCodeThree() {
        org.junit.jupiter.api.Assumptions.assumeFalse(org.softmax4j.engine.cuda.CudaProbe.result().available(),
                "a usable GPU is here: --backend cuda works");
        Run run = run("train", "--backend", "cuda", "--quiet");
        assertEquals(3, run.code());
        assertTrue(run.err().contains("not available"), run.err());
        assertEquals(1, run.err().strip().split("\n").length, "one line: " + run.err());
    }

    @Test
    void badOptionsExitWithTwoAndNoStackTrace() {
        Run run = run("train", "--learning-rate", "-1");
        assertEquals(2, run.code());
        assertTrue(run.err().contains("learning rate is -1.0, expected a finite number > 0"), run.err());
        assertFalse(run.err().contains("at org."), run.err());

        Run unknown = run("train", "--no-such-option");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--no-such-option"), unknown.err());
    }

    /** Every command answers --help (the bad-option message points there) and {@code help COMMAND}, with exit 0. */
    @Test
    void everyCommandHasHelp() {
        for (String command : List.of("train", "eval", "predict", "gradcheck", "info", "bench", "picture")) {
            for (Run run : List.of(run(command, "--help"), run("help", command))) {
                assertEquals(0, run.code(), command + ": " + run.err());
                assertTrue(run.out().contains("Usage: softmax4j " + command), command + ": " + run.out());
                assertTrue(run.out().contains("--help"), command + ": " + run.out());
            }
        }
        assertTrue(run("train", "--help").out().contains("--preconditioner=center|center-scaled|center-unscaled|none"));
        assertTrue(run("--help").out().contains("help"), "the help command is listed");
    }

    @Test
    void badDataFileExitsWithTwoAndWritesNoModel() throws IOException {
        Path data = dir.resolve("bad.csv");
        Files.writeString(data, "1,0,a\n0,1,b\n0,abc,a\n");
        Path model = dir.resolve("out.model");
        Run run = run("train", "--train", data.toString(), "--model-out", model.toString());
        assertEquals(2, run.code());
        assertTrue(run.err().contains(data + ":3:2"), run.err());
        assertEquals(1, run.err().strip().split("\n").length, "one line: " + run.err());
        assertFalse(Files.exists(model));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(data), files.toList(), "nothing but the input in " + dir);
        }
    }

    @Test
    void missingModelDirectoryIsRejectedBeforeTraining() {
        Run run = run("train", "--quiet", "--model-out", dir.resolve("no/such/dir/m.model").toString());
        assertEquals(2, run.code());
        assertTrue(run.err().contains("does not exist"), run.err());
    }

    @Test
    void gradcheckPassesOnTheDigits() {
        Run run = run("gradcheck", "--json", "--quiet");
        assertEquals(0, run.code(), run.err());
        JsonObject json = run.json();
        assertTrue(json.get("passed").getAsBoolean());
        assertTrue(json.get("max_relative_error").getAsDouble() <= 1e-6);
        assertEquals(650, json.get("parameters_checked").getAsInt());
    }

    @Test
    void infoListsBothBackends() {
        Run run = run("info", "--json");
        assertEquals(0, run.code(), run.err());
        var backends = run.json().getAsJsonArray("backends");
        assertEquals(2, backends.size());
        assertEquals("cpu", backends.get(0).getAsJsonObject().get("name").getAsString());
        assertTrue(backends.get(0).getAsJsonObject().get("available").getAsBoolean());
        assertEquals(org.softmax4j.engine.cuda.CudaProbe.result().available(),
                backends.get(1).getAsJsonObject().get("available").getAsBoolean());
    }

    @Test
    void miniBatchTrainingWorks() {
        Run run = run("train", "--json", "--quiet", "--batch-size", "64", "--max-iterations", "30",
                "--learning-rate", "0.5");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.json().get("test_accuracy").getAsDouble() >= 0.9, run.out());
    }

    @Test
    void divergenceIsReportedAndTheBestWeightsKept() {
        Run run = run("train", "--json", "--quiet", "--learning-rate", "1e30", "--max-iterations", "50");
        assertEquals(5, run.code(), "a diverged run exits with code 5: " + run.err());
        JsonObject json = run.json();
        assertTrue(json.get("failed").getAsBoolean(), run.out());
        assertEquals(5, json.get("exit_code").getAsInt(), run.out());
        assertEquals("diverged", json.get("stop_reason").getAsString(), run.out());
        assertTrue(json.get("stop_detail").getAsString().contains("kept the best weights"), run.out());
        assertTrue(json.get("log_likelihood").isJsonPrimitive(), "the best weights have a finite log-likelihood");
    }
}
