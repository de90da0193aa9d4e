package org.softmax4j.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.softmax4j.InputException;
import org.softmax4j.data.FeatureProfile;
import org.softmax4j.engine.Parameters;

class ModelFileTest {
    @TempDir
    Path dir;

    private static Model model(int numClasses, int numFeatures, Double threshold) {
        List<String> names = new ArrayList<>();
        for (int k = 0; k < numClasses; k++) {
            names.add("class " + k);
        }
        return new Model(Parameters.random(numClasses, numFeatures, 0.1, 3), names, threshold,
                ModelTest.training());
    }

    /** A file with a correct header (checksum and length) around {@code body}. */
    private Path withBody(String body) throws IOException {
        byte[] bytes = body.getBytes(UTF_8);
        return withHeader("softmax4j-model 1 sha256=" + ModelFile.sha256Hex(bytes) + " bytes=" + bytes.length, bytes);
    }

    private Path withHeader(String header, byte[] body) throws IOException {
        Path file = dir.resolve("crafted.s4j");
        byte[] head = (header + "\n").getBytes(UTF_8);
        byte[] bytes = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, bytes, head.length, body.length);
        Files.write(file, bytes);
        return file;
    }

    private static String readError(Path file) {
        return assertThrows(InputException.class, () -> ModelFile.read(file)).getMessage();
    }

    private List<String> listDir() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ---------------------------------------------------------------------------------------------- round trips

    @Test
    void roundTripsWeightsAndBiasBitForBit() {
        int numClasses = 7;
        int numFeatures = 65;
        SplittableRandom random = new SplittableRandom(11);
        float[] weights = new float[numClasses * numFeatures];
        float[] special = {0.0f, -0.0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
                -Float.MAX_VALUE, 1e-40f, 0.1f, 1f / 3, 16777217f, 1.0000001f, 3.4028233e38f, -1.17549435E-38f};
        for (int i = 0; i < weights.length; i++) {
            if (i < special.length) {
                weights[i] = special[i];
                continue;
            }
            float w;
            do {
                // Uniform over bit patterns: every exponent, subnormals included, both signs.
                w = Float.intBitsToFloat(random.nextInt());
            } while (!Float.isFinite(w));
            weights[i] = w;
        }
        float[] bias = {-0.0f, Float.MIN_VALUE, 1e38f, -2.5f, 0.3f, 7e-45f, 123456.79f};
        Model model = new Model(new Parameters(numClasses, numFeatures, weights, bias),
                List.of("a", "b", "c", "d", "e", "f", "g"), null, ModelTest.training());
        Path file = dir.resolve("model.s4j");
        ModelFile.write(model, file);
        Model back = ModelFile.read(file);
        Parameters p = back.parameters();
        for (int i = 0; i < weights.length; i++) {
            assertEquals(Float.floatToRawIntBits(weights[i]), Float.floatToRawIntBits(p.weights()[i]),
                    "weight " + i + ": wrote " + weights[i] + ", read " + p.weights()[i]);
        }
        for (int k = 0; k < bias.length; k++) {
            assertEquals(Float.floatToRawIntBits(bias[k]), Float.floatToRawIntBits(p.bias()[k]), "bias " + k);
        }
        assertEquals(model, back);
    }

    @Test
    void roundTripsNamesThresholdAndTrainingInfo() {
        List<String> names = List.of("zéro", "一", "😀", "a,b", "say \"hi\"", "back\\slash", "tab\tand\nnewline",
                "lone \uD800 surrogate", "\u2028", " ", "null");
        Map<String, String> options = new LinkedHashMap<>();
        options.put("zeta", "1");
        options.put("alpha", "x,\"y\"");
        options.put("data", "/tmp/ä b.csv");
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("log_likelihood", -1234.5678901234567);
        metrics.put("test_accuracy", Double.NaN);
        metrics.put("objective", Double.NEGATIVE_INFINITY);
        metrics.put("other", Double.POSITIVE_INFINITY);
        metrics.put("tiny", Double.MIN_VALUE);
        TrainingInfo training = new TrainingInfo("cuda, NVIDIA H200", Long.MIN_VALUE, "diverged", 0, options,
                metrics, "2025-01-31T12:00:00.123456789Z", "0.1.0-SNAPSHOT");
        for (Double threshold : new Double[] {null, 8.0, -0.5, 1e-300}) {
            Model model = new Model(Parameters.random(names.size(), 3, 1.0, 5), names, threshold, training);
            Path file = dir.resolve("names.s4j");
            ModelFile.write(model, file);
            Model back = ModelFile.read(file);
            assertEquals(model, back);
            assertEquals(names, back.classNames());
            assertEquals(threshold, back.binarizeThreshold());
            assertEquals(List.copyOf(options.keySet()), List.copyOf(back.training().options().keySet()));
            assertEquals(List.copyOf(metrics.keySet()), List.copyOf(back.training().metrics().keySet()));
            assertTrue(Double.isNaN(back.training().metric("test_accuracy")));
            assertEquals(Long.MIN_VALUE, back.training().seed());
        }
    }

    @Test
    void writesAReadableHeaderAndPrettyJson() throws IOException {
        Path file = dir.resolve("model.s4j");
        Model model = model(2, 3, 8.0);
        ModelFile.write(model, file);
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, UTF_8);
        String header = text.substring(0, text.indexOf('\n'));
        String body = text.substring(text.indexOf('\n') + 1);
        assertEquals("softmax4j-model 1 sha256=" + ModelFile.sha256Hex(body.getBytes(UTF_8)) + " bytes="
                + body.getBytes(UTF_8).length, header);
        assertEquals(ModelFile.toJson(model), body);
        Parameters p = model.parameters();
        assertTrue(body.contains("\n    [" + p.weight(0, 0) + ", " + p.weight(0, 1) + ", " + p.weight(0, 2) + "],\n"),
                body);
        assertTrue(body.contains("\"binarize_threshold\": 8.0,"), body);
        assertTrue(body.contains("\"test_accuracy\": null"), body);
        assertTrue(body.endsWith("}\n"));
    }

    @Test
    void sha256MatchesAKnownDigest() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                ModelFile.sha256Hex("abc".getBytes(UTF_8)));
    }

    // ---------------------------------------------------------------------------------------------- writing

    @Test
    void overwritesAnExistingModelLeavingNoTemporaryFile() throws IOException {
        Path file = dir.resolve("model.s4j");
        ModelFile.write(model(2, 3, null), file);
        Model second = model(4, 5, 8.0);
        ModelFile.write(second, file);
        assertEquals(second, ModelFile.read(file));
        assertEquals(List.of("model.s4j"), listDir());
    }

    @Test
    void writesIntoTheWorkingDirectoryForABareFileName() {
        // A path with no parent: it is written in the working directory, removed afterwards.
        Path bare = Path.of("softmax4j-model-test-" + ProcessHandle.current().pid() + ".s4j");
        try {
            ModelFile.write(model(2, 2, null), bare);
            assertEquals(model(2, 2, null), ModelFile.read(bare));
        } finally {
            try {
                Files.deleteIfExists(bare);
            } catch (IOException ignored) {
                // Nothing more to do.
            }
        }
    }

    @Test
    void refusesAMissingDirectoryAndWritesNothing() throws IOException {
        Path missing = dir.resolve("no").resolve("such");
        InputException e = assertThrows(InputException.class,
                () -> ModelFile.write(model(2, 3, null), missing.resolve("model.s4j")));
        assertEquals("cannot write model: directory " + missing + " does not exist", e.getMessage());
        assertFalse(Files.exists(dir.resolve("no")));
        assertEquals(List.of(), listDir());
    }

    @Test
    void failsWhenTheTargetIsADirectoryLeavingNoTemporaryFile() throws IOException {
        Path target = Files.createDirectory(dir.resolve("model.s4j"));
        Files.writeString(target.resolve("keep.txt"), "kept");
        InputException e = assertThrows(InputException.class, () -> ModelFile.write(model(2, 3, null), target));
        assertEquals("cannot write model: " + target + " is a directory", e.getMessage());
        assertEquals(List.of("model.s4j"), listDir());
        assertEquals("kept", Files.readString(target.resolve("keep.txt")));
        Path root = dir.getRoot();
        assertEquals("cannot write model: " + root + " is a directory",
                assertThrows(InputException.class, () -> ModelFile.write(model(2, 3, null), root)).getMessage());
    }

    @Test
    void aFailedWriteLeavesTheExistingModelUntouched() throws IOException {
        Path file = dir.resolve("model.s4j");
        Model first = model(2, 3, null);
        ModelFile.write(first, file);
        byte[] before = Files.readAllBytes(file);
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        assumeTrue(view != null, "needs POSIX permissions");
        view.setPermissions(PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(dir), "root ignores directory permissions");
            InputException e = assertThrows(InputException.class, () -> ModelFile.write(model(3, 3, 8.0), file));
            assertTrue(e.getMessage().startsWith("cannot write model " + file + ": "), e.getMessage());
        } finally {
            view.setPermissions(PosixFilePermissions.fromString("rwx------"));
        }
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of("model.s4j"), listDir());
    }

    @Test
    void newFilesGetDefaultPermissionsAndReplacedFilesKeepTheirs() throws IOException {
        PosixFileAttributeView dirView = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        assumeTrue(dirView != null, "needs POSIX permissions");
        Path reference = Files.createFile(dir.resolve("reference"));
        Path file = dir.resolve("model.s4j");
        ModelFile.write(model(2, 3, null), file);
        assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(file));

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        ModelFile.write(model(2, 3, 8.0), file);
        assertEquals(PosixFilePermissions.fromString("rw-r-----"), Files.getPosixFilePermissions(file));
    }

    // ---------------------------------------------------------------------------------------------- reading: the file

    @Test
    void reportsAMissingFile() {
        Path file = dir.resolve("absent.s4j");
        assertEquals(file + ": no such model file", readError(file));
    }

    @Test
    void reportsADirectory() {
        assertEquals(dir + ": is a directory, expected a model file", readError(dir));
    }

    @Test
    void reportsAnEmptyFile() throws IOException {
        Path file = Files.createFile(dir.resolve("empty.s4j"));
        assertEquals(file + ": not a softmax4j model file: the file is empty", readError(file));
    }

    @Test
    void reportsAFileThatIsNotAModel() throws IOException {
        Path file = dir.resolve("data.csv");
        Files.writeString(file, "label,pixel0,pixel1\n3,0,16\n");
        assertEquals(file + ": not a softmax4j model file: expected the first line to start with "
                + "\"softmax4j-model\", found \"label,pixel0,pixel1\"", readError(file));

        Files.write(file, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0});
        assertTrue(readError(file).startsWith(file + ": not a softmax4j model file: expected the first line"));
    }

    @Test
    void reportsAnUnsupportedVersionBeforeAnythingElse() throws IOException {
        Path file = dir.resolve("model.s4j");
        ModelFile.write(model(2, 3, null), file);
        String text = Files.readString(file).replaceFirst("^softmax4j-model 1 ", "softmax4j-model 7 ");
        Files.writeString(file, text);
        assertEquals(file + ": model format version 7 is not supported, expected 1 or 2", readError(file));

        Files.writeString(file, "softmax4j-model 3 some future header layout\n...");
        assertEquals(file + ": model format version 3 is not supported, expected 1 or 2", readError(file));
    }

    @Test
    void reportsAVersionInTheBodyThatDisagreesWithTheHeader() throws IOException {
        String body = ModelFile.toJson(model(2, 3, null)).replace("\"version\": 1,", "\"version\": 7,");
        assertEquals(dir.resolve("crafted.s4j") + ": version is 7, expected 1 as in the header",
                readError(withBody(body)));
    }

    @Test
    void reportsAMalformedHeader() throws IOException {
        byte[] body = "{}".getBytes(UTF_8);
        Path file = withHeader("softmax4j-model 1 sha256=abc bytes=2", body);
        assertEquals(file + ": malformed header: expected a first line \"softmax4j-model 1 sha256=<64 hex digits> "
                + "bytes=<n>\", found \"softmax4j-model 1 sha256=abc bytes=2\"", readError(file));

        file = withHeader("softmax4j-model 1 sha256=" + ModelFile.sha256Hex(body) + " bytes=2\r", body);
        assertTrue(readError(file).contains("malformed header"), readError(file));
        assertTrue(readError(file).contains("bytes=2\\u000d\""), readError(file));

        Files.writeString(file, "softmax4j-model 1 sha256=");
        assertTrue(readError(file).endsWith("with no end of line"), readError(file));

        Files.writeString(file, "softmax4j-model one\n{}");
        assertTrue(readError(file).startsWith(file + ": malformed header: "), readError(file));
    }

    @Test
    void reportsATruncatedFile() throws IOException {
        Path file = dir.resolve("model.s4j");
        ModelFile.write(model(3, 4, null), file);
        byte[] bytes = Files.readAllBytes(file);
        int bodyLength = bytes.length - (new String(bytes, UTF_8).indexOf('\n') + 1);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 100));
        assertEquals(file + ": truncated: expected " + bodyLength + " bytes after the header, found "
                + (bodyLength - 100), readError(file));

        Files.write(file, Arrays.copyOf(bytes, new String(bytes, UTF_8).indexOf('\n') + 1));
        assertEquals(file + ": truncated: expected " + bodyLength + " bytes after the header, found 0",
                readError(file));
    }

    @Test
    void reportsExtraBytes() throws IOException {
        Path file = dir.resolve("model.s4j");
        ModelFile.write(model(3, 4, null), file);
        byte[] bytes = Files.readAllBytes(file);
        int bodyLength = bytes.length - (new String(bytes, UTF_8).indexOf('\n') + 1);
        Files.write(file, Arrays.copyOf(bytes, bytes.length + 3));
        assertEquals(file + ": extra bytes: expected " + bodyLength + " bytes after the header, found "
                + (bodyLength + 3), readError(file));
    }

    @Test
    void reportsAFlippedByteAsAChecksumMismatch() throws IOException {
        Path file = dir.resolve("model.s4j");
        ModelFile.write(model(3, 4, null), file);
        byte[] bytes = Files.readAllBytes(file);
        int headerEnd = new String(bytes, UTF_8).indexOf('\n') + 1;
        String header = new String(bytes, 0, headerEnd, UTF_8);
        String expected = header.substring(header.indexOf("sha256=") + 7, header.indexOf(" bytes="));
        bytes[bytes.length - 10] ^= 0x01;
        Files.write(file, bytes);
        String computed = ModelFile.sha256Hex(Arrays.copyOfRange(bytes, headerEnd, bytes.length));
        assertEquals(file + ": checksum mismatch: file is corrupted (expected sha256 " + expected + ", computed "
                + computed + ")", readError(file));
    }

    // ---------------------------------------------------------------------------------------------- reading: the JSON

    @Test
    void reportsAJsonSyntaxErrorWithItsLineInTheFile() throws IOException {
        Path file = withBody("{\n  \"format\": \"softmax4j-model\",\n  \"version\": 1 \"num_classes\": 2\n}\n");
        String message = readError(file);
        assertTrue(message.startsWith(file + ":4:17: JSON syntax error: "), message);
        assertTrue(message.contains("JSON syntax error: "), message);
        assertFalse(message.contains("\n"), message);

        assertTrue(readError(withBody("{\"format\": ")).contains("JSON syntax error: "));
        String trailing = readError(withBody("{} {}"));
        assertTrue(trailing.startsWith(file + ":2:"), trailing);
        assertTrue(trailing.endsWith(": JSON syntax error: more text after the end of the top-level value (at $)"),
                trailing);
        assertTrue(readError(withBody("{} }")).contains("more text after the end of the top-level value"));
        assertEquals(file + ": the JSON after the header is an array, expected an object", readError(withBody("[]")));
        assertEquals(file + ": the JSON after the header is empty, expected an object", readError(withBody("")));
        assertEquals(file + ": the JSON after the header is null, expected an object", readError(withBody("null")));
    }

    @Test
    void reportsABodyThatIsNotUtf8() throws IOException {
        Path file = withHeader("softmax4j-model 1 sha256=" + ModelFile.sha256Hex(new byte[] {'{', (byte) 0xff, '}'})
                + " bytes=3", new byte[] {'{', (byte) 0xff, '}'});
        assertEquals(file + ": the JSON after the header is not valid UTF-8", readError(file));
    }

    @Test
    void reportsMissingAndUnexpectedFields() throws IOException {
        String body = ModelFile.toJson(model(2, 3, null));
        Path file = dir.resolve("crafted.s4j");
        assertEquals(file + ": missing field \"bias\"", readError(withBody(body.replaceFirst("\"bias\": \\[.*\\],\n",
                ""))));
        assertEquals(file + ": missing field \"training.seed\"",
                readError(withBody(body.replaceFirst("\"seed\": 42,", ""))));
        assertEquals(file + ": missing field \"binarize_threshold\"",
                readError(withBody(body.replace("\"binarize_threshold\": null,", ""))));
        assertEquals(file + ": unexpected field \"colour\" (format version 1 has no such field)",
                readError(withBody(body.replace("\"version\": 1,", "\"version\": 1, \"colour\": \"red\","))));
        assertEquals(file + ": unexpected field \"training.gpu\" (format version 1 has no such field)",
                readError(withBody(body.replace("\"seed\": 42,", "\"seed\": 42, \"gpu\": true,"))));
    }

    @Test
    void reportsFieldsOfTheWrongType() throws IOException {
        String body = ModelFile.toJson(model(2, 3, null));
        Path file = dir.resolve("crafted.s4j");
        assertEquals(file + ": num_classes is \"two\", expected an integer from 1 to 2147483647",
                readError(withBody(body.replace("\"num_classes\": 2", "\"num_classes\": \"two\""))));
        assertEquals(file + ": num_features is 0, expected an integer from 1 to 2147483647",
                readError(withBody(body.replace("\"num_features\": 3", "\"num_features\": 0"))));
        assertEquals(file + ": training.seed is 1.5, expected an integer",
                readError(withBody(body.replace("\"seed\": 42", "\"seed\": 1.5"))));
        assertEquals(file + ": training.iterations is -1, expected an integer from 0 to 2147483647",
                readError(withBody(body.replace("\"iterations\": 117", "\"iterations\": -1"))));
        assertEquals(file + ": format is \"other\", expected \"softmax4j-model\"",
                readError(withBody(body.replace("\"format\": \"softmax4j-model\"", "\"format\": \"other\""))));
        assertEquals(file + ": class_names[1] is 5, expected a string",
                readError(withBody(body.replace("\"class 1\"", "5"))));
        assertEquals(file + ": training.options.learning-rate is 0.5, expected a string",
                readError(withBody(body.replace("\"learning-rate\": \"0.5\"", "\"learning-rate\": 0.5"))));
        assertEquals(file + ": training.metrics.train_accuracy is \"high\", expected a number, null (not known) or "
                        + "\"Infinity\" or \"-Infinity\"",
                readError(withBody(body.replace("\"train_accuracy\": 0.97", "\"train_accuracy\": \"high\""))));
        assertEquals(file + ": binarize_threshold is \"8\", expected a finite number or null",
                readError(withBody(body.replace("\"binarize_threshold\": null", "\"binarize_threshold\": \"8\""))));
        assertEquals(file + ": training.created_at is \"yesterday\", expected an ISO-8601 instant such as "
                        + "\"2025-01-31T12:00:00Z\"",
                readError(withBody(body.replace("2025-01-31T12:00:00Z", "yesterday"))));
        assertEquals(file + ": training is an array, expected an object",
                readError(withBody(body.replaceFirst("\"training\": \\{(?s).*\\}\n\\}\n$", "\"training\": []\n}\n"))));
    }

    @Test
    void reportsShapesThatDisagreeWithTheCounts() throws IOException {
        Model model = model(2, 3, null);
        Parameters p = model.parameters();
        String body = ModelFile.toJson(model);
        Path file = dir.resolve("crafted.s4j");
        String row1 = "    [" + p.weight(1, 0) + ", " + p.weight(1, 1) + ", " + p.weight(1, 2) + "]\n";
        assertTrue(body.contains(row1), body);

        assertEquals(file + ": weights has 1 rows, expected 2 (num_classes)",
                readError(withBody(body.replace("],\n" + row1, "]\n"))));
        assertEquals(file + ": weights[1] has 2 values, expected 3 (num_features)",
                readError(withBody(body.replace(", " + p.weight(1, 2) + "]\n", "]\n"))));
        assertEquals(file + ": weights[1] has 4 values, expected 3 (num_features)",
                readError(withBody(body.replace(", " + p.weight(1, 2) + "]\n", ", " + p.weight(1, 2) + ", 0.0]\n"))));
        assertEquals(file + ": bias has 3 values, expected 2 (num_classes)",
                readError(withBody(body.replace("\"bias\": [", "\"bias\": [1.0, "))));
        assertEquals(file + ": class_names has 1 names, expected 2 (num_classes)",
                readError(withBody(body.replace("\"class 0\", ", ""))));
        assertEquals(file + ": weights has 2 rows, expected 3 (num_classes)",
                readError(withBody(body.replace("\"num_classes\": 2", "\"num_classes\": 3")
                        .replace("\"class 1\"", "\"class 1\", \"class 2\""))));
    }

    @Test
    void reportsNonFiniteAndNonNumericWeights() throws IOException {
        Model model = model(2, 3, null);
        Parameters p = model.parameters();
        String body = ModelFile.toJson(model);
        Path file = dir.resolve("crafted.s4j");
        String w12 = ", " + p.weight(1, 2) + "]\n";
        assertEquals(file + ": weights[1][2] is NaN, expected a finite number",
                readError(withBody(body.replace(w12, ", NaN]\n"))));
        assertEquals(file + ": weights[1][2] is -Infinity, expected a finite number",
                readError(withBody(body.replace(w12, ", -Infinity]\n"))));
        assertEquals(file + ": weights[1][2] is 1e39, beyond the float range, expected a finite number",
                readError(withBody(body.replace(w12, ", 1e39]\n"))));
        assertEquals(file + ": weights[1][2] is \"0.5\", expected a finite number",
                readError(withBody(body.replace(w12, ", \"0.5\"]\n"))));
        assertEquals(file + ": weights[1][2] is null, expected a finite number",
                readError(withBody(body.replace(w12, ", null]\n"))));
        assertEquals(file + ": weights[1] is 7, expected an array",
                readError(withBody(body.replaceFirst("    \\[[^\\n]*\\]\n  \\],", "    7\n  ],"))));
        assertEquals(file + ": bias[0] is NaN, expected a finite number",
                readError(withBody(body.replace("\"bias\": [" + p.bias()[0] + ",", "\"bias\": [NaN,"))));
    }

    @Test
    void reportsDuplicateAndEmptyClassNames() throws IOException {
        String body = ModelFile.toJson(model(3, 2, null));
        Path file = dir.resolve("crafted.s4j");
        assertEquals(file + ": duplicate class name: class_names[2] \"class 0\" repeats class_names[0]",
                readError(withBody(body.replace("\"class 2\"", "\"class 0\""))));
        assertEquals(file + ": class_names[1] is empty, expected a non-empty name",
                readError(withBody(body.replace("\"class 1\"", "\"\""))));
    }

    /**
     * A model without a bias: written as version 2 with "no_bias": true and no bias field, read back equal; a model
     * with a bias is still written as version 1, byte for byte what earlier releases wrote.
     */
    @Test
    void roundTripsAModelWithoutABias() throws IOException {
        Parameters parameters = Parameters.random(3, 5, 0.1, 7);
        Arrays.fill(parameters.bias(), 0f);
        parameters.bias()[1] = -0.0f;
        Model model = new Model(parameters, List.of("a", "b", "c"), 8.0, ModelTest.training(), false);
        Path file = dir.resolve("nobias.s4j");
        ModelFile.write(model, file);
        String text = Files.readString(file);
        assertTrue(text.startsWith("softmax4j-model 2 sha256="), text);
        assertTrue(text.contains("\n  \"version\": 2,\n"), text);
        assertTrue(text.contains("\n  \"no_bias\": true,\n"), text);
        assertFalse(text.contains("\"bias\""), text);
        Model read = ModelFile.read(file);
        assertEquals(model, read);
        assertFalse(read.hasBias());
        assertEquals(0, Float.floatToRawIntBits(read.bias(1)), "stored as +0");
        assertArrayEquals(parameters.weights(), read.parameters().weights(), 0f);

        Model biased = model(3, 5, 8.0);
        ModelFile.write(biased, file);
        assertTrue(Files.readString(file).startsWith("softmax4j-model 1 sha256="));
        assertTrue(ModelFile.read(file).hasBias());
        assertFalse(Files.readString(file).contains("no_bias"));
    }

    @Test
    void checksTheNoBiasField() throws IOException {
        Parameters parameters = Parameters.random(2, 3, 0.1, 7);
        Arrays.fill(parameters.bias(), 0f);
        String body = ModelFile.toJson(new Model(parameters, List.of("a", "b"), null, ModelTest.training(), false));
        Path file = dir.resolve("crafted.s4j");
        assertEquals(file + ": bias is present, expected no bias field when no_bias is true",
                readError(withBody2(body.replace("\"no_bias\": true,", "\"no_bias\": true, \"bias\": [0, 0],"))));
        assertEquals(file + ": no_bias is \"yes\", expected true or false",
                readError(withBody2(body.replace("\"no_bias\": true", "\"no_bias\": \"yes\""))));
        assertEquals(file + ": missing field \"bias\"",
                readError(withBody2(body.replace("\"no_bias\": true", "\"no_bias\": false"))));
        // Version 1 has no such field.
        assertEquals(file + ": unexpected field \"no_bias\" (format version 1 has no such field)",
                readError(withBody(body.replace("\"version\": 2,", "\"version\": 1,"))));
        // Version 2 with a bias and no no_bias field (here because it records feature names): a model with a bias.
        String withBias = ModelFile.toJson(new Model(Parameters.random(2, 3, 0.1, 9), List.of("a", "b"), null,
                ModelTest.training(), true, List.of("f0", "f1", "f2"), null));
        assertTrue(withBias.contains("\"version\": 2,") && !withBias.contains("no_bias"), withBias);
        assertTrue(ModelFile.read(withBody2(withBias)).hasBias());
        assertThrows(IllegalArgumentException.class, () -> new Model(Parameters.random(2, 3, 0.1, 8), List.of("a",
                "b"), null, ModelTest.training(), false), "a model without a bias needs b = 0");
    }

    private Path withBody2(String body) throws IOException {
        byte[] bytes = body.getBytes(UTF_8);
        return withHeader("softmax4j-model 2 sha256=" + ModelFile.sha256Hex(bytes) + " bytes=" + bytes.length, bytes);
    }

    @Test
    void readsAHandWrittenMinimalModel() throws IOException {
        String body = """
                {"format":"softmax4j-model","version":1,"num_classes":2,"num_features":1,
                 "class_names":["no","yes"],"binarize_threshold":null,
                 "weights":[[-1.5],[2]],"bias":[0,-0.0],
                 "training":{"engine":"by hand","seed":-3,"stop_reason":"converged","iterations":0,
                  "options":{},"metrics":{"log_likelihood":-1e-3,"x":"-Infinity","y":null},
                  "created_at":"2025-01-31T12:00:00Z","softmax4j_version":"0.1.0"}}""";
        Model model = ModelFile.read(withBody(body));
        assertEquals(List.of("no", "yes"), model.classNames());
        assertEquals(-1.5f, model.weight(0, 0));
        assertEquals(2f, model.weight(1, 0));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(model.bias(1)));
        assertNull(model.binarizeThreshold());
        assertEquals(-3, model.training().seed());
        assertEquals(Double.NEGATIVE_INFINITY, model.training().metric("x"));
        assertTrue(Double.isNaN(model.training().metric("y")));
        assertEquals(-1e-3, model.training().metric("log_likelihood"));
        // A version-1 file knows nothing of its training data: no names, no profile, so no checks of new data.
        assertNull(model.featureNames());
        assertNull(model.featureProfile());
    }

    // ------------------------------------------------------------------------------ version 2: the data contract

    private static Model profiledModel(List<String> featureNames) {
        Model plain = model(3, 2, 8.0);
        FeatureProfile profile = new FeatureProfile(1797, new double[] {0, -1.5}, new double[] {16, 3e-7},
                new double[] {4.25, 0.1}, new double[] {0.677, 1.0});
        return new Model(plain.parameters(), plain.classNames(), 8.0, plain.training(), featureNames, profile);
    }

    @Test
    void aModelWithItsTrainingDataRoundTripsAsVersion2() throws IOException {
        for (List<String> names : Arrays.asList(List.of("pixel 1", "p\"2\u00e9"), null)) {
            Model model = profiledModel(names);
            Path file = dir.resolve("v2.s4j");
            ModelFile.write(model, file);
            assertTrue(Files.readString(file).startsWith("softmax4j-model 2 sha256="));
            Model back = ModelFile.read(file);
            assertEquals(model, back);
            assertEquals(names, back.featureNames());
            assertEquals(0.677, back.featureProfile().zeroShare(0));
            assertEquals(3e-7, back.featureProfile().max(1));
        }
    }

    @Test
    void aModelWithoutTrainingDataIsStillWrittenAsVersion1() throws IOException {
        Path file = dir.resolve("v1.s4j");
        ModelFile.write(model(2, 3, null), file);
        String text = Files.readString(file);
        assertTrue(text.startsWith("softmax4j-model 1 sha256="), text);
        assertFalse(text.contains("feature_"), text);
    }

    @Test
    void version2FieldsAreCheckedAndVersion1RefusesThem() throws IOException {
        String body = ModelFile.toJson(profiledModel(List.of("a", "b")));
        byte[] bytes = body.getBytes(UTF_8);
        Path v2 = withHeader("softmax4j-model 2 sha256=" + ModelFile.sha256Hex(bytes) + " bytes=" + bytes.length,
                bytes);
        assertEquals(List.of("a", "b"), ModelFile.read(v2).featureNames());

        String missing = body.replaceFirst("\"feature_names\": \\[\"a\", \"b\"\\],\n", "");
        assertEquals(v2 + ": missing field \"feature_names\"", readErrorV2(missing));
        assertEquals(v2 + ": feature_names has 1 names, expected 2 (num_features)",
                readErrorV2(body.replace("[\"a\", \"b\"]", "[\"a\"]")));
        assertEquals(v2 + ": duplicate feature name: feature_names[1] \"a\" repeats feature_names[0]",
                readErrorV2(body.replace("[\"a\", \"b\"]", "[\"a\", \"a\"]")));
        assertEquals(v2 + ": feature_profile.zero_share[1] is 1.5, expected a number in [0, 1]",
                readErrorV2(body.replace("\"zero_share\": [0.677, 1.0]", "\"zero_share\": [0.677, 1.5]")));
        assertEquals(v2 + ": unexpected field \"feature_profile.colour\" (format version 2 has no such field)",
                readErrorV2(body.replace("\"rows\": 1797,", "\"rows\": 1797, \"colour\": 1,")));

        // The same body under a version-1 header: version 1 has no such fields.
        String asVersion1 = body.replace("\"version\": 2,", "\"version\": 1,");
        assertEquals(dir.resolve("crafted.s4j") + ": unexpected field \"feature_names\" (format version 1 has no "
                + "such field)", readError(withBody(asVersion1)));
    }

    private String readErrorV2(String body) throws IOException {
        byte[] bytes = body.getBytes(UTF_8);
        return readError(withHeader("softmax4j-model 2 sha256=" + ModelFile.sha256Hex(bytes) + " bytes="
                + bytes.length, bytes));
    }

    @Test
    void readsTheExampleInTheFormatDocument() throws IOException {
        Path doc = Path.of(System.getProperty("basedir", "."), "docs", "MODEL-FORMAT.md");
        assumeTrue(Files.isRegularFile(doc), "docs/MODEL-FORMAT.md is found from the project directory");
        String text = Files.readString(doc);
        String example = text.substring(text.indexOf("## Example"));
        example = example.substring(example.indexOf("```\n") + 4);
        example = example.substring(0, example.indexOf("```\n"));
        Path file = dir.resolve("example.s4j");
        Files.writeString(file, example);
        Model model = ModelFile.read(file);
        assertEquals(List.of("cat", "dog", "bird"), model.classNames());
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(model.weight(1, 2)));
        assertEquals(8.0, model.binarizeThreshold());
        assertTrue(Double.isNaN(model.training().metric("test_accuracy")));
    }
}
