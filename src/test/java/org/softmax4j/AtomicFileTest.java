package org.softmax4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir
    Path dir;

    /** A new file gets the permissions any new file of this process gets (Files.createTempFile's are owner-only). */
    @Test
    void aNewFileHasTheDefaultPermissions() throws IOException {
        Path plain = Files.createFile(dir.resolve("plain"));
        Path written = dir.resolve("written.png");
        AtomicFile.write(written, "picture", out -> out.write(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(written));
        if (Files.getFileAttributeView(plain, java.nio.file.attribute.PosixFileAttributeView.class) != null) {
            assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(written));
        }
    }

    /** A failure while writing leaves the old file as it was and no temporary file behind. */
    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("predictions.csv");
        Files.writeString(target, "old\n");
        InputException e = assertThrows(InputException.class, () -> AtomicFile.write(target, "predictions", out -> {
            out.write("new, half".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        }));
        assertEquals("cannot write predictions " + target + ": disk full", e.getMessage());
        assertEquals("old\n", Files.readString(target));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList());
        }
    }

    @Test
    void aDirectoryIsNotATarget() {
        InputException e = assertThrows(InputException.class,
                () -> AtomicFile.write(dir, "picture", out -> out.write(1)));
        assertEquals("cannot write picture: " + dir + " is a directory", e.getMessage());
        Path missing = dir.resolve("missing").resolve("w.png");
        e = assertThrows(InputException.class, () -> AtomicFile.write(missing, "picture", out -> out.write(1)));
        assertEquals("cannot write picture: directory " + missing.getParent() + " does not exist", e.getMessage());
    }

    @Test
    void theNextWriteRemovesTheTemporaryFileOfAKilledWriterButNotOfALiveOne() throws Exception {
        Path target = dir.resolve("m.s4j");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Process alive = new ProcessBuilder("sleep", "30").start();
        try {
            Path abandoned = dir.resolve(AtomicFile.tempName("m.s4j", gone.pid(), "abc"));
            Path inUse = dir.resolve(AtomicFile.tempName("m.s4j", alive.pid(), "def"));
            Path otherTarget = dir.resolve(AtomicFile.tempName("other.s4j", gone.pid(), "ghi"));
            Path notOurs = dir.resolve(".m.s4j.backup.tmp");
            for (Path file : new Path[] {abandoned, inUse, otherTarget, notOurs}) {
                Files.writeString(file, "half a model");
            }
            AtomicFile.write(target, "model", out -> out.write(1));
            assertFalse(Files.exists(abandoned), "the temporary file of a writer that no longer runs is removed");
            assertTrue(Files.exists(inUse), "the temporary file of a running writer is left alone");
            assertTrue(Files.exists(otherTarget), "another target's temporary file is left alone");
            assertTrue(Files.exists(notOurs), "a file that is not one of our temporary files is left alone");
        } finally {
            alive.destroyForcibly();
        }
    }

    /** Two writers of the same file (two processes with the same --model-out): a reader only ever sees one whole. */
    @Test
    void concurrentWritersLeaveOneWholeFileNeverAMix() throws Exception {
        Path target = dir.resolve("m.s4j");
        byte[] a = new byte[1 << 20];
        byte[] b = new byte[1 << 20];
        java.util.Arrays.fill(a, (byte) 'a');
        java.util.Arrays.fill(b, (byte) 'b');
        AtomicFile.write(target, "model", out -> out.write(a));
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        Thread reader = new Thread(() -> {
            while (!done.get()) {
                try {
                    byte[] seen = Files.readAllBytes(target);
                    if (!java.util.Arrays.equals(seen, a) && !java.util.Arrays.equals(seen, b)) {
                        throw new AssertionError("a reader saw a mix of " + seen.length + " bytes");
                    }
                    reads.incrementAndGet();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        java.util.concurrent.CompletableFuture<Void> readerDone = new java.util.concurrent.CompletableFuture<>();
        reader.setUncaughtExceptionHandler((t, e) -> readerDone.completeExceptionally(e));
        reader.start();
        Thread writerA = new Thread(() -> {
            for (int i = 0; i < 20; i++) {
                AtomicFile.write(target, "model", out -> out.write(a));
            }
        });
        writerA.start();
        for (int i = 0; i < 20; i++) {
            AtomicFile.write(target, "model", out -> out.write(b));
        }
        writerA.join();
        done.set(true);
        reader.join();
        readerDone.complete(null);
        readerDone.get();
        byte[] last = Files.readAllBytes(target);
        assertTrue(java.util.Arrays.equals(last, a) || java.util.Arrays.equals(last, b), "one whole file at the end");
        assertTrue(reads.get() > 0, "the reader read while the writers wrote");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList(), "no temporary file left");
        }
    }
}
