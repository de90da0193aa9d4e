package org.softmax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk and a read-only file system for real: the training runs in a child JVM inside a user and mount
 * namespace (unshare) where the model's directory is a tiny tmpfs, full or remounted read-only. The write fails with
 * one line naming the file and the system's reason, exit 2, the previous model (or checkpoint) intact and no temporary
 * file left.
 * Where unshare is not allowed (no user namespaces), skipped with the reason; AtomicFileTest covers the same through
 * an injected failing write everywhere.
 */
@EnabledOnOs(OS.LINUX)
class CliFullDiskTest {
    @TempDir
    static Path dir;
    private static Path oldModel;
    private static Path oldCheckpoint;

    @BeforeAll
    static void previousModel() throws Exception {
        oldModel = dir.resolve("old.s4j");
        int code = Main.run(new String[] {"train", "--backend", "cpu", "--quiet", "--max-iterations", "2",
                "--model-out", oldModel.toString()}, new java.io.PrintWriter(java.io.Writer.nullWriter()),
                new java.io.PrintWriter(java.io.Writer.nullWriter()));
        assertEquals(0, code);
        oldCheckpoint = dir.resolve("old.s4jc");
        code = Main.run(new String[] {"train", "--backend", "cpu", "--quiet", "--max-iterations", "2",
                "--checkpoint", oldCheckpoint.toString(), "--checkpoint-every", "0"},
                new java.io.PrintWriter(java.io.Writer.nullWriter()), new java.io.PrintWriter(java.io.Writer.nullWriter()));
        assertEquals(0, code);
        Process probe = new ProcessBuilder("unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
                "mount -t tmpfs -o size=64k none " + dir + " && echo ok").redirectErrorStream(true).start();
        String answer = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        probe.waitFor(30, TimeUnit.SECONDS);
        Assumptions.assumeTrue(answer.endsWith("ok"), "cannot mount a small file system in a user namespace here "
                + "(unshare --user --map-root-user --mount): " + answer);
    }

    @Test
    void aFullDiskKeepsThePreviousModel() throws Exception {
        // 16 KiB hold the old model (about 12.6 KB) but not a second one beside it.
        assertFullDiskKeeps(oldModel, "m.s4j", "model", 16 * 1024, "$TRAIN");
    }

    @Test
    void aReadOnlyFileSystemKeepsThePreviousModel() throws Exception {
        assertReadOnlyKeeps(oldModel, "m.s4j", "model", "$TRAIN");
    }

    @Test
    void aFullDiskKeepsThePreviousCheckpoint() throws Exception {
        // Room for the old checkpoint and one page more, not for a second checkpoint beside it.
        long size = (Files.size(oldCheckpoint) + 4095) / 4096 * 4096 + 4096;
        assertFullDiskKeeps(oldCheckpoint, "c.s4jc", "checkpoint", size, "$CHECKPOINTING");
    }

    @Test
    void aReadOnlyFileSystemKeepsThePreviousCheckpoint() throws Exception {
        assertReadOnlyKeeps(oldCheckpoint, "c.s4jc", "checkpoint", "$CHECKPOINTING");
    }

    /** {@code command} writing {@code name} (a copy of {@code old}) on a tmpfs of {@code size} bytes that it fills. */
    private static void assertFullDiskKeeps(Path old, String name, String what, long size, String command)
            throws Exception {
        String out = inNamespace("mount -t tmpfs -o size=" + size + " none $MNT && cp " + old + " $MNT/" + name
                + " && " + command + "; echo \"rc=$?\"; cmp -s " + old + " $MNT/" + name
                + " && echo intact; ls -a $MNT | grep -c tmp");
        assertTrue(out.contains("rc=2"), out);
        assertTrue(out.contains("train: cannot write " + what + " /mnt-s4j/" + name + ": No space left on device"),
                out);
        assertEquals(1, out.lines().filter(line -> line.startsWith("train: cannot")).count(), "one line: " + out);
        assertTrue(!out.contains("\tat ") && !out.contains("Exception"), "no stack trace: " + out);
        assertTrue(out.contains("intact"), out);
        assertTrue(out.strip().endsWith("0"), "no temporary file left: " + out);
    }

    /** {@code command} writing {@code name} (a copy of {@code old}) on a tmpfs remounted read-only. */
    private static void assertReadOnlyKeeps(Path old, String name, String what, String command) throws Exception {
        String out = inNamespace("mount -t tmpfs -o size=256k none $MNT && cp " + old + " $MNT/" + name
                + " && mount -o remount,ro $MNT && " + command + "; echo \"rc=$?\"; cmp -s " + old + " $MNT/"
                + name + " && echo intact");
        assertTrue(out.contains("rc=2"), out);
        assertTrue(out.contains("train: cannot write " + what + " /mnt-s4j/" + name)
                && out.contains("Read-only file system"), out);
        assertTrue(out.contains("intact"), out);
    }

    /**
     * Runs {@code script} with $MNT (an empty folder to mount over), $TRAIN and $CHECKPOINTING (the command writing a
     * model, or checkpoints) set.
     */
    private static String inNamespace(String script) throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = String.join(File.pathSeparator, codeSource(Main.class),
                codeSource(picocli.CommandLine.class), codeSource(com.google.gson.Gson.class));
        String train = java + " --add-modules=jdk.incubator.vector -cp " + classPath + " " + Main.class.getName()
                + " train --backend cpu --quiet --max-iterations 2 --seed 5";
        // The tmpfs is mounted over an empty folder of the test's own; the mount ends with the namespace.
        Path mountPoint = dir.resolve("mnt");
        Files.createDirectories(mountPoint);
        String full = "MNT=" + mountPoint + " && " + script;
        ProcessBuilder builder = new ProcessBuilder("unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
                full.replace("$TRAIN", train + " --model-out $MNT/m.s4j")
                        .replace("$CHECKPOINTING", train + " --checkpoint $MNT/c.s4jc --checkpoint-every 0")).redirectErrorStream(true);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        return out.replace(mountPoint.toString(), "/mnt-s4j");
    }

    private static String codeSource(Class<?> type) throws Exception {
        return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
