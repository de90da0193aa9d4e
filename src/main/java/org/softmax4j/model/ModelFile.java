package org.softmax4j.model;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.softmax4j.model.JsonFields.array;
import static org.softmax4j.model.JsonFields.bool;
import static org.softmax4j.model.JsonFields.checkFields;
import static org.softmax4j.model.JsonFields.describe;
import static org.softmax4j.model.JsonFields.finiteDouble;
import static org.softmax4j.model.JsonFields.finiteFloat;
import static org.softmax4j.model.JsonFields.integer;
import static org.softmax4j.model.JsonFields.metric;
import static org.softmax4j.model.JsonFields.object;
import static org.softmax4j.model.JsonFields.require;
import static org.softmax4j.model.JsonFields.string;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.softmax4j.AtomicFile;
import org.softmax4j.model.JsonFields.BadField;
import org.softmax4j.InputException;
import org.softmax4j.data.FeatureProfile;
import org.softmax4j.engine.Parameters;

/**
 * Saves and loads a {@link Model} in the softmax4j model format, versions 1 and 2 (docs/MODEL-FORMAT.md): one ASCII
 * header line {@code softmax4j-model <version> sha256=<64 hex> bytes=<n>}, then exactly n bytes of UTF-8 JSON whose
 * SHA-256 the header gives. Version 2 adds {@code feature_names} and {@code feature_profile} (required, either may be
 * null) and the optional {@code no_bias}. A model is written in the lowest version that holds it: 1 for a model with a bias that
 * records no training data (the bytes earlier releases wrote, so they still read it), else 2. Floats are written in
 * their shortest round-trip form, so a model reads back bit for bit.
 */
public final class ModelFile {
    /** The first word of every model file. */
    public static final String MAGIC = "softmax4j-model";
    /**
     * The latest format version: written for a model that records its training data (feature names or profile),
     * read with version {@link #VERSION_1}, which is written for a model that records neither.
     */
    public static final int VERSION = 2;
    /** The first format version, without feature names and profile; still read, and written when it suffices. */
    public static final int VERSION_1 = 1;

    /** A valid header is about 110 bytes; this bounds how much of a foreign file is looked at for one. */
    private static final int MAX_HEADER_BYTES = 256;
    private static final String HEADER_SHAPE = " sha256=<64 hex digits> bytes=<n>";
    private static final Pattern HEADER = Pattern.compile(
            Pattern.quote(MAGIC) + " ([12]) sha256=([0-9a-f]{64}) bytes=(0|[1-9][0-9]{0,17})");
    private static final Pattern GSON_LOCATION = Pattern.compile("(.*) at line (\\d+) column (\\d+) path (\\S+)");
    private static final Set<String> TOP_FIELDS = Set.of("format", "version", "num_classes", "num_features",
            "class_names", "binarize_threshold", "weights", "bias", "training");
    /** Version 2: version 1's fields, {@code feature_names}, {@code feature_profile} and the optional {@code no_bias}. */
    private static final Set<String> TOP_FIELDS_2 = Set.of("format", "version", "num_classes", "num_features",
            "class_names", "binarize_threshold", "weights", "bias", "no_bias", "training", "feature_names",
            "feature_profile");
    private static final Set<String> PROFILE_FIELDS = Set.of("rows", "min", "max", "mean", "zero_share");
    private static final Set<String> TRAINING_FIELDS = Set.of("engine", "seed", "stop_reason", "iterations",
            "options", "metrics", "created_at", "softmax4j_version");

    private ModelFile() {
    }

    /**
     * Writes {@code model} to {@code file} atomically: into a temporary file in the same directory, synced to disk,
     * then renamed over {@code file}. On any failure the temporary file is removed and an existing {@code file} is
     * left as it was.
     *
     * @throws InputException when the directory does not exist, {@code file} is a directory, or writing fails
     */
    public static void write(Model model, Path file) {
        byte[] body = toJson(model).getBytes(UTF_8);
        byte[] header = (MAGIC + " " + ModelJsonWriter.versionFor(model) + " sha256=" + sha256Hex(body) + " bytes=" + body.length
                + "\n")
                .getBytes(US_ASCII);
        AtomicFile.write(file, "model", out -> {
            out.write(header);
            out.write(body);
        });
    }

