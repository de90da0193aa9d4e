package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The kernels shipped in the resources were built from the cuda/ sources as they are now: every cuda/*.cu and
 * cuda/*.cuh has the SHA-256 that scripts/build-kernels.sh recorded in kernels.sha256, and nothing is missing on
 * either side. Rebuild with scripts/build-kernels.sh when this fails.
 */
class KernelManifestTest {
    private static final String RESOURCES = "/org/softmax4j/cuda/";
    private static final String REBUILD = "; run scripts/build-kernels.sh (nvcc 13.0) and commit its outputs";

    /** Every kernel of the contract (cuda/README.md). */
    private static final List<String> KERNELS = List.of(
            "logits_dense_kernel", "logits_binary_kernel",
            "softmax_residual_kernel", "softmax_rows_kernel",
            "gradient_dense_kernel", "gradient_binary_kernel", "bias_gradient_kernel",
            "sum_doubles_kernel", "sum_ints_kernel", "reduce_partials_kernel",
            "ascent_update_kernel",
            "fused_binary_kernel", "fused_dense_kernel");

    private static final Pattern LINE = Pattern.compile("([0-9a-f]{64}) {2}(\\S+)");

    @Test
    void everyKernelSourceMatchesTheManifest() throws IOException {
        Path root = repositoryRoot();
        Map<String, String> manifest = manifest();
        Map<String, String> sources = new TreeMap<>();
        try (Stream<Path> files = Files.list(root.resolve("cuda"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (Files.isRegularFile(file) && (name.endsWith(".cu") || name.endsWith(".cuh"))) {
                    sources.put("cuda/" + name, sha256(Files.readAllBytes(file)));
                }
            }
        }
        assertTrue(!sources.isEmpty(), "no cuda/*.cu or cuda/*.cuh under " + root);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> source : sources.entrySet()) {
            String recorded = manifest.get(source.getKey());
            if (recorded == null) {
                problems.add(source.getKey() + " is not in kernels.sha256");
            } else if (!recorded.equals(source.getValue())) {
                problems.add(source.getKey() + " has SHA-256 " + source.getValue() + ", the kernels were built from "
                        + recorded);
            }
        }
        for (String listed : manifest.keySet()) {
            if (!sources.containsKey(listed)) {
                problems.add("kernels.sha256 names " + listed + ", which does not exist");
            }
        }
        if (!problems.isEmpty()) {
            fail("the shipped kernels are stale: " + String.join("; ", problems) + REBUILD);
        }
    }

    @Test
    void loweredPtxDeclaresVersion80AndEveryKernel() {
        String ptx = new String(resource("softmax4j.ptx"), StandardCharsets.US_ASCII);
        Matcher version = Pattern.compile("(?m)^\\.version (\\S+)$").matcher(ptx);
        assertTrue(version.find(), "softmax4j.ptx has no .version line" + REBUILD);
        assertEquals("8.0", version.group(1), "softmax4j.ptx .version (drivers before R580 reject 9.0)" + REBUILD);
        for (String kernel : KERNELS) {
            assertTrue(Pattern.compile("(?m)^\\.visible \\.entry " + kernel + "\\(").matcher(ptx).find(),
                    "softmax4j.ptx has no .entry " + kernel + REBUILD);
        }
    }

    @Test
    void fatbinIsPresent() {
        byte[] fatbin = resource("softmax4j.fatbin");
        assertTrue(fatbin.length > 0, "softmax4j.fatbin is empty" + REBUILD);
    }

    /** Path to SHA-256, from the manifest resource, checking its format. */
    private static Map<String, String> manifest() {
        String text = new String(resource("kernels.sha256"), StandardCharsets.UTF_8);
        Map<String, String> entries = new TreeMap<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            Matcher matcher = LINE.matcher(lines[i]);
            if (!matcher.matches()) {
                fail("kernels.sha256 line " + (i + 1) + " is '" + lines[i] + "', expected '<sha256>  cuda/<file>'");
            }
            entries.put(matcher.group(2), matcher.group(1));
        }
        return entries;
    }

    private static byte[] resource(String name) {
        try (InputStream in = KernelManifestTest.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                fail("resource " + RESOURCES + name + " is missing" + REBUILD);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Surefire sets basedir to the module's directory; from an IDE, the working directory usually is. */
    private static Path repositoryRoot() {
        String basedir = System.getProperty("basedir");
        Path root = basedir != null ? Paths.get(basedir) : Paths.get("").toAbsolutePath();
        assertTrue(Files.isDirectory(root.resolve("cuda")), "no cuda/ folder under " + root
                + " (run from the repository root, or set -Dbasedir)");
        return root;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
