package org.softmax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.softmax4j.model.Model;
import org.softmax4j.model.ModelFile;

/** The model without a bias through the command line: train, the model file, eval, predict, picture, gradcheck. */
class CliNoBiasTest {
    @TempDir
    Path dir;

    @Test
    void trainWritesAModelWithoutABiasThatEvalPredictAndPictureRead() throws IOException {
        Path model = dir.resolve("nobias.s4j");
        CliTest.Run train = CliTest.run("train", "--quiet", "--json", "--backend", "cpu", "--no-bias", "--solver",
                "lbfgs", "--model-out", model.toString());
        assertEquals(0, train.code(), train.err());
        JsonObject json = train.json();
        assertTrue(json.get("no_bias").getAsBoolean(), json.toString());
        assertEquals("converged", json.get("stop_reason").getAsString(), json.toString());

        String text = Files.readString(model);
        assertTrue(text.startsWith("softmax4j-model 2 "), text.substring(0, 40));
        assertTrue(text.contains("\"no_bias\": true"), "the file records it");
        assertFalse(text.contains("\"bias\""), "no bias field: b is not a parameter of this model");
        Model read = ModelFile.read(model);
        assertFalse(read.hasBias());
        assertEquals("true", read.training().options().get("no_bias"));
        for (int k = 0; k < read.numClasses(); k++) {
            assertEquals(0, Float.floatToRawIntBits(read.bias(k)), "b[" + k + "]");
        }
        assertEquals(json.get("objective").getAsDouble(), read.training().metric("objective"));

        // eval without --data: the same held-out digits as train's test set, so the same accuracy.
        CliTest.Run eval = CliTest.run("eval", "--json", "--backend", "cpu", "--model", model.toString());
        assertEquals(0, eval.code(), eval.err());
        assertEquals(json.get("test_accuracy").getAsDouble(), eval.json().get("accuracy").getAsDouble(), 1e-12);
        assertEquals(json.get("test_log_likelihood").getAsDouble(),
                eval.json().get("log_likelihood").getAsDouble(), 1e-9 * Math.abs(json.get("test_log_likelihood")
                        .getAsDouble()));
        assertTrue(eval.json().get("no_bias").getAsBoolean());

        // predict: p = softmax(W x), x the row binarized at 8 as in training.
        int[] counts = {0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0, 0, 4, 12, 0, 0,
            8, 8, 0, 0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0,
            0, 0};
        StringBuilder row = new StringBuilder();
        for (int j = 0; j < counts.length; j++) {
            row.append(j == 0 ? "" : ",").append(counts[j]);
        }
        Path input = dir.resolve("rows.csv");
        Files.writeString(input, row + "\n");
        Path output = dir.resolve("predictions.csv");
        CliTest.Run predict = CliTest.run("predict", "--backend", "cpu", "--model", model.toString(), "--input",
                input.toString(), "--output", output.toString());
        assertEquals(0, predict.code(), predict.err());
        String[] fields = Files.readAllLines(output, StandardCharsets.UTF_8).get(1).split(",");
        double[] logits = new double[10];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < 10; k++) {
            for (int j = 0; j < 64; j++) {
                logits[k] += counts[j] >= 8 ? read.weight(k, j) : 0;
            }
            max = Math.max(max, logits[k]);
        }
        double sum = 0;
        for (int k = 0; k < 10; k++) {
            sum += Math.exp(logits[k] - max);
        }
        for (int k = 0; k < 10; k++) {
            double expected = Math.exp(logits[k] - max) / sum;
            assertEquals(expected, Double.parseDouble(fields[k + 1]), 1e-5, "p_" + k + " of " + List.of(fields));
        }

        Path svg = dir.resolve("w.svg");
        CliTest.Run picture = CliTest.run("picture", "--model", model.toString(), "--output", svg.toString());
        assertEquals(0, picture.code(), picture.err());
        String drawing = Files.readString(svg);
        assertFalse(drawing.contains("(b ="), "no bias in the captions");
        assertTrue(drawing.contains(">0</text>"), "the class name alone as the caption");
    }

    @Test
    void gradcheckWithoutABiasChecksTheWeightsAlone() {
        CliTest.Run run = CliTest.run("gradcheck", "--json", "--backend", "cpu", "--no-bias");
        assertEquals(0, run.code(), run.err());
        JsonObject json = run.json();
        assertTrue(json.get("passed").getAsBoolean(), json.toString());
        assertTrue(json.get("no_bias").getAsBoolean());
        assertTrue(json.get("max_relative_error").getAsDouble() <= 1e-6, json.toString());
        assertTrue(json.get("worst_parameter").getAsString().startsWith("W["), json.toString());
    }
}
