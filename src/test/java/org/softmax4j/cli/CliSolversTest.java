package org.softmax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliSolversTest {
    @TempDir
    Path dir;

    @Test
    void lbfgsReportsSolverObjectiveAndMaxAbsGradient() {
        CliTest.Run run = CliTest.run("train", "--json", "--quiet", "--solver", "lbfgs");
        assertEquals(0, run.code(), run.err());
        JsonObject json = run.json();
        assertEquals("lbfgs", json.get("solver").getAsString());
        assertEquals("converged", json.get("stop_reason").getAsString(), json.toString());
        assertEquals("double", json.get("precision").getAsString());
        assertTrue(json.get("gradient_max_abs").getAsDouble() <= 1e-6, json.toString());
        assertTrue(json.get("objective").getAsDouble() < 0);
        assertTrue(json.get("test_accuracy").getAsDouble() >= 0.9, json.toString());
    }

    @Test
    void warmStartFromASavedOptimumTakesAFewIterations() {
        Path model = dir.resolve("m.json");
        CliTest.Run first = CliTest.run("train", "--json", "--quiet", "--solver", "lbfgs", "--model-out",
                model.toString());
        assertEquals(0, first.code(), first.err());
        // The model file holds float32 weights: rounding the optimum moves max|dF| to a few 1e-6 (measured: 5.5e-6;
        // its digits depend on the optimum's last bits), so the default 1e-6 takes a few iterations (measured: 2;
        // from zero: 77) and a tolerance above the rounding, 1e-4, is met at once.
        CliTest.Run polish = CliTest.run("train", "--json", "--quiet", "--solver", "lbfgs", "--init",
                model.toString());
        assertEquals(0, polish.code(), polish.err());
        assertEquals("converged", polish.json().get("stop_reason").getAsString());
        int fromZero = first.json().get("iterations").getAsInt();
        int fromOptimum = polish.json().get("iterations").getAsInt();
        assertTrue(fromOptimum <= 10 && fromOptimum * 5 <= fromZero, fromOptimum + " iterations from the optimum, "
                + fromZero + " from zero");
        CliTest.Run again = CliTest.run("train", "--json", "--quiet", "--solver", "lbfgs", "--init", model.toString(),
                "--tolerance", "1e-4");
        assertEquals(0, again.code(), again.err());
        assertEquals(0, again.json().get("iterations").getAsInt(), again.json().toString());
        assertEquals("converged", again.json().get("stop_reason").getAsString());
    }

    @Test
    void weightsValidationAndOtherSolversRun() throws IOException {
        Path weights = dir.resolve("w.txt");
        Files.write(weights, Collections.nCopies(1797, "1.5"));
        CliTest.Run run = CliTest.run("train", "--json", "--quiet", "--solver", "sgd", "--batch-size", "64",
                "--learning-rate", "0.5", "--nesterov", "--schedule", "cosine", "--max-iterations", "30",
                "--class-weight", "balanced", "--sample-weights", weights.toString(), "--validation-fraction", "0.2",
                "--patience", "3");
        assertEquals(0, run.code(), run.err());
        assertEquals(288 + 1150, run.json().get("n_train").getAsInt() + run.json().get("n_validation").getAsInt());
        CliTest.Run owlqn = CliTest.run("train", "--json", "--quiet", "--solver", "owlqn", "--alpha", "0.5",
                "--class-weight", "0=2,1=0.5", "--tolerance", "1e-6");
        assertEquals(0, owlqn.code(), owlqn.err());
        assertEquals("converged", owlqn.json().get("stop_reason").getAsString(), owlqn.json().toString());
        CliTest.Run adam = CliTest.run("train", "--json", "--quiet", "--solver", "adam", "--batch-size", "100",
                "--learning-rate", "0.01", "--max-iterations", "5");
        assertEquals(0, adam.code(), adam.err());
    }

    @Test
    void badSolverOptionsExitWithCodeTwo() throws IOException {
        Path shortWeights = dir.resolve("short.txt");
        Files.write(shortWeights, Collections.nCopies(10, "1"));
        String[][] cases = {
            {"--solver", "newton-cg"},
            {"--solver", "lbfgs", "--alpha", "0.5"},
            {"--alpha", "2"},
            {"--solver", "lbfgs", "--batch-size", "10"},
            {"--momentum", "1"},
            {"--schedule", "step"},
            {"--class-weight", "11=2"},
            {"--class-weight", "3=-1"},
            {"--sample-weights", shortWeights.toString()},
            {"--validation-fraction", "1"},
            {"--init", dir.resolve("missing.json").toString()},
            {"--precision", "half", "--solver", "lbfgs"},
            {"--preconditioner", "diagonal", "--solver", "lbfgs"},
        };
        for (String[] options : cases) {
            String[] args = new String[options.length + 2];
            args[0] = "train";
            args[1] = "--quiet";
            System.arraycopy(options, 0, args, 2, options.length);
            CliTest.Run run = CliTest.run(args);
            assertEquals(2, run.code(), String.join(" ", options) + ": " + run.err());
            assertEquals(1, run.err().strip().split("\n").length, run.err());
        }
        CliTest.Run preconditioner = CliTest.run("train", "--preconditioner", "diagonal");
        assertTrue(preconditioner.err().contains(
                "preconditioner is \"diagonal\", expected center, center-scaled, center-unscaled or none"), preconditioner.err());
    }
}
