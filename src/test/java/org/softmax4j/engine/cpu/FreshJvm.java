package org.softmax4j.engine.cpu;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for the probes of this package ({@link AllocationProbe}, {@link CacheLinesTest}): what the JIT or the
 * heap does depends on what ran before in the JVM, so these checks start from a fresh one with options of their own.
 */
final class FreshJvm {
    private FreshJvm() {
    }

    /**
     * Runs this JVM's {@code java} with {@code arguments} (options, {@code -cp}, the main class and its arguments) and
     * returns the last line it printed; fails with everything it printed if it exits with an error, and if it does not
     * end within {@code timeoutSeconds}.
     */
    static String lastLine(String what, int timeoutSeconds, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(arguments);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(what + " did not end within " + timeoutSeconds + " s");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new AssertionError(what + " failed: " + output);
            }
            String[] lines = output.strip().split("\n");
            return lines[lines.length - 1];
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while " + what + " ran", e);
        }
    }

    /** The class path of the jars or folders that hold {@code types}. */
    static String classPath(Class<?>... types) {
        return String.join(File.pathSeparator, Arrays.stream(types).map(FreshJvm::codeSource).toArray(String[]::new));
    }

    private static String codeSource(Class<?> type) {
        try {
            return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
