package org.softmax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data set too large for the heap, in a child JVM with a small -Xmx: refused before loading when its size shows it
 * cannot fit, otherwise the OutOfMemoryError on the way is caught; both end with one line naming the need and
 * JAVA_OPTS=-Xmx..., exit 3, no stack trace and no model file. And the other side of the bound: a file loads into its
 * own size, so a heap little larger than the data trains.
 */
class CliMemoryTest {
    @TempDir
    static Path dir;
    private static Path data;

    /** 1,000,000 rows of 8 dense values and a label: 8 M floats, 32 MB as floats, 56 MB of text. */
    @BeforeAll
    static void writeData() throws IOException {
        data = dir.resolve("dense.csv");
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        try (Writer out = Files.newBufferedWriter(data, StandardCharsets.US_ASCII)) {
            StringBuilder row = new StringBuilder();
            for (int i = 0; i < 1_000_000; i++) {
                row.setLength(0);
                for (int j = 0; j < 8; j++) {
                    row.append(random.nextInt(1, 10)).append('.').append(random.nextInt(1, 10)).append(',');
                }
                row.append(random.nextInt(3)).append('\n');
                out.write(row.toString());
            }
        }
    }

    @Test
    void dataThatCannotFitIsRefusedBeforeLoading() throws Exception {
        Result result = train("-Xmx24m", false);
        assertEquals(ExitCodes.BACKEND_UNAVAILABLE, result.code, result.output);
        assertTrue(result.output.contains(data + ": its values need at least"), result.output);
        assertOneLineAdvice(result);
    }

    @Test
    void runningOutOfHeapWhileLoadingIsExplained() throws Exception {
        // Through a pipe the size is unknown: no estimate, and the rows go into blocks copied once at the end, twice
        // their 36 MB, more than -Xmx56m holds.
        assertRanOutOfHeap(train("-Xmx56m", true, "--test-fraction", "0"));
    }

    @Test
    void runningOutOfHeapAfterLoadingIsExplained() throws Exception {
        // The file loads into its exact 36 MB under -Xmx56m; the held-out 20% and the training 80% are copies of the
        // rows, which do not fit beside them.
        assertRanOutOfHeap(train("-Xmx56m", false));
    }

    @Test
    void aHeapLittleLargerThanTheDataTrains() throws Exception {
        // 36 MB of floats and labels in -Xmx64m: the file is read into arrays of its exact size and, without a test
        // set, trained on as read. Arrays grown by half and trimmed (and the copy of the rows for training) needed
        // more than -Xmx96m.
        try {
            Result result = train("-Xmx64m", false, "--test-fraction", "0");
            assertEquals(0, result.code, result.output);
            assertTrue(Files.size(dir.resolve("m.s4j")) > 0, "the model is written");
        } finally {
            // The other cases check that no model is written.
            Files.deleteIfExists(dir.resolve("m.s4j"));
        }
    }

    private static void assertRanOutOfHeap(Result result) {
        assertEquals(ExitCodes.BACKEND_UNAVAILABLE, result.code, result.output);
        assertTrue(result.output.contains("train: out of memory: the data and the work on it need more than"),
                result.output);
        assertOneLineAdvice(result);
    }

    private static void assertOneLineAdvice(Result result) {
        assertTrue(result.output.contains("JAVA_OPTS=-Xmx"), result.output);
        assertFalse(result.output.contains("OutOfMemoryError") || result.output.contains("\tat "), result.output);
        assertEquals(1, result.output.strip().lines().count(), result.output);
        assertFalse(Files.exists(dir.resolve("m.s4j")), "no model is written");
    }

    private record Result(int code, String output) {
    }

    // Trains on the data file, or with throughPipe on the same bytes written into the child's standard input.
    private static Result train(String xmx, boolean throughPipe, String... options) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add(xmx);
        command.add("--add-modules=jdk.incubator.vector");
        command.add("-cp");
        command.add(String.join(File.pathSeparator, codeSource(Main.class), codeSource(picocli.CommandLine.class),
                codeSource(com.google.gson.Gson.class)));
        command.add(Main.class.getName());
        command.addAll(List.of("train", "--backend", "cpu", "--quiet", "--train",
                throughPipe ? "/dev/stdin" : data.toString(), "--max-iterations", "1", "--model-out",
                dir.resolve("m.s4j").toString()));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread writer = new Thread(() -> {
            try (java.io.OutputStream in = process.getOutputStream()) {
                if (throughPipe) {
                    Files.copy(data, in);
                }
            } catch (IOException e) {
                // The child stopped reading (it ran out of memory): its exit code and output tell.
            }
        });
        writer.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the child ended");
        writer.join();
        return new Result(process.exitValue(), output.lines()
                .filter(line -> !line.startsWith("WARNING: Using incubator modules")).reduce("", (a, b) -> a + b + "\n"));
    }

    private static String codeSource(Class<?> type) throws Exception {
        return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
