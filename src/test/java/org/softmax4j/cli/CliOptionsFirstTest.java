package org.softmax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} checks every option before it reads any data: a bad option fails on the option (exit code 2, one line
 * naming it) even when the training file does not exist, or never ends ({@code /dev/zero}, which would take minutes to
 * reject as data).
 */
class CliOptionsFirstTest {
    @TempDir
    Path dir;

    private CliTest.Run train(String data, String... options) {
        List<String> args = new ArrayList<>(List.of("train", "--quiet", "--train", data));
        args.addAll(Arrays.asList(options));
        return CliTest.run(args.toArray(String[]::new));
    }

    @Test
    void badOptionsFailBeforeTheDataIsRead() throws IOException {
        Path badWeights = dir.resolve("weights.txt");
        Files.writeString(badWeights, "1\n2\nheavy\n");
        Path biased = dir.resolve("biased.model");
        CliTest.Run made = CliTest.run("train", "--quiet", "--max-iterations", "2", "--model-out", biased.toString());
        assertEquals(0, made.code(), made.err());
        String[][] cases = {
            {"--validation-fraction", "1", "--validation-fraction"},
            {"--test-fraction", "-0.1", "--test-fraction"},
            {"--threads", "-1", "--threads"},
            {"--class-weight", "3=abc", "--class-weight"},
            {"--class-weight", "=2", "--class-weight"},
            {"--sample-weights", badWeights.toString(), "weights.txt:3"},
            {"--sample-weights", dir.resolve("missing.txt").toString(), "missing.txt"},
            {"--init", dir.resolve("missing.model").toString(), "missing.model"},
            {"--init", biased.toString(), "--no-bias", "--init"},
            {"--binarize", "x", "--binarize"},
            {"--header", "maybe", "--header"},
            {"--representation", "sparse", "--representation"},
            {"--label-column", "0", "--label-column"},
            {"--model-out", dir.resolve("no/such/dir/m.s4j").toString(), "--model-out"},
            {"--learning-rate", "fast", "learning rate"},
            {"--solver", "newton-cg", "newton-cg"},
        };
        List<String> sources = new ArrayList<>(List.of(dir.resolve("missing-data.csv").toString()));
        if (Files.exists(Path.of("/dev/zero"))) {
            sources.add("/dev/zero");
        }
        for (String data : sources) {
            for (String[] c : cases) {
                String[] options = Arrays.copyOf(c, c.length - 1);
                String expected = c[c.length - 1];
                String what = String.join(" ", options) + " with --train " + data;
                CliTest.Run run = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> train(data, options), what);
                assertEquals(2, run.code(), what + ": " + run.err());
                String message = run.err().strip();
                assertEquals(1, message.split("\n").length, what + ": one line, got " + message);
                assertTrue(message.contains(expected), what + ": expected \"" + expected + "\" in " + message);
                assertTrue(!message.contains("missing-data.csv") && !message.contains("/dev/zero"),
                        what + ": the option is named, not the data: " + message);
            }
        }
    }

    /** The same options, good, on data that exists: the run goes through (the checks do not refuse good options). */
    @Test
    void goodOptionsStillTrain() throws IOException {
        Path weights = dir.resolve("weights.txt.gz");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 1797; i++) {
            text.append(i % 3 == 0 ? "2" : "1").append('\n');
        }
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(weights))) {
            out.write(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        CliTest.Run run = CliTest.run("train", "--quiet", "--json", "--max-iterations", "3", "--threads", "1",
                "--validation-fraction", "0.1", "--class-weight", "3=2,7=0.5", "--sample-weights", weights.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.json().get("n_validation").getAsInt() > 0, run.out());
    }
}
