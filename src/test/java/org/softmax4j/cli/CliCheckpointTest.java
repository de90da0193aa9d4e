package org.softmax4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.softmax4j.model.Model;
import org.softmax4j.model.ModelFile;
import org.softmax4j.train.Checkpoint;

/**
 * {@code train --checkpoint} and {@code --resume}: a training killed outright (kill -9) at random moments, several
 * times, each time resumed from its last checkpoint, ends with the model of the run never stopped, bit for bit;
 * Ctrl-C writes a checkpoint that resumes the same way; other data, other options and a damaged checkpoint are
 * refused with one line and exit 2.
 */
class CliCheckpointTest {
    /** Mini-batch sgd for long enough to be killed a few times: its state holds momentum, the order and the generator. */
    private static final List<String> RUN = List.of("train", "--backend", "cpu", "--threads", "1", "--solver", "sgd",
            "--batch-size", "20", "--nesterov", "--schedule", "inverse-time", "--validation-fraction", "0.2",
            "--patience", "1000");

    @TempDir
    Path dir;

    @Test
    @EnabledOnOs(OS.LINUX)
    void killedAtRandomMomentsAndResumedEndsAsTheRunNeverKilled() throws Exception {
        Path reference = dir.resolve("reference.s4j");
        List<String> run = args(RUN, "--max-iterations", "30");
        CliTest.Run whole = cli(args(run, "--quiet", "--model-out", reference.toString()));
        assertEquals(0, whole.code(), whole.err());

        Path checkpoint = dir.resolve("run.s4jc");
        Path model = dir.resolve("m.s4j");
        SplittableRandom random = new SplittableRandom(17);
        int kills = 0;
        List<Integer> resumedAt = new ArrayList<>();
        // Killed when the checkpoint (written after every iteration) reaches an iteration drawn from each window, a
        // random moment later: by progress, not by the clock, so that a fast machine does not finish first.
        int[][] windows = {{2, 8}, {10, 17}, {19, 26}};
        for (int[] window : windows) {
            int target = random.nextInt(window[0], window[1] + 1);
            boolean resume = Files.exists(checkpoint);
            ChildCli child = ChildCli.start(args(run, resume ? "--resume" : "--checkpoint", checkpoint.toString(),
                    "--checkpoint-every", "0", "--model-out", model.toString()));
            child.awaitIterations();
            for (int wait = 0; wait < 120_000 && child.alive() && checkpointIteration(checkpoint) < target; wait++) {
                Thread.sleep(1);
            }
            Thread.sleep(random.nextInt(0, 20));
            child.kill();
            int code = child.await();
            if (code == 0) {
                break;  // it ended before the kill
            }
            kills++;
            if (resume) {
                resumedAt.add(iterationOf(child.stdout() + child.stderr()));
            }
        }
        assertTrue(kills >= 2 && !resumedAt.isEmpty(), "the run was killed " + kills + " times, resumed ones at "
                + resumedAt);
        ChildCli last = ChildCli.start(args(run, "--resume", checkpoint.toString(), "--model-out", model.toString(),
                "--json"));
        assertEquals(0, last.await(), last::output);
        Model expected = ModelFile.read(reference);
        Model actual = ModelFile.read(model);
        assertArrayEquals(expected.parameters().weights(), actual.parameters().weights(), "weights, resumed "
                + resumedAt);
        assertArrayEquals(expected.parameters().bias(), actual.parameters().bias());
        assertEquals(expected.training().iterations(), actual.training().iterations());
        assertEquals(expected.training().stopReason(), actual.training().stopReason());
        assertEquals(expected.training().metrics(), actual.training().metrics());
        JsonObject json = JsonParser.parseString(last.stdout().strip()).getAsJsonObject();
        assertEquals(checkpoint.toString(), json.get("resumed_from").getAsString());
        ChildCli.assertNoTemporaries(dir);
    }

    /** The iteration of the checkpoint in {@code file}, or -1 before there is one. */
    private static int checkpointIteration(Path file) {
        return Files.exists(file) ? Checkpoint.read(file).iteration() : -1;
    }