    /**
     * Reads and checks a model file: header, length, checksum, JSON, every field's type and the shapes against each
     * other.
     *
     * @throws InputException naming the file and what was expected against what was found
     */
    public static Model read(Path file) {
        return parse(readWhole(file, "model file"), file.toString());
    }

    /**
     * The bytes of one of our files ({@code what}: "model file", "checkpoint file"), or an {@link InputException}
     * naming it: missing, a directory, too large for an array, or unreadable (with the system's reason).
     */
    public static byte[] readWhole(Path file, String what) {
        String name = file.toString();
        try {
            if (Files.isDirectory(file)) {
                throw fail(name, "is a directory, expected a " + what);
            }
            if (Files.size(file) > Integer.MAX_VALUE - 64) {
                throw fail(name, "is " + Files.size(file) + " bytes, more than a " + what + " can hold in memory");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw fail(name, "no such " + what);
        } catch (IOException e) {
            throw new InputException(name + ": cannot read " + what + ": " + AtomicFile.describe(e), e);
        }
    }

    /** The lowercase hexadecimal SHA-256 of {@code bytes}. */
    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }

    // ---------------------------------------------------------------------------------------------------- reading

    /** Checks a whole file's bytes; {@code name} is where they came from, for messages. */
    static Model parse(byte[] bytes, String name) {
        if (bytes.length == 0) {
            throw fail(name, "not a softmax4j model file: the file is empty");
        }
        int newline = indexOf(bytes, (byte) '\n', Math.min(bytes.length, MAX_HEADER_BYTES));
        // ISO-8859-1 maps every byte to one char, so a binary file still yields a line to show.
        String firstLine = new String(bytes, 0, newline >= 0 ? newline : Math.min(bytes.length, MAX_HEADER_BYTES),
                ISO_8859_1);
        String[] words = firstLine.split(" ", -1);
        if (!words[0].equals(MAGIC)) {
            throw fail(name, "not a softmax4j model file: expected the first line to start with \"" + MAGIC
                    + "\", found " + quote(firstLine));
        }
        // The version comes before the rest of the header: a later version may lay the header out differently.
        boolean knownVersion = words.length >= 2 && (words[1].equals(String.valueOf(VERSION_1))
                || words[1].equals(String.valueOf(VERSION)));
        if (words.length >= 2 && words[1].matches("[0-9]{1,30}") && !knownVersion) {
            throw fail(name, "model format version " + words[1] + " is not supported, expected " + VERSION_1
                    + " or " + VERSION);
        }
        Matcher header = HEADER.matcher(firstLine);
        if (newline < 0 || !header.matches()) {
            throw fail(name, "malformed header: expected a first line \"" + MAGIC + " "
                    + (knownVersion ? words[1] : VERSION) + HEADER_SHAPE + "\", found "
                    + quote(firstLine) + (newline < 0 ? " with no end of line" : ""));
        }
        int headerVersion = Integer.parseInt(header.group(1));
        String expectedSha = header.group(2);
        long expectedLength = Long.parseLong(header.group(3));
        long foundLength = bytes.length - (newline + 1L);
        if (foundLength < expectedLength) {
            throw fail(name, "truncated: expected " + expectedLength + " bytes after the header, found "
                    + foundLength);
        }
        if (foundLength > expectedLength) {
            throw fail(name, "extra bytes: expected " + expectedLength + " bytes after the header, found "
                    + foundLength);
        }
        byte[] body = new byte[(int) expectedLength];
        System.arraycopy(bytes, newline + 1, body, 0, body.length);
        String computedSha = sha256Hex(body);
        if (!computedSha.equals(expectedSha)) {
            throw fail(name, "checksum mismatch: file is corrupted (expected sha256 " + expectedSha + ", computed "
                    + computedSha + ")");
        }
        String json;
        try {
            json = UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw fail(name, "the JSON after the header is not valid UTF-8");
        }
        JsonElement root = parseJson(json, name);
        if (!root.isJsonObject()) {
            throw fail(name, "the JSON after the header is " + describe(root) + ", expected an object");
        }
        try {
            return fromJson(root.getAsJsonObject(), headerVersion);
        } catch (BadField e) {
            throw fail(name, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw fail(name, e.getMessage());
        }
    }

    /**
     * The body as one JSON value. Lenient, so that a NaN or Infinity token is read (as a string) and then reported by
     * the field that holds it rather than as a syntax error; the checksum has already ruled out accidental damage.
     */
    private static JsonElement parseJson(String json, String name) {
        if (json.isBlank()) {
            throw fail(name, "the JSON after the header is empty, expected an object");
        }
        JsonReader reader = new JsonReader(new StringReader(json));
        reader.setStrictness(Strictness.LENIENT);
        JsonElement root;
        try {
            root = JsonParser.parseReader(reader);
        } catch (JsonParseException e) {
            throw syntaxError(name, e.getCause() != null ? e.getCause() : e);
        }
        boolean more;
        try {
            more = reader.peek() != JsonToken.END_DOCUMENT;
        } catch (IOException | JsonParseException e) {
            more = true;
        }
        if (more) {
            throw syntaxError(name, new IllegalStateException("more text after the end of the top-level value"
                    + reader.toString().substring(reader.getClass().getSimpleName().length())));
        }
        return root;
    }

    private static Model fromJson(JsonObject root, int headerVersion) {
        checkFields(root, headerVersion == VERSION_1 ? TOP_FIELDS : TOP_FIELDS_2, "", headerVersion);
        String format = string(require(root, "format", ""), "format");
        if (!format.equals(MAGIC)) {
            throw new BadField("format is " + quote(format) + ", expected \"" + MAGIC + "\"");
        }
        long version = integer(require(root, "version", ""), "version", Long.MIN_VALUE, Long.MAX_VALUE);
        if (version != headerVersion) {
            throw new BadField("version is " + version + ", expected " + headerVersion + " as in the header");
        }
        int numClasses = (int) integer(require(root, "num_classes", ""), "num_classes", 1, Integer.MAX_VALUE);
        int numFeatures = (int) integer(require(root, "num_features", ""), "num_features", 1, Integer.MAX_VALUE);

        JsonArray names = array(require(root, "class_names", ""), "class_names");
        if (names.size() != numClasses) {
            throw new BadField("class_names has " + names.size() + " names, expected " + numClasses
                    + " (num_classes)");
        }
        List<String> classNames = new ArrayList<>(numClasses);
        Map<String, Integer> seen = new HashMap<>();
        for (int k = 0; k < numClasses; k++) {
            String className = string(names.get(k), "class_names[" + k + "]");
            if (className.isEmpty()) {
                throw new BadField("class_names[" + k + "] is empty, expected a non-empty name");
            }
            Integer earlier = seen.putIfAbsent(className, k);
            if (earlier != null) {
                throw new BadField("duplicate class name: class_names[" + k + "] " + quote(className)
                        + " repeats class_names[" + earlier + "]");
            }
            classNames.add(className);
        }

        JsonElement thresholdElement = require(root, "binarize_threshold", "");
        Double threshold = null;
        if (!thresholdElement.isJsonNull()) {
            threshold = finiteDouble(thresholdElement, "binarize_threshold");
        }

        JsonArray rows = array(require(root, "weights", ""), "weights");
        if (rows.size() != numClasses) {
            throw new BadField("weights has " + rows.size() + " rows, expected " + numClasses + " (num_classes)");
        }
        // Every row's length is checked before K×D floats are allocated.
        List<JsonArray> rowArrays = new ArrayList<>(numClasses);
        for (int k = 0; k < numClasses; k++) {
            JsonArray row = array(rows.get(k), "weights[" + k + "]");
            if (row.size() != numFeatures) {
                throw new BadField("weights[" + k + "] has " + row.size() + " values, expected " + numFeatures
                        + " (num_features)");
            }
            rowArrays.add(row);
        }
        float[] weights = new float[Math.multiplyExact(numClasses, numFeatures)];
        for (int k = 0; k < numClasses; k++) {
            JsonArray row = rowArrays.get(k);
            for (int j = 0; j < numFeatures; j++) {
                weights[k * numFeatures + j] = finiteFloat(row.get(j), "weights[" + k + "][" + j + "]");
            }
        }
        boolean noBias = root.has("no_bias") && bool(root.get("no_bias"), "no_bias");
        float[] bias = new float[numClasses];
        if (noBias) {
            if (root.has("bias")) {
                throw new BadField("bias is present, expected no bias field when no_bias is true");
            }
        } else {
            JsonArray biasArray = array(require(root, "bias", ""), "bias");
            if (biasArray.size() != numClasses) {
                throw new BadField("bias has " + biasArray.size() + " values, expected " + numClasses
                        + " (num_classes)");
            }
            for (int k = 0; k < numClasses; k++) {
                bias[k] = finiteFloat(biasArray.get(k), "bias[" + k + "]");
            }
        }

        TrainingInfo training = trainingFromJson(object(require(root, "training", ""), "training"), headerVersion);
        List<String> featureNames = null;
        FeatureProfile profile = null;
        if (headerVersion >= VERSION) {
            featureNames = featureNamesFromJson(require(root, "feature_names", ""), numFeatures);
            profile = profileFromJson(require(root, "feature_profile", ""), numFeatures, headerVersion);
        }
        return new Model(new Parameters(numClasses, numFeatures, weights, bias), classNames, threshold, training,
                !noBias, featureNames, profile);
    }

    private static List<String> featureNamesFromJson(JsonElement element, int numFeatures) {
        if (element.isJsonNull()) {
            return null;
        }
        JsonArray names = array(element, "feature_names");
        if (names.size() != numFeatures) {
            throw new BadField("feature_names has " + names.size() + " names, expected " + numFeatures
                    + " (num_features)");
        }
        List<String> featureNames = new ArrayList<>(numFeatures);
        Map<String, Integer> seen = new HashMap<>();
        for (int j = 0; j < numFeatures; j++) {
            String featureName = string(names.get(j), "feature_names[" + j + "]");
            Integer earlier = seen.putIfAbsent(featureName, j);
            if (earlier != null) {
                throw new BadField("duplicate feature name: feature_names[" + j + "] " + quote(featureName)
                        + " repeats feature_names[" + earlier + "]");
            }
            featureNames.add(featureName);
        }
        return featureNames;
    }

    private static FeatureProfile profileFromJson(JsonElement element, int numFeatures, int headerVersion) {
        if (element.isJsonNull()) {
            return null;
        }
        String at = "feature_profile.";
        JsonObject profile = object(element, "feature_profile");
        checkFields(profile, PROFILE_FIELDS, at, headerVersion);
        long rows = integer(require(profile, "rows", at), at + "rows", 1, Long.MAX_VALUE);
        double[] min = doubles(require(profile, "min", at), at + "min", numFeatures);
        double[] max = doubles(require(profile, "max", at), at + "max", numFeatures);
        double[] mean = doubles(require(profile, "mean", at), at + "mean", numFeatures);
        double[] zeroShare = doubles(require(profile, "zero_share", at), at + "zero_share", numFeatures);
        for (int j = 0; j < numFeatures; j++) {
            if (min[j] > max[j]) {
                throw new BadField(at + "min[" + j + "] is " + min[j] + ", more than " + at + "max[" + j + "] "
                        + max[j]);
            }
            if (!(zeroShare[j] >= 0 && zeroShare[j] <= 1)) {
                throw new BadField(at + "zero_share[" + j + "] is " + zeroShare[j] + ", expected a number in [0, 1]");
            }
        }
        return new FeatureProfile(rows, min, max, mean, zeroShare);
    }

    private static double[] doubles(JsonElement element, String path, int numFeatures) {
        JsonArray array = array(element, path);
        if (array.size() != numFeatures) {
            throw new BadField(path + " has " + array.size() + " values, expected " + numFeatures
                    + " (num_features)");
        }
        double[] values = new double[numFeatures];
        for (int j = 0; j < numFeatures; j++) {
            values[j] = finiteDouble(array.get(j), path + "[" + j + "]");
        }
        return values;
    }

    private static TrainingInfo trainingFromJson(JsonObject training, int headerVersion) {
        String at = "training.";
        checkFields(training, TRAINING_FIELDS, at, headerVersion);
        String engine = string(require(training, "engine", at), at + "engine");
        long seed = integer(require(training, "seed", at), at + "seed", Long.MIN_VALUE, Long.MAX_VALUE);
        String stopReason = string(require(training, "stop_reason", at), at + "stop_reason");
        int iterations = (int) integer(require(training, "iterations", at), at + "iterations", 0, Integer.MAX_VALUE);

        Map<String, String> options = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : object(require(training, "options", at), at + "options")
                .entrySet()) {
            options.put(entry.getKey(), string(entry.getValue(), at + "options." + pathKey(entry.getKey())));
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : object(require(training, "metrics", at), at + "metrics")
                .entrySet()) {
            metrics.put(entry.getKey(), metric(entry.getValue(), at + "metrics." + pathKey(entry.getKey())));
        }
        String createdAt = string(require(training, "created_at", at), at + "created_at");
        try {
            Instant.parse(createdAt);
        } catch (DateTimeParseException e) {
            throw new BadField(at + "created_at is " + quote(createdAt)
                    + ", expected an ISO-8601 instant such as \"2025-01-31T12:00:00Z\"");
        }
        String version = string(require(training, "softmax4j_version", at), at + "softmax4j_version");
        return new TrainingInfo(engine, seed, stopReason, iterations, options, metrics, createdAt, version);
    }

