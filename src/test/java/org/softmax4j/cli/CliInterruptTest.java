package org.softmax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.softmax4j.model.Model;
import org.softmax4j.model.ModelFile;

/**
 * Signals to a training in a child JVM: SIGINT and SIGTERM stop it after the iteration under way with the best model
 * written, stop reason "interrupted" and exit 130 / 143; a second signal stops at once; kill -9 at random moments
 * leaves the old model or the new one, and the next write removes the temporary file it may leave.
 */
@EnabledOnOs(OS.LINUX)
class CliInterruptTest {
    /** A training that does not end by itself: a tiny fixed step, no tolerance, no iteration limit to speak of. */
    private static final List<String> ENDLESS = List.of("train", "--backend", "cpu", "--threads", "1",
            "--learning-rate", "0.001", "--max-iterations", "100000000", "--tolerance", "0", "--json");

    @TempDir
    Path dir;

    @Test
    void sigintStopsAfterTheIterationAndWritesTheBestModel() throws Exception {
        assertInterrupted("INT", ExitCodes.INTERRUPTED_SIGINT);
    }

    @Test
    void sigtermStopsAfterTheIterationAndWritesTheBestModel() throws Exception {
        assertInterrupted("TERM", ExitCodes.INTERRUPTED_SIGTERM);
    }

    private void assertInterrupted(String signal, int expectedCode) throws Exception {
        Path model = dir.resolve("m.s4j");
        ChildCli child = ChildCli.start(args(ENDLESS, "--model-out", model.toString()));
        child.awaitIterations();
        child.signal(signal);
        int code = child.await();
        assertEquals(expectedCode, code, child::output);
        assertTrue(child.stderr().contains("SIG" + signal + ": stopping after the current iteration"), child::output);
        JsonObject json = JsonParser.parseString(child.stdout().strip()).getAsJsonObject();
        assertEquals("interrupted", json.get("stop_reason").getAsString(), child::output);
        assertEquals(expectedCode, json.get("exit_code").getAsInt());
        assertTrue(json.get("stop_detail").getAsString().startsWith("interrupted by SIG" + signal), child::output);
        Model written = ModelFile.read(model);
        assertEquals("interrupted", written.training().stopReason());
        assertEquals(json.get("iterations").getAsInt(), written.training().iterations());
        assertTrue(written.training().iterations() >= 1, "at least one iteration ran before the signal");
        ChildCli.assertNoTemporaries(dir);
    }

    @Test
    void aSecondSignalStopsAtOnce() throws Exception {
        Path model = dir.resolve("m.s4j");
        ChildCli child = ChildCli.start(args(ENDLESS, "--model-out", model.toString()));
        child.awaitIterations();
        child.assumeDeliverable("INT");
        // Both signals at once: the second usually arrives before the model is written, then nothing is written;
        // if the first one's stop already wrote it (or the two were merged into one), the model is complete.
        new ProcessBuilder("sh", "-c", "kill -INT " + child.pid() + "; kill -INT " + child.pid()).start().waitFor();
        int code = child.await();
        assertEquals(ExitCodes.INTERRUPTED_SIGINT, code, child::output);
        if (child.stderr().contains("SIGINT again: stopped at once")) {
            assertTrue(Files.notExists(model) || ModelFile.read(model).training().stopReason().equals("interrupted"),
                    child::output);
        } else {
            assertEquals("interrupted", ModelFile.read(model).training().stopReason(), child::output);
        }
        ChildCli.assertNoTemporaries(dir);
    }

    @Test
    void killNineLeavesTheOldModelOrTheNewOneAndTheNextWriteCleansUp() throws Exception {
        Path model = dir.resolve("m.s4j");
        List<String> quick = args(List.of("train", "--backend", "cpu", "--threads", "1", "--max-iterations", "30",
                "--learning-rate", "1"), "--model-out", model.toString());
        ChildCli first = ChildCli.start(quick);
        assertEquals(0, first.await(), first::output);
        byte[] old = Files.readAllBytes(model);
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 4; round++) {
            ChildCli child = ChildCli.start(args(quick, "--seed", Integer.toString(round + 2)));
            Thread.sleep(random.nextInt(300, 1300));
            child.kill();
            child.await();
            byte[] now = Files.readAllBytes(model);
            if (!java.util.Arrays.equals(old, now)) {
                // The killed run finished its write: a complete, different model.
                ModelFile.read(model);
                old = now;
            }
        }
        ChildCli last = ChildCli.start(args(quick, "--seed", "99"));
        assertEquals(0, last.await(), last::output);
        ModelFile.read(model);
        ChildCli.assertNoTemporaries(dir);
    }

    private static List<String> args(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }
}
