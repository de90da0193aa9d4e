package org.softmax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.softmax4j.cli.CliTest.Run;

/**
 * The wrong answers that used to come with exit code 0 and no word (issue 17): each gives a notice, --strict makes it
 * exit 2, and --json lists the notices; a failure under --json still ends stdout with one JSON object.
 */
class CliDataContractTest {
    @TempDir
    static Path dir;

    /** The digits binarized at 8 as 0/1 CSV, 64 features and the label. */
    private static Path binaryDigits;
    /** A model trained on {@link #binaryDigits} (no threshold: its features are 0/1). */
    private static Path binaryModel;
    /** A model trained on the built-in digits (counts, binarized at 8). */
    private static Path digitsModel;

    @BeforeAll
    static void models() throws IOException {
        StringBuilder rows = new StringBuilder();
        for (String line : digitsLines()) {
            String[] fields = line.split(",");
            for (int j = 0; j < 64; j++) {
                rows.append(Integer.parseInt(fields[j]) >= 8 ? 1 : 0).append(',');
            }
            rows.append(fields[64]).append('\n');
        }
        binaryDigits = dir.resolve("binary-digits.csv");
        Files.writeString(binaryDigits, rows);
        binaryModel = dir.resolve("binary.s4j");
        Run train = CliTest.run("train", "--quiet", "--backend", "cpu", "--solver", "lbfgs", "--train",
                binaryDigits.toString(), "--model-out", binaryModel.toString());
        assertEquals(0, train.code(), train.err());
        digitsModel = dir.resolve("digits.s4j");
        train = CliTest.run("train", "--quiet", "--backend", "cpu", "--solver", "lbfgs", "--model-out",
                digitsModel.toString());
        assertEquals(0, train.code(), train.err());
    }

