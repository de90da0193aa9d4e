package org.softmax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The command line in a JVM of its own, its output collected as it comes. */
final class ChildCli {
    private final Process process;
    private final CompletableFuture<String> stdout;
    private final StringBuffer stderr = new StringBuffer();
    private final CountDownLatch iterating = new CountDownLatch(1);

    private ChildCli(Process process) {
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

    static ChildCli start(List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-modules=jdk.incubator.vector");
        // The test JVM's -XX options (e.g. -XX:UseAVX=2 or -XX:MaxVectorSize=16 to try another register width): a run
        // compared bit for bit with one in the test JVM must sum across the same lanes.
        for (String option : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (option.startsWith("-XX:")) {
                command.add(option);
            }
        }
        command.add("-cp");
        command.add(String.join(File.pathSeparator, codeSource(Main.class), codeSource(picocli.CommandLine.class),
                codeSource(com.google.gson.Gson.class)));
        command.add(Main.class.getName());
        command.addAll(args);
        return new ChildCli(new ProcessBuilder(command).start());
    }

    long pid() {
        return process.pid();
    }

    void awaitIterations() throws InterruptedException {
        assertTrue(iterating.await(60, TimeUnit.SECONDS), () -> "no iteration within 60 s: " + output());
    }

    /**
     * Sends the signal. Where this JVM ignores it, the child does too and the test is skipped (the child stopped): a
     * JVM leaves a shutdown signal that was ignored when it started alone, so no handler of the child would run. It
     * happens when the build runs as a background job of a shell without job control (`nohup ... &` in a script
     * ignores SIGINT for everything it starts); the seventh and eighth sessions' fresh-clone runs in a foreground
     * shell deliver it.
     */
    void signal(String name) throws Exception {
        assumeDeliverable(name);
        assertEquals(0, new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor());
    }

    /** Stops the child and skips the test where the signal would not reach the child's handlers (see {@link #signal}). */
    void assumeDeliverable(String name) {
        if (ignoredHere(name)) {
            process.destroyForcibly();
            assumeTrue(false, "SIG" + name + " is ignored by this process and so by its children (a background job"
                    + " without job control): the child cannot act on it");
        }
    }

    /** Whether /proc/self/status lists the signal among those this process ignores (false where it cannot say). */
    private static boolean ignoredHere(String name) {
        int number = switch (name) {
            case "INT" -> 2;
            case "TERM" -> 15;
            default -> 0;
        };
        try {
            for (String line : java.nio.file.Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("SigIgn:") && number > 0) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) >>> (number - 1) & 1) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    void kill() {
        process.destroyForcibly();
    }

    boolean alive() {
        return process.isAlive();
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

    /** No temporary file of {@link org.softmax4j.AtomicFile} is left in {@code dir}. */
    static void assertNoTemporaries(java.nio.file.Path dir) throws IOException {
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
            List<String> left = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
            assertTrue(left.isEmpty(), "temporary files left: " + left);
        }
    }
}
