package org.softmax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
        Child child = Child.start(args(ENDLESS, "--model-out", model.toString()));
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
        assertNoTemporaries();
    }

    @Test
    void aSecondSignalStopsAtOnce() throws Exception {
        Path model = dir.resolve("m.s4j");
        Child child = Child.start(args(ENDLESS, "--model-out", model.toString()));
        child.awaitIterations();
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
        assertNoTemporaries();
    }

    @Test
    void killNineLeavesTheOldModelOrTheNewOneAndTheNextWriteCleansUp() throws Exception {
        Path model = dir.resolve("m.s4j");
        List<String> quick = args(List.of("train", "--backend", "cpu", "--threads", "1", "--max-iterations", "30",
                "--learning-rate", "1"), "--model-out", model.toString());
        Child first = Child.start(quick);
        assertEquals(0, first.await(), first::output);
        byte[] old = Files.readAllBytes(model);
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 4; round++) {
            Child child = Child.start(args(quick, "--seed", Integer.toString(round + 2)));
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
        Child last = Child.start(args(quick, "--seed", "99"));
        assertEquals(0, last.await(), last::output);
        ModelFile.read(model);
        assertNoTemporaries();
    }

    private void assertNoTemporaries() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> left = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
            assertTrue(left.isEmpty(), "temporary files left: " + left);
        }
    }

    private static List<String> args(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of(more));
        return all;
    }

    /** The command line in a JVM of its own, its output collected as it comes. */
    private static final class Child {
        private final Process process;
        private final CompletableFuture<String> stdout;
        private final StringBuffer stderr = new StringBuffer();
        private final CountDownLatch iterating = new CountDownLatch(1);

        private Child(Process process) {
            this.process = process;
            this.stdout = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
            Thread errReader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        stderr.append(line).append('\n');
                        if (line.startsWith("iteration ")) {
                            iterating.countDown();
                        }
                    }
                } catch (IOException ignored) {
                    // The child ended.
                }
            });
            errReader.setDaemon(true);
            errReader.start();
        }

        static Child start(List<String> args) throws Exception {
            List<String> command = new ArrayList<>();
            command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            command.add("--add-modules=jdk.incubator.vector");
            command.add("-cp");
            command.add(String.join(File.pathSeparator, codeSource(Main.class), codeSource(picocli.CommandLine.class),
                    codeSource(com.google.gson.Gson.class)));
            command.add(Main.class.getName());
            command.addAll(args);
            return new Child(new ProcessBuilder(command).start());
        }

        long pid() {
            return process.pid();
        }

        void awaitIterations() throws InterruptedException {
            assertTrue(iterating.await(60, TimeUnit.SECONDS), () -> "no iteration within 60 s: " + output());
        }

        void signal(String name) throws Exception {
            assertEquals(0, new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor());
        }

        void kill() {
            process.destroyForcibly();
        }

        int await() throws Exception {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the child did not end within 60 s: " + output());
            }
            stdout.get(10, TimeUnit.SECONDS);
            return process.exitValue();
        }

        String stdout() {
            return stdout.getNow("");
        }

        String stderr() {
            return stderr.toString();
        }

        String output() {
            return "stdout: " + stdout() + "\nstderr: " + stderr();
        }

        private static String read(java.io.InputStream in) {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }

        private static String codeSource(Class<?> type) throws Exception {
            return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        }
    }
}
