package org.softmax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.softmax4j.model.Model;
import org.softmax4j.model.ModelFile;

/**
 * {@code train --penalty-factors FILE}: positional and named factors, the record in the model file and the JSON, and
 * bad files (exit 2, one line naming file:line:column, no model written).
 */
class CliPenaltyFactorsTest {
    @TempDir
    Path dir;

    private Path data;

    @BeforeEach
    void dataWithHeader() throws IOException {
        StringBuilder rows = new StringBuilder("a,b,c,label\n");
        for (int i = 0; i < 60; i++) {
            rows.append(i % 2).append(',').append((i / 2) % 2).append(',').append(i % 3 == 0 ? 1 : 0).append(',')
                    .append((i % 2 + (i % 5 == 0 ? 1 : 0)) % 2 == 0 ? "even" : "odd").append('\n');
        }
        data = write("data.csv", rows.toString());
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private CliTest.Run train(String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--quiet", "--json", "--train", data.toString(),
                "--lambda", "2", "--tolerance", "1e-9"));
        args.addAll(Arrays.asList(more));
        if (!args.contains("--solver")) {
            args.addAll(List.of("--solver", "lbfgs"));
        }
        CliTest.Run run = CliTest.run(args.toArray(String[]::new));
        assertEquals(0, run.code(), args + ": " + run.err() + run.out());
        return run;
    }

    private static double objective(CliTest.Run run) {
        return run.json().get("objective").getAsDouble();
    }

    @Test
    void factorsOfOneChangeNothingAndOtherFactorsAreRecorded() throws IOException {
        CliTest.Run plain = train();
        assertTrue(plain.json().get("penalty_factors").isJsonNull());
        CliTest.Run ones = train("--penalty-factors", write("ones.txt", "1\n1\n1\n").toString());
        assertEquals(objective(plain), objective(ones), 0.0, "factors of 1 are the plain penalty");
        assertEquals("[1.0, 1.0, 1.0]", ones.json().get("penalty_factors").getAsString());

        Path modelOut = dir.resolve("m.json");
        CliTest.Run positional = train("--penalty-factors", write("f.csv", "# b unpenalised\n1\n0\n1\n").toString(),
                "--model-out", modelOut.toString());
        assertNotEquals(objective(plain), objective(positional));
        assertEquals("[1.0, 0.0, 1.0]", positional.json().get("penalty_factors").getAsString());
        Model model = ModelFile.read(modelOut);
        assertEquals("[1.0, 0.0, 1.0]", model.training().options().get("penalty_factors"));
        assertEquals(dir.resolve("f.csv").toString(), model.training().options().get("penalty_factors_file"));

        // The same factors by name (the others 1), with a header, and as l2,l1 pairs.
        CliTest.Run named = train("--penalty-factors", write("named.csv", "b,0\n").toString());
        assertEquals(objective(positional), objective(named), 0.0);
        CliTest.Run header = train("--penalty-factors", write("header.csv", "feature,l1,l2\nb,0,0\nc,1,1\n")
                .toString());
        assertEquals(objective(positional), objective(header), 0.0);
        CliTest.Run pairs = train("--penalty-factors", write("pairs.csv", "1,1\n0,0\n1,1\n").toString());
        assertEquals(objective(positional), objective(pairs), 0.0);
        // L2 factors of 4 and 1/4 with owlqn's L1 factors of 2: recorded as two lists.
        CliTest.Run split = train("--solver", "owlqn", "--alpha", "0.5", "--penalty-factors",
                write("split.csv", "l2,l1\n4,2\n0.25,2\n1,1\n").toString());
        assertEquals("l2=[4.0, 0.25, 1.0] l1=[2.0, 2.0, 1.0]", split.json().get("penalty_factors").getAsString());
    }

    /** Runs train with a factors file that must be refused: exit 2, one line with every fragment, no model. */
    private void assertBadFactors(String name, String text, String... fragments) throws IOException {
        Path file = write(name, text);
        Path modelOut = dir.resolve("out.model");
        CliTest.Run run = CliTest.run("train", "--quiet", "--train", data.toString(), "--penalty-factors",
                file.toString(), "--model-out", modelOut.toString());
        assertEquals(2, run.code(), name + " -> " + run.err());
        String message = run.err().strip();
        assertEquals(1, message.split("\n").length, name + ": " + message);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), name + ": expected \"" + fragment + "\" in: " + message);
        }
        assertFalse(message.contains("\tat "), "no stack trace: " + message);
        assertFalse(Files.exists(modelOut), name + ": a model was written");
    }

    @Test
    void badFactorFilesAreRefusedNamingTheLineAndColumn() throws IOException {
        assertBadFactors("text.txt", "1\nx\n1\n", "text.txt:2:1", "expected a finite penalty factor >= 0",
                "\"x\"");
        assertBadFactors("negative.csv", "1,1\n1,-2\n1,1\n", "negative.csv:2:2", "\"-2\"");
        assertBadFactors("nan.csv", "1\nNaN\n1\n", "nan.csv:2:1", "NaN");
        assertBadFactors("infinite.csv", "b,Infinity\n", "infinite.csv:1:2", "Infinity");
        assertBadFactors("short.txt", "1\n1\n", "short.txt", "has 2 factors, expected 3 (one per feature)");
        assertBadFactors("long.txt", "1\n1\n1\n1\n", "long.txt", "has 4 factors, expected 3");
        assertBadFactors("ragged.csv", "1,1\n1\n1,1\n", "ragged.csv:2:2", "expected 2 columns (l2,l1), found 1");
        assertBadFactors("wide.csv", "1,1,1\n", "wide.csv:1:1", "found 3 columns");
        assertBadFactors("column.csv", "feature,weight\nb,1\n", "column.csv:1:2", "\"weight\"");
        assertBadFactors("repeated.csv", "l2,l2\n1,1\n", "repeated.csv:1:2", "repeated");
        assertBadFactors("incomplete.csv", "feature,l2\nb,1\n", "incomplete.csv:1", "factor, or l2 and l1");
        assertBadFactors("unknown.csv", "b,1\nz,0\n", "unknown.csv:2:1", "\"z\" is not a feature");
        assertBadFactors("twice.csv", "b,1\nc,1\nb,0\n", "twice.csv:3:1", "named again (first on line 1)");
        assertBadFactors("empty.csv", "# nothing\n\n", "empty.csv", "found none");
        assertBadFactors("headeronly.csv", "factor\n", "headeronly.csv", "found none");
        Path missing = dir.resolve("missing.csv");
        CliTest.Run run = CliTest.run("train", "--quiet", "--train", data.toString(), "--penalty-factors",
                missing.toString());
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains("missing.csv"), run.err());
    }

    @Test
    void gradcheckChecksTheObjectiveWithFactors() throws IOException {
        CliTest.Run run = CliTest.run("gradcheck", "--quiet", "--json", "--data", data.toString(), "--lambda", "5",
                "--penalty-factors", write("f.csv", "b,0\nc,30\n").toString());
        assertEquals(0, run.code(), run.err() + run.out());
        JsonObject json = run.json();
        assertTrue(json.get("passed").getAsBoolean(), json.toString());
        assertEquals("[1.0, 0.0, 30.0]", json.get("penalty_factors").getAsString());
        assertEquals(5.0, json.get("lambda").getAsDouble());
    }

    @Test
    void namedFactorsNeedAHeaderInTheData() throws IOException {
        Path factors = write("named.csv", "b,0\n");
        CliTest.Run run = CliTest.run("train", "--quiet", "--penalty-factors", factors.toString());
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains("named.csv:1:1"), run.err());
        assertTrue(run.err().contains("the training data have no header"), run.err());
    }
}