    private static List<String> digitsLines() throws IOException {
        try (InputStream in = new GZIPInputStream(CliDataContractTest.class.getResourceAsStream(
                "/org/softmax4j/data/optdigits-8x8.csv.gz"))) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            return bytes.toString(StandardCharsets.UTF_8).lines().toList();
        }
    }

    private static Path write(String name, List<String> lines) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, lines);
        return file;
    }

    private static List<String> noticesOf(Run run) {
        JsonArray notices = run.json().getAsJsonArray("notices");
        return notices.asList().stream().map(e -> e.getAsString()).toList();
    }

    @Test
    void sixtyThreeFeaturesAndALabelForASixtyFourFeatureModelGiveANoticeAndExit2WhenStrict() throws IOException {
        // Each row: features 2..64 of the digits (63 values) and the label, 64 columns: the label reads as feature 64.
        List<String> shifted = Files.readAllLines(binaryDigits).subList(0, 10).stream()
                .map(line -> line.substring(line.indexOf(',') + 1)).toList();
        Path input = write("shifted.csv", shifted);
        Run run = CliTest.run("predict", "--json", "--backend", "cpu", "--model", binaryModel.toString(), "--input",
                input.toString(), "--output", dir.resolve("p.csv").toString());
        assertEquals(0, run.code(), run.err());
        List<String> notices = noticesOf(run);
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("column 64 (feature 64) has values from 0 to 9, far outside the training "
                + "range 0 to 1"), notices.get(0));
        assertTrue(run.err().contains(notices.get(0)), run.err());

        Path output = dir.resolve("strict.csv");
        Run strict = CliTest.run("predict", "--json", "--strict", "--backend", "cpu", "--model",
                binaryModel.toString(), "--input", input.toString(), "--output", output.toString());
        assertEquals(2, strict.code(), strict.err());
        assertFalse(Files.exists(output), "no predictions under --strict");
        JsonObject json = strict.json();
        assertEquals(2, json.get("exit_code").getAsInt());
        assertTrue(json.get("error").getAsString().startsWith("--strict and 1 notice about " + input), json + "");
        assertEquals(input.toString(), json.get("file").getAsString());
        assertEquals(notices, noticesOf(strict));
    }

    @Test
    void binaryDataGivenToAModelThatBinarizesCountsGiveANotice() throws IOException {
        Path input = write("binary-360.csv", Files.readAllLines(binaryDigits).subList(0, 360));
        Run run = CliTest.run("eval", "--json", "--backend", "cpu", "--model", digitsModel.toString(), "--data",
                input.toString());
        assertEquals(0, run.code(), run.err());
        List<String> notices = noticesOf(run);
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("binarized at 8, every value of the input is 0; in training 32.3% of the "
                + "values were 1"), notices.get(0));
        assertTrue(run.json().get("accuracy").getAsDouble() < 0.2, "the answers are wrong: that is why");

        // The way out the notice names: no notice, and the model works.
        Run fixed = CliTest.run("eval", "--json", "--backend", "cpu", "--model", digitsModel.toString(), "--data",
                input.toString(), "--binarize", "0.5", "--strict");
        assertEquals(0, fixed.code(), fixed.err());
        assertEquals(List.of(), noticesOf(fixed));
        assertTrue(fixed.json().get("accuracy").getAsDouble() > 0.9, fixed.out());

        Run strict = CliTest.run("eval", "--strict", "--backend", "cpu", "--model", digitsModel.toString(), "--data",
                input.toString());
        assertEquals(2, strict.code(), strict.err());
    }

    @Test
    void aFewRowsAreNotCalledConstant() throws IOException {
        // One row is constant in every column by nature: no notice.
        Path input = write("one-row.csv", Files.readAllLines(binaryDigits).subList(0, 1));
        Run run = CliTest.run("predict", "--json", "--strict", "--backend", "cpu", "--model", digitsModel.toString(),
                "--input", input.toString(), "--binarize", "0.5");
        assertEquals(0, run.code(), run.err());
        assertEquals(List.of(), noticesOf(run));
    }

    @Test
    void evalWithAnotherSeedThanTheModelsGivesANotice() {
        Run run = CliTest.run("eval", "--json", "--backend", "cpu", "--model", digitsModel.toString(), "--seed", "2");
        assertEquals(0, run.code(), run.err());
        List<String> notices = noticesOf(run);
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).startsWith("notice: --seed 2 differs from the model's training seed 1"),
                notices.toString());
        Run same = CliTest.run("eval", "--json", "--backend", "cpu", "--model", digitsModel.toString(), "--seed", "1");
        assertEquals(List.of(), noticesOf(same));
        Run strict = CliTest.run("eval", "--strict", "--backend", "cpu", "--model", digitsModel.toString(), "--seed",
                "2");
        assertEquals(2, strict.code(), strict.err());
    }

    @Test
    void headerYesOnAFileWithoutAHeaderGivesANotice() throws IOException {
        Path input = write("no-header.csv", Files.readAllLines(binaryDigits).subList(0, 20));
        Run run = CliTest.run("predict", "--json", "--backend", "cpu", "--model", binaryModel.toString(), "--input",
                input.toString(), "--header", "yes");
        assertEquals(0, run.code(), run.err());
        List<String> notices = noticesOf(run);
        assertEquals(List.of("notice: " + input + ":1: --header yes, but every feature field of this line is a number: "
                + "it was skipped as a header, not read as a row"), notices);
        assertEquals(19, run.json().get("rows").getAsInt());

        Run train = CliTest.run("train", "--json", "--quiet", "--backend", "cpu", "--max-iterations", "2", "--train",
                binaryDigits.toString(), "--header", "yes");
        assertEquals(0, train.code(), train.err());
        assertEquals(1, noticesOf(train).size(), train.out());
    }

    @Test
    void headerColumnsAreMatchedByNameInAnyOrderAndAMissingOneIsAnError() throws IOException {
        Path train = write("named.csv", List.of("a,b,c,label", "0,1,5,x", "1,0,7,y", "0,0,6,x", "1,1,8,y",
                "0,1,5,x", "1,0,9,y"));
        Path model = dir.resolve("named.s4j");
        Run trained = CliTest.run("train", "--quiet", "--backend", "cpu", "--solver", "lbfgs", "--lambda", "1",
                "--test-fraction", "0", "--train", train.toString(), "--model-out", model.toString());
        assertEquals(0, trained.code(), trained.err());

        Path inOrder = write("in-order.csv", List.of("a,b,c", "1,0,7", "0,1,5"));
        Path reordered = write("reordered.csv", List.of("label,c,a,b", "y,7,1,0", "x,5,0,1"));
        Run first = CliTest.run("predict", "--backend", "cpu", "--strict", "--model", model.toString(), "--input",
                inOrder.toString());
        Run second = CliTest.run("predict", "--backend", "cpu", "--strict", "--model", model.toString(), "--input",
                reordered.toString());
        assertEquals(0, first.code(), first.err());
        assertEquals(0, second.code(), second.err());
        assertEquals(first.out(), second.out());

        Run eval = CliTest.run("eval", "--json", "--backend", "cpu", "--model", model.toString(), "--data",
                reordered.toString());
        assertEquals(0, eval.code(), eval.err());
        assertEquals(1.0, eval.json().get("accuracy").getAsDouble());

        Path missing = write("missing.csv", List.of("a,c,label", "1,7,y"));
        Run bad = CliTest.run("eval", "--json", "--backend", "cpu", "--model", model.toString(), "--data",
                missing.toString());
        assertEquals(2, bad.code(), bad.err());
        JsonObject json = bad.json();
        assertTrue(json.get("error").getAsString().contains("expected a column named \"b\" (feature 2 of the "
                + "model), found no such column in the header"), json + "");
    }

    @Test
    void separableDataAtLambdaZeroAreNamedInTheStopDetailAndANotice() throws IOException {
        Path train = write("separable.csv", List.of("0,0,a", "0,1,a", "1,0,a", "3,3,b", "3,4,b", "4,3,b"));
        Run run = CliTest.run("train", "--json", "--backend", "cpu", "--solver", "lbfgs", "--lambda", "0",
                "--test-fraction", "0", "--max-iterations", "200", "--train", train.toString());
        assertEquals(0, run.code(), run.err());
        JsonObject json = run.json();
        assertTrue(json.get("separable").getAsBoolean(), json + "");
        assertTrue(json.get("stop_detail").getAsString().contains("the training data are separable"), json + "");
        List<String> notices = noticesOf(run);
        assertEquals(1, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("add a penalty such as --lambda 1"), notices.get(0));

        Run penalised = CliTest.run("train", "--json", "--backend", "cpu", "--solver", "lbfgs", "--lambda", "1",
                "--test-fraction", "0", "--train", train.toString());
        assertFalse(penalised.json().get("separable").getAsBoolean(), penalised.out());
        assertEquals(List.of(), noticesOf(penalised));
    }

    @Test
    void underJsonAFailureEndsStdoutWithOneJsonObject() throws IOException {
        Path broken = write("broken.csv", List.of("1,0,a", "1,x,b"));
        for (String[] args : List.of(
                new String[] {"predict", "--json", "--model", binaryModel.toString(), "--input", "nothing.csv"},
                new String[] {"train", "--json", "--backend", "cpu", "--train", broken.toString()},
                new String[] {"eval", "--json", "--model", "nothing.s4j"},
                new String[] {"train", "--json", "--no-such-option"})) {
            Run run = CliTest.run(args);
            assertEquals(2, run.code(), run.err());
            String[] lines = run.out().strip().split("\n");
            assertEquals(1, lines.length, run.out());
            JsonObject json = run.json();
            for (String key : List.of("error", "exit_code", "file", "line", "column", "notices")) {
                assertTrue(json.has(key), "missing key " + key + " in " + json);
            }
            assertEquals(2, json.get("exit_code").getAsInt());
            // The error is the stderr line without the command's name.
            assertTrue(run.err().contains(json.get("error").getAsString()), run.err() + " / " + json);
        }
        Run located = CliTest.run("train", "--json", "--backend", "cpu", "--train", broken.toString());
        JsonObject json = located.json();
        assertEquals(broken.toString(), json.get("file").getAsString());
        assertEquals(2, json.get("line").getAsLong());
        assertEquals(2, json.get("column").getAsInt());
        // Without --json, standard output stays empty.
        assertEquals("", CliTest.run("train", "--backend", "cpu", "--train", broken.toString()).out());
    }
}
