package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JCuda's own extraction crashed 27 of 120 JVMs starting at once (docs/GPU-FACTS.md). Here 12 JVMs start at once, 3
 * rounds, each round on a fresh java.io.tmpdir shared by its 12, the last one holding a truncated leftover library:
 * every JVM must exit normally and print the probe's answer line, the answer of this JVM's probe. What matters is
 * no crash and an answer: other lines (a JVM or driver warning) are allowed. On a GPU in exclusive-process compute
 * mode only one process can hold the device (this JVM's probe may be the one), so there a child may answer that the
 * device is busy.
 */
class ConcurrentStartTest {
    private static final int JVMS = 12;
    private static final int ROUNDS = 3;
    private static final String AVAILABLE = "cuda available: ";
    private static final String UNAVAILABLE = "cuda unavailable: ";

    @Test
    void twelveJvmsStartingAtOnceAllProbeCleanly(@TempDir Path root) throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = classPath();
        CudaProbe.Result here = CudaProbe.result();
        byte[] expectedHash = HexFormat.of().parseHex(NativeLibraries.expectedSha256(NativeLibraries.DRIVER));
        for (int round = 0; round < ROUNDS; round++) {
            Path tmp = Files.createDirectory(root.resolve("round" + round));
            Path library = tmp.resolve(NativeLibraries.fileName(NativeLibraries.DRIVER));
            if (round == ROUNDS - 1) {
                // A leftover from a crashed extraction: JCuda alone would map it and crash in every JVM.
                try (var in = NativeLibraries.class.getResourceAsStream("/lib/" + library.getFileName())) {
                    Files.write(library, Arrays.copyOf(in.readAllBytes(), 100_000));
                }
            }
            List<Process> processes = new ArrayList<>();
            List<Path> outputs = new ArrayList<>();
            for (int i = 0; i < JVMS; i++) {
                Path output = tmp.resolve("jvm" + i + ".out");
                outputs.add(output);
                processes.add(new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx64m",
                        "-Djava.io.tmpdir=" + tmp, "-cp", classPath, CudaProbe.class.getName())
                        .redirectErrorStream(true).redirectOutput(output.toFile()).start());
            }
            for (int i = 0; i < JVMS; i++) {
                Process process = processes.get(i);
                boolean finished = process.waitFor(60, TimeUnit.SECONDS);
                if (!finished) {
                    process.destroyForcibly();
                }
                String text = read(outputs.get(i));
                String what = "round " + round + ", JVM " + i + ": " + text;
                assertTrue(finished, "timed out: " + what);
                assertEquals(0, process.exitValue(), what);
                String answer = answer(text);
                assertNotNull(answer, "the probe's answer line: " + what);
                assertFalse(text.contains("\tat "), "no stack trace: " + what);
                if (here.available()) {
                    assertTrue(answer.startsWith(AVAILABLE) || busy(answer), "available, or busy: " + what);
                } else {
                    assertTrue(answer.startsWith(UNAVAILABLE), "unavailable, as here (" + here.reason() + "): "
                            + what);
                }
            }
            assertArrayEquals(expectedHash, NativeLibraries.fileSha256(library), "round " + round);
        }
    }

    @Test
    void theAnswerIsFoundAmongWarnings() {
        String busy = "cuda unavailable: NVIDIA H200 is busy: its compute mode is exclusive-process and another "
                + "process holds it (cuDevicePrimaryCtxRetain: CUDA_ERROR_DEVICE_UNAVAILABLE)";
        assertEquals(busy, answer("WARNING: Using incubator modules: jdk.incubator.vector\n" + busy + "\n"));
        assertTrue(busy(busy));
        assertFalse(busy("cuda unavailable: no CUDA device"));
        assertEquals("cuda available: x", answer("cuda available: x"));
        assertEquals(null, answer("Exception in thread \"main\" java.lang.UnsatisfiedLinkError\n"));
    }

    /** The line of CudaProbe.main, or null when there is none. */
    static String answer(String output) {
        for (String line : output.split("\\R")) {
            if (line.startsWith(AVAILABLE) || line.startsWith(UNAVAILABLE)) {
                return line;
            }
        }
        return null;
    }

    /** Whether the answer says that an exclusive-process GPU is held by another process. */
    static boolean busy(String answer) {
        return answer.startsWith(UNAVAILABLE) && answer.contains("CUDA_ERROR_DEVICE_UNAVAILABLE");
    }

    /**
     * softmax4j's classes, JCuda, JCublas and their natives: built from where they were loaded, because
     * java.class.path is not the test class path under every launcher (JUnit's console launcher, for one).
     */
    static String classPath() throws Exception {
        List<String> entries = new ArrayList<>();
        for (Class<?> type : List.of(CudaProbe.class, jcuda.driver.JCudaDriver.class, jcuda.jcublas.JCublas2.class)) {
            entries.add(Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        for (String library : List.of(NativeLibraries.DRIVER, NativeLibraries.CUBLAS)) {
            String url = NativeLibraries.class.getResource("/lib/" + NativeLibraries.fileName(library)).toString();
            // jar:file:/.../jcuda-natives-12.6.0-linux-x86_64.jar!/lib/...
            entries.add(Paths.get(new java.net.URI(url.substring(4, url.indexOf("!/")))).toString());
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