    /** The iteration a resumed child said it resumed at. */
    private static int iterationOf(String stderr) {
        for (String line : stderr.split("\n")) {
            if (line.startsWith("resuming from checkpoint ")) {
                String rest = line.substring(line.indexOf(": iteration ") + ": iteration ".length());
                return Integer.parseInt(rest.substring(0, rest.indexOf(',')));
            }
        }
        throw new AssertionError("no resume line in: " + stderr);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void ctrlCWritesACheckpointThatResumes() throws Exception {
        Path reference = dir.resolve("reference.s4j");
        List<String> run = args(RUN, "--max-iterations", "15");
        assertEquals(0, cli(args(run, "--quiet", "--model-out", reference.toString())).code());
        Path checkpoint = dir.resolve("ctrl-c.s4jc");
        // No periodic checkpoint within the run: the one there is comes from the interruption.
        ChildCli child = ChildCli.start(args(run, "--checkpoint", checkpoint.toString(), "--checkpoint-every", "3600",
                "--model-out", dir.resolve("interrupted.s4j").toString()));
        child.awaitIterations();
        child.signal("INT");
        assertEquals(ExitCodes.INTERRUPTED_SIGINT, child.await(), child::output);
        assertTrue(child.stdout().contains("is in checkpoint " + checkpoint + ": train --resume " + checkpoint
                + " continues"), child::output);
        Path model = dir.resolve("resumed.s4j");
        CliTest.Run resumed = cli(args(run, "--resume", checkpoint.toString(), "--model-out",
                model.toString()));
        assertEquals(0, resumed.code(), resumed.err());
        assertArrayEquals(ModelFile.read(reference).parameters().weights(), ModelFile.read(model).parameters()
                .weights());
    }

    @Test
    void otherDataOptionsOrADamagedFileAreRefused() throws Exception {
        Path checkpoint = dir.resolve("c.s4jc");
        List<String> base = List.of("train", "--backend", "cpu", "--solver", "lbfgs", "--quiet",
                "--checkpoint-every", "0");
        List<String> run = args(base, "--max-iterations", "3");
        assertEquals(0, cli(args(run, "--checkpoint", checkpoint.toString())).code());
        byte[] good = Files.readAllBytes(checkpoint);
        assertRefused(args(run, "--resume", checkpoint.toString(), "--seed", "2"),
                "cannot resume from checkpoint " + checkpoint + ": it was written for other training data");
        assertRefused(args(run, "--resume", checkpoint.toString(), "--binarize", "4"), "other training data");
        assertRefused(args(run, "--resume", checkpoint.toString(), "--lambda", "0.5"),
                "it was written with lambda 1.0, this run has 0.5; resume with the same options");
        assertRefused(args(List.of("train", "--backend", "cpu", "--max-iterations", "3", "--quiet", "--resume",
                checkpoint.toString())), "it was written with solver lbfgs, this run has ascent");
        assertRefused(args(run, "--resume", checkpoint.toString(), "--init", checkpoint.toString()),
                "a resumed run starts where its checkpoint left off");
        assertRefused(args(List.of("train", "--checkpoint-every", "5")), "--checkpoint-every needs --checkpoint");
        assertRefused(args(run, "--checkpoint", dir.resolve("no/such/c").toString()), "does not exist");
        byte[] damaged = good.clone();
        damaged[damaged.length - 20] ^= 4;
        Files.write(checkpoint, damaged);
        assertRefused(args(run, "--resume", checkpoint.toString()), checkpoint + ": checksum mismatch");
        Files.write(checkpoint, Arrays.copyOf(good, good.length / 2));
        assertRefused(args(run, "--resume", checkpoint.toString()), checkpoint + ": truncated checkpoint");
        Files.write(checkpoint, good);
        CliTest.Run resumed = cli(args(base, "--resume", checkpoint.toString(), "--max-iterations", "6"));
        assertEquals(0, resumed.code(), resumed.err());
    }

    private void assertRefused(List<String> args, String fragment) throws IOException {
        List<Path> before = files();
        CliTest.Run run = cli(args);
        String message = run.err().strip();
        assertEquals(2, run.code(), message);
        assertEquals(1, message.split("\n").length, message);
        assertTrue(message.contains(fragment), "expected \"" + fragment + "\" in: " + message);
        assertFalse(message.contains("\tat "), message);
        assertEquals(before, files(), "nothing written");
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    private static List<String> args(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }

    private static CliTest.Run cli(List<String> args) {
        return CliTest.run(args.toArray(String[]::new));
    }
}