    /** A one-line message from Gson's, its location moved from the JSON to the file. */
    private static InputException syntaxError(String name, Throwable cause) {
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        message = message.lines().findFirst().orElse("");
        Matcher location = GSON_LOCATION.matcher(message);
        if (location.matches()) {
            // JSON line 1 is line 2 of the file: the header comes first.
            long line = Long.parseLong(location.group(2)) + 1;
            int column = Integer.parseInt(location.group(3));
            return InputException.at(name, line, column, "JSON syntax error: " + location.group(1) + " (at "
                    + location.group(4) + ")");
        }
        return fail(name, "JSON syntax error: " + message);
    }

    private static InputException fail(String name, String message) {
        // Whatever a message quotes from the file, it stays one line: line breaks become visible escapes.
        return InputException.at(name, 0, 0, message.replace("\r", "\\r").replace("\n", "\\n"));
    }

    private static int indexOf(byte[] bytes, byte value, int end) {
        for (int i = 0; i < end; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A key of the file's own choosing (an option's or a metric's name) as a step of a JSON path in a message: as it
     * is when it is a plain name, else quoted, so that a key with a line break or a megabyte of text cannot break the
     * one-line message (found by fuzzing).
     */
    private static String pathKey(String key) {
        return key.length() <= 64 && key.matches("[A-Za-z0-9_.-]+") ? key : quote(key);
    }

    /** A string in double quotes for a message, control characters escaped, at most 120 characters shown. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        int shown = Math.min(text.length(), 120);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
        if (shown < text.length()) {
            out.append(" (").append(text.length()).append(" characters)");
        }
        return out.toString();
    }

    /** The body of a model file (see {@link ModelJsonWriter#toJson}). */
    static String toJson(Model model) {
        return ModelJsonWriter.toJson(model);
    }
}
