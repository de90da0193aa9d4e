package org.softmax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input through the command line: exit code 2, one line on stderr naming what and where, no stack trace, and no
 * output file left behind.
 */
class CliBadInputTest {
    @TempDir
    Path dir;

    private Path good;
    private Path model;

    @BeforeEach
    void goodDataAndModel() throws IOException {
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            rows.append(i % 2).append(',').append((i / 2) % 2).append(',').append(i % 3 == 0 ? 1 : 0).append(',')
                    .append(i % 2 == 0 ? "even" : "odd").append('\n');
        }
        good = write("good.csv", rows.toString());
        model = dir.resolve("good.model");
        CliTest.Run train = CliTest.run("train", "--quiet", "--train", good.toString(), "--max-iterations", "5",
                "--model-out", model.toString());
        assertEquals(0, train.code(), train.err());
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private List<Path> filesInDir() throws IOException {
        try (var files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    /** Runs a command that must fail with exit 2 and a message containing every fragment; no new file appears. */
    private void assertBadInput(String[] args, String... fragments) throws IOException {
        List<Path> before = filesInDir();
        CliTest.Run run = CliTest.run(args);
        String command = String.join(" ", args);
        assertEquals(2, run.code(), command + " -> " + run.err());
        String message = run.err().strip();
        assertEquals(1, message.split("\n").length, "one line for " + command + ": " + message);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), command + ": expected \"" + fragment + "\" in: " + message);
        }
        assertFalse(message.contains("\tat "), "no stack trace: " + message);
        assertEquals(before, filesInDir(), "no output written by " + command);
    }

    private String[] train(String file, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--quiet", "--train", file, "--model-out",
                dir.resolve("out.model").toString()));
        args.addAll(Arrays.asList(more));
        return args.toArray(String[]::new);
    }

    @Test
    void missingTrainingFile() throws IOException {
        assertBadInput(train(dir.resolve("nope.csv").toString()), "nope.csv");
    }

    @Test
    void raggedRow() throws IOException {
        Path file = write("ragged.csv", "1,0,a\n0,1,b\n1,b\n");
        assertBadInput(train(file.toString()), "ragged.csv:3", "2", "3");
    }

    @Test
    void nonNumericValue() throws IOException {
        Path file = write("text.csv", "1,0,a\n0,1,b\n1,x1,a\n");
        assertBadInput(train(file.toString()), "text.csv:3:2", "x1");
    }

    @Test
    void notANumber() throws IOException {
        Path file = write("nan.csv", "1,0,a\n0,NaN,b\n");
        assertBadInput(train(file.toString()), "nan.csv:2:2", "NaN");
    }

    @Test
    void emptyFile() throws IOException {
        Path file = write("empty.csv", "");
        assertBadInput(train(file.toString()), "empty.csv");
    }

    @Test
    void headerOnly() throws IOException {
        Path file = write("header.csv", "f1,f2,label\n");
        assertBadInput(train(file.toString()), "header.csv");
    }

    @Test
    void singleClass() throws IOException {
        Path file = write("one.csv", "1,0,a\n0,1,a\n");
        assertBadInput(train(file.toString()), "one.csv", "2 classes");
    }

    @Test
    void testLabelNeverSeenInTraining() throws IOException {
        Path test = write("test.csv", "1,0,1,even\n0,1,0,seven\n");
        assertBadInput(train(good.toString(), "--test", test.toString()), "test.csv:2:4", "seven");
    }

    @Test
    void evalDataWithTheWrongFeatureCount() throws IOException {
        Path data = write("short.csv", "1,0,even\n");
        assertBadInput(new String[] {"eval", "--model", model.toString(), "--data", data.toString()},
                "short.csv:1", "3", "2");
    }

    @Test
    void predictInputWithTheWrongFeatureCount() throws IOException {
        Path data = write("wide.csv", "1,0,1,0,1\n");
        Path output = dir.resolve("predictions.csv");
        assertBadInput(new String[] {"predict", "--model", model.toString(), "--input", data.toString(), "--output",
                output.toString()}, "wide.csv:1");
    }

    @Test
    void truncatedGzip() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(Files.readString(good).repeat(50).getBytes(StandardCharsets.UTF_8));
        }
        byte[] whole = bytes.toByteArray();
        Path file = dir.resolve("cut.csv.gz");
        Files.write(file, Arrays.copyOf(whole, whole.length / 2));
        assertBadInput(train(file.toString()), "cut.csv.gz", "truncated");
    }

    @Test
    void corruptedModel() throws IOException {
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length - 20] ^= 0x01;
        Path corrupted = dir.resolve("corrupted.model");
        Files.write(corrupted, bytes);
        Path data = write("eval.csv", "1,0,1,even\n");
        assertBadInput(new String[] {"eval", "--model", corrupted.toString(), "--data", data.toString()},
                "corrupted.model", "checksum");
    }

    /** --init across kinds: a model with a bias cannot start --no-bias training, nor the other way round. */
    @Test
    void warmStartAcrossKindsIsRefused() throws IOException {
        assertBadInput(train(good.toString(), "--no-bias", "--init", model.toString()), "--init", "good.model",
                "has a bias", "--no-bias");
        Path noBias = dir.resolve("nobias.model");
        CliTest.Run run = CliTest.run("train", "--quiet", "--train", good.toString(), "--max-iterations", "5",
                "--no-bias", "--model-out", noBias.toString());
        assertEquals(0, run.code(), run.err());
        assertBadInput(train(good.toString(), "--init", noBias.toString()), "--init", "nobias.model", "has no bias",
                "--no-bias");
    }

    @Test
    void badOptionValues() throws IOException {
        assertBadInput(train(good.toString(), "--lambda", "-1"), "lambda is -1.0");
        assertBadInput(train(good.toString(), "--binarize", "abc"), "--binarize", "abc");
        assertBadInput(train(good.toString(), "--label-column", "0"), "--label-column");
        assertBadInput(train(good.toString(), "--threads", "-2"), "--threads");
        assertBadInput(train(good.toString(), "--test-fraction", "1.5"), "--test-fraction");
        assertBadInput(train(good.toString(), "--solver", "lbfgs", "--history", "0"), "history is \"0\"", "auto");
        assertBadInput(train(good.toString(), "--solver", "lbfgs", "--history", "many"), "history is \"many\"");
        assertBadInput(new String[] {"train", "--backend", "gpu"}, "gpu");
        assertBadInput(train(good.toString(), "--solver", "newtn"), "solver is \"newtn\"", "newton");
        assertBadInput(train(good.toString(), "--solver", "newton", "--alpha", "0.5"), "alpha is 0.5", "owlqn");
    }

    /** K·(D+1) = 10·152 = 1,520 parameters: more than --solver newton factors; exit 2 before any iteration. */
    @Test
    void newtonRefusesTooManyParameters() throws IOException {
        StringBuilder rows = new StringBuilder();
        for (int n = 0; n < 30; n++) {
            for (int j = 0; j < 151; j++) {
                rows.append((n + j) % 3 == 0 ? 1 : 0).append(',');
            }
            rows.append("c").append(n % 10).append('\n');
        }
        Path wide = write("wide.csv", rows.toString());
        assertBadInput(train(wide.toString(), "--solver", "newton"), "1520", "at most 1500", "--solver lbfgs");
    }
}
