package org.softmax4j.engine.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Puts JCuda's native libraries where JCuda's own loader ({@code jcuda.LibUtils}) looks for them, before it runs.
 *
 * <p>Why: LibUtils first tries {@code System.loadLibrary}, then extracts {@code /lib/<file>} from the jar to
 * {@code java.io.tmpdir + "/" + <file>} — under a fixed name, writing in place, and reusing any file already there
 * without checking it. JVMs starting at once then map each other's half-written files and die in the dynamic loader
 * (SIGBUS/SIGSEGV, 27 of 120 starts measured here, see docs/GPU-FACTS.md); a truncated leftover crashes every later start.
 * Here the file is written to a temporary file in the same directory and moved over the target atomically, so the
 * target path only ever holds a complete library; an existing file is reused only when its SHA-256 equals that of the
 * copy in the jar, and replaced otherwise. LibUtils then finds a complete file and loads it without writing.
 */
public final class NativeLibraries {
    /** JCuda's version, part of every native file name. */
    public static final String JCUDA_VERSION = "12.6.0";
    /** The driver API binding: needs only libcuda.so.1. */
    public static final String DRIVER = "JCudaDriver";
    /** The PTX compiler binding: needs no driver. */
    public static final String PTX_COMPILER = "JNvPTXCompiler";
    /** The cuBLAS binding: needs libcublas.so.12. */
    public static final String CUBLAS = "JCublas2";

    private static final String RESOURCE_DIRECTORY = "/lib/";

    private NativeLibraries() {
    }

    /** The file name LibUtils uses on linux-x86_64, e.g. {@code libJCudaDriver-12.6.0-linux-x86_64.so}. */
    public static String fileName(String library) {
        return "lib" + library + "-" + JCUDA_VERSION + "-linux-x86_64.so";
    }

    /** Where LibUtils extracts and loads {@code library} from: {@code java.io.tmpdir/<file name>}. */
    public static Path targetPath(String library) {
        return Paths.get(System.getProperty("java.io.tmpdir"), fileName(library));
    }

    /**
     * Makes sure {@link #targetPath} holds exactly the jar's copy of {@code library}.
     *
     * @return the path, now complete and verified
     * @throws IOException when the resource is missing (not linux-x86_64 natives on the class path) or the file
     *                     cannot be written
     */
    public static Path place(String library) throws IOException {
        return place(library, targetPath(library));
    }

    /** {@link #place(String)} to a given path: for tests. */
    static Path place(String library, Path target) throws IOException {
        String resource = RESOURCE_DIRECTORY + fileName(library);
        byte[] expected = resourceSha256(resource);
        if (Files.isRegularFile(target) && MessageDigest.isEqual(expected, fileSha256(target))) {
            return target;
        }
        Path directory = target.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, target.getFileName().toString() + ".", ".part");
        try {
            byte[] written;
            try (InputStream in = open(resource); OutputStream out = Files.newOutputStream(temporary)) {
                MessageDigest digest = sha256();
                byte[] buffer = new byte[1 << 16];
                for (int read; (read = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, read);
                    out.write(buffer, 0, read);
                }
                written = digest.digest();
            }
            if (!MessageDigest.isEqual(expected, written)) {
                throw new IOException("the copy of " + resource + " read back with SHA-256 " + hex(written)
                        + ", expected " + hex(expected));
            }
            try {
                // createTempFile makes the file private (0600); a shared tmpdir needs it readable by all, as JCuda's is.
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the default permissions are all we can have
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot move " + temporary + " onto " + target + " atomically", e);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
        return target;
    }

    /** SHA-256 of the copy of {@code library} inside the jar, in hex. */
    public static String expectedSha256(String library) throws IOException {
        return hex(resourceSha256(RESOURCE_DIRECTORY + fileName(library)));
    }

    static byte[] fileSha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return digest(in);
        }
    }

    private static byte[] resourceSha256(String resource) throws IOException {
        try (InputStream in = open(resource)) {
            return digest(in);
        }
    }

    private static InputStream open(String resource) throws IOException {
        InputStream in = NativeLibraries.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("JCuda's native library " + resource + " is not on the class path "
                    + "(the jcuda-natives linux-x86_64 jar is missing)");
        }
        return in;
    }

    private static byte[] digest(InputStream in) throws IOException {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[1 << 16];
        for (int read; (read = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, read);
        }
        return digest.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
