package org.softmax4j.engine.cuda;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the tests in a JVM of its own: for what must not happen in the test JVM, such as a kernel
 * fault (a sticky error makes the GPU unusable for the rest of the process) or a probe without the cached one.
 */
final class ChildJvm {
    /** Exit code and output (stdout and stderr together) of a child JVM. */
    record Output(int code, String text) {
        /** The text after "{@code key}: " on the first line that starts so, or null. */
        String value(String key) {
            for (String line : text.split("\\R")) {
                if (line.startsWith(key + ": ")) {
                    return line.substring(key.length() + 2);
                }
            }
            return null;
        }
    }

    private ChildJvm() {
    }

    private static String codeSource(Class<?> type) throws Exception {
        return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    static Output run(Class<?> main, List<String> jvmOptions, String... args) throws Exception {
        return run(main, jvmOptions, java.util.Map.of(), args);
    }

    /** As {@link #run(Class, List, String...)}, with {@code environment} added to the child's environment. */
    static Output run(Class<?> main, List<String> jvmOptions, java.util.Map<String, String> environment,
                      String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-modules=jdk.incubator.vector");
        command.addAll(jvmOptions);
        command.add("-cp");
        // The engine's class path, the test classes, and the command line's libraries (for children running Main).
        command.add(ConcurrentStartTest.classPath() + File.pathSeparator
                + codeSource(ChildJvm.class) + File.pathSeparator + codeSource(picocli.CommandLine.class)
                + File.pathSeparator + codeSource(com.google.gson.Gson.class));
        command.add(main.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the child JVM did not end: " + new String(output, StandardCharsets.UTF_8));
        }
        return new Output(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
