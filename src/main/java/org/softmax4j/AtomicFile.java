package org.softmax4j;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Files written whole or not at all (models, predictions, pictures): into a temporary file in the same directory,
 * synced to disk, then renamed over the target. On any failure the temporary file is removed and an existing target
 * is left as it was; a replaced target keeps its permissions, a new one gets the process's defaults.
 */
public final class AtomicFile {
    /**
     * Temporary files being written now, so that a process stopping at once (a second Ctrl-C) can remove them; a
     * process killed outright (kill -9) leaves its file, which the next write to the same target removes: the process
     * id in a temporary file's name tells whether its writer still runs.
     */
    private static final Set<Path> IN_PROGRESS = ConcurrentHashMap.newKeySet();
    private static final String TEMP_SUFFIX = ".tmp";

    /** Writes the file's content; the stream is closed by {@link #write}. */
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFile() {
    }

    /**
     * @param what what the file is, for the messages ("model": "cannot write model m.s4j: permission denied")
     * @throws InputException when the directory does not exist, {@code file} is a directory, or writing fails
     */
    public static void write(Path file, String what, Content content) {
        Path target = file.toAbsolutePath();
        Path directory = target.getParent();
        if (directory == null) {
            throw new InputException("cannot write " + what + ": " + file + " is a directory");
        }
        Path shownDirectory = file.getParent() != null ? file.getParent() : directory;
        if (!Files.isDirectory(directory)) {
            throw new InputException("cannot write " + what + ": directory " + shownDirectory
                    + (Files.exists(directory) ? " is not a directory" : " does not exist"));
        }
        if (Files.isDirectory(target)) {
            throw new InputException("cannot write " + what + ": " + file + " is a directory");
        }
        removeAbandoned(directory, target.getFileName().toString());
        Path temp = createTemp(directory, target.getFileName().toString(), what, file);
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(channel);
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            keepPermissions(target, temp);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            syncDirectory(directory);
        } catch (IOException e) {
            if (Files.isDirectory(target)) {
                throw new InputException("cannot write " + what + ": " + file + " is a directory", e);
            }
            throw new InputException("cannot write " + what + " " + file + ": " + describe(e), e);
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // The write already failed; that failure is the one to report.
                }
            }
            IN_PROGRESS.remove(temp);
        }
    }

    /** An I/O failure in a few words: "no such file or directory", "permission denied", the system's reason. */
    public static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /**
     * Removes the temporary files being written now (for a process about to halt). Safe to call from any thread; a
     * write that is still running fails with its own message.
     */
    public static void deleteTemporaries() {
        for (Path temp : IN_PROGRESS) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // Best effort: the next write to the same target removes it (see removeAbandoned).
            }
        }
    }

    /**
     * The temporary file's name: ".TARGET.PID.RANDOM.tmp", hidden beside the target, with the writer's process id so
     * that {@link #removeAbandoned} can tell an abandoned file from one another process is writing now.
     */
    static String tempName(String targetName, long pid, String random) {
        return "." + targetName + "." + pid + "." + random + TEMP_SUFFIX;
    }

    /**
     * Removes the temporary files a killed writer left beside {@code file} (each write does so too): for a process
     * that will write {@code file} later, or maybe never (a resumed training that ends before its next checkpoint).
     */
    public static void removeAbandoned(Path file) {
        Path target = file.toAbsolutePath();
        if (target.getParent() != null && Files.isDirectory(target.getParent())) {
            removeAbandoned(target.getParent(), target.getFileName().toString());
        }
    }

    /** Removes the temporary files of {@code targetName} whose writer no longer runs (killed mid-write). */
    static void removeAbandoned(Path directory, String targetName) {
        String prefix = "." + targetName + ".";
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory,
                entry -> entry.getFileName().toString().startsWith(prefix)
                        && entry.getFileName().toString().endsWith(TEMP_SUFFIX))) {
            for (Path entry : entries) {
                String middle = entry.getFileName().toString();
                middle = middle.substring(prefix.length(), middle.length() - TEMP_SUFFIX.length());
                int dot = middle.indexOf('.');
                if (dot <= 0 || middle.indexOf('.', dot + 1) >= 0) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(middle.substring(0, dot));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                        .orElse(false)) {
                    continue;
                }
                if (pid == ProcessHandle.current().pid() && IN_PROGRESS.contains(entry.toAbsolutePath())) {
                    continue;
                }
                Files.deleteIfExists(entry);
            }
        } catch (IOException | java.io.UncheckedIOException ignored) {
            // Cleaning up is a courtesy; the write itself reports what matters.
        }
    }

    /**
     * Created with the default permissions (not the owner-only ones of {@code Files.createTempFile}), and in
     * {@link #IN_PROGRESS} before it exists: registered after, another thread's {@link #removeAbandoned} of the same
     * target could take it for a killed writer's and remove it between the two (a write then failed with
     * NoSuchFileException in {@code AtomicFileTest}'s two concurrent writers, once, at load 10-14).
     */
    private static Path createTemp(Path directory, String targetName, String what, Path shownFile) {
        for (int attempt = 0; ; attempt++) {
            Path temp = directory.resolve(tempName(targetName, ProcessHandle.current().pid(),
                    Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36)));
            IN_PROGRESS.add(temp);
            try {
                return Files.createFile(temp);
            } catch (FileAlreadyExistsException e) {
                IN_PROGRESS.remove(temp);
                if (attempt >= 100) {
                    throw new InputException("cannot write " + what + " " + shownFile
                            + ": cannot create a temporary file in " + directory, e);
                }
            } catch (IOException e) {
                IN_PROGRESS.remove(temp);
                throw new InputException("cannot write " + what + " " + shownFile
                        + ": cannot create a temporary file in " + directory + " (" + describe(e) + ")", e);
            }
        }
    }

    /** Replacing a file keeps its permissions, as editing it in place would; best effort, POSIX only. */
    private static void keepPermissions(Path target, Path temp) {
        PosixFileAttributeView targetView = Files.getFileAttributeView(target, PosixFileAttributeView.class);
        PosixFileAttributeView tempView = Files.getFileAttributeView(temp, PosixFileAttributeView.class);
        if (targetView == null || tempView == null || !Files.isRegularFile(target)) {
            return;
        }
        try {
            tempView.setPermissions(targetView.readAttributes().permissions());
        } catch (IOException | UnsupportedOperationException ignored) {
            // The file is still written, with the default permissions.
        }
    }

    /** Makes the rename itself durable. Not every platform can open a directory; there this is skipped. */
    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // The file is complete and in place; only durability across a power cut is weaker.
        }
    }
}
