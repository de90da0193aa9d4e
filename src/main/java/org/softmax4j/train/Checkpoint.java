package org.softmax4j.train;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.softmax4j.AtomicFile;
import org.softmax4j.InputException;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.model.ModelFile;

/**
 * The whole state of a training run between two iterations, so that {@code train --resume} continues it: the
 * trainer's records (history, best so far, the validation's best and patience, the seconds spent), the solver's
 * state (see {@link Solver#saveState}), the settings that determine the result, and a fingerprint of the data.
 * <p>
 * File format, version 1: a header line {@code softmax4j-checkpoint 1 sha256=<64 hex> bytes=<n>}, then exactly n
 * bytes whose SHA-256 the header gives: a count of parts, then per part its name (Java's modified UTF-8 with a
 * two-byte length) and its fields as {@link StateFields} writes them. The parts are "run" (the settings as
 * {@code setting.NAME} strings, {@code fingerprint}, {@code elapsed_seconds}), "trainer" and "solver".
 */
public final class Checkpoint {
    public static final int VERSION = 1;
    private static final String MAGIC = "softmax4j-checkpoint";
    private static final Pattern HEADER = Pattern.compile(
            Pattern.quote(MAGIC) + " ([0-9]{1,9}) sha256=([0-9a-f]{64}) bytes=(0|[1-9][0-9]{0,17})");
    private static final int MAX_HEADER_BYTES = 200;
    private static final String SETTING = "setting.";
    /** What may change on resume, for the refusal's message. */
    static final String MAY_CHANGE = "only --max-iterations (not with the cosine schedule), --checkpoint, "
            + "--checkpoint-every, --threads, the test data and the outputs may change";

    /** Where training writes checkpoints and how often: every {@code everySeconds} (0: after every iteration). */
    public record Writing(Path file, double everySeconds) {
        public Writing {
            Objects.requireNonNull(file, "file");
            if (!(everySeconds >= 0) || Double.isInfinite(everySeconds)) {
                throw new IllegalArgumentException("checkpoint interval is " + everySeconds
                        + " seconds, expected a finite number >= 0");
            }
        }
    }

    private final Map<String, String> settings;
    private final String fingerprint;
    private final double elapsedSeconds;
    private final StateFields trainer;
    private final StateFields solver;
    /** The file it was read from, or null. */
    private String source;

    Checkpoint(Map<String, String> settings, String fingerprint, double elapsedSeconds, StateFields trainer,
               StateFields solver) {
        this.settings = new LinkedHashMap<>(settings);
        this.fingerprint = fingerprint;
        this.elapsedSeconds = elapsedSeconds;
        this.trainer = trainer;
        this.solver = solver;
    }

    /** "checkpoint FILE", or "the checkpoint" for one never read from a file. */
    String describe() {
        return source == null ? "the checkpoint" : "checkpoint " + source;
    }

    /** The iteration after which it was written. */
    public int iteration() {
        return LoopState.iterationOf(trainer);
    }

    /** The records of the history it holds (iteration 0 and one per iteration since). */
    public int records() {
        return trainer.length("history") / LoopState.RECORD_FIELDS;
    }

    /** The seconds training had run when it was written. */
    public double elapsedSeconds() {
        return elapsedSeconds;
    }

    /** The settings that determine the result, by the names the model file records them under, and the engine. */
    public Map<String, String> settings() {
        return java.util.Collections.unmodifiableMap(settings);
    }

    StateFields trainer() {
        return trainer;
    }

    StateFields solver() {
        return solver;
    }

    /**
     * The settings a checkpoint records and a resume must repeat: those of {@link TrainingOptions#record()} but the
     * iteration limit (which only ends the loop, unless the cosine schedule spreads η over it), the patience with a
     * validation set, the penalty factors (their hash) and the engine ("cpu" or "cuda": their float32 evaluations differ
     * in the last bits).
     */
    static Map<String, String> settingsOf(TrainingOptions options, PenaltyFactors penaltyFactors,
                                          boolean withValidation, String engine) {
        Map<String, String> map = new LinkedHashMap<>(options.record());
        if (!penaltyFactors.isNone()) {
            map.put("penalty_factors", penaltyFactors.hash());
        }
        boolean cosine = options.schedule() == Schedule.COSINE
                && (options.solver() == SolverType.SGD || options.solver() == SolverType.ADAM);
        if (!cosine) {
            map.remove("max_iterations");
        }
        if (withValidation) {
            map.put("patience", String.valueOf(options.patience()));
        }
        map.put("engine", engine);
        return map;
    }

    /**
     * Why this checkpoint cannot continue a run of {@code runSettings} on data of {@code runFingerprint}, or null
     * when it can: the data, or the first setting that differs.
     */
    String incompatibility(Map<String, String> runSettings, String runFingerprint) {
        if (!fingerprint.equals(runFingerprint)) {
            return "it was written for other training data (fingerprint " + fingerprint.substring(0, 12)
                    + ", this data " + runFingerprint.substring(0, 12) + "): resume with the same data options, "
                    + "sample and class weights and validation fraction";
        }
        for (String name : union(settings, runSettings)) {
            String then = settings.get(name);
            String now = runSettings.get(name);
            if (!Objects.equals(then, now)) {
                return "it was written with " + name + " " + (then == null ? "unset" : then) + ", this run has "
                        + (now == null ? "it unset" : now) + "; resume with the same options (" + MAY_CHANGE + ")";
            }
        }
        return null;
    }

    /** The solver first (a different one explains every other difference), then a's names, then b's. */
    private static java.util.Set<String> union(Map<String, String> a, Map<String, String> b) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>(List.of("solver", "engine"));
        names.addAll(a.keySet());
        names.addAll(b.keySet());
        return names;
    }

    /**
     * The SHA-256 of the training set as the trainer sees it (representation, shape, class names, labels, every
     * value), its example weights and the validation set, in hex.
     */
    static String fingerprint(Dataset train, double[] exampleWeights, Dataset validation) {
        MessageDigest digest = sha256();
        hash(digest, train);
        if (exampleWeights == null) {
            digest.update((byte) 0);
        } else {
            digest.update((byte) 1);
            hashDoubles(digest, exampleWeights);
        }
        if (validation == null) {
            digest.update((byte) 0);
        } else {
            digest.update((byte) 1);
            hash(digest, validation);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void hash(MessageDigest digest, Dataset data) {
        ByteBuffer shape = ByteBuffer.allocate(13);
        shape.put((byte) (data instanceof BinaryDataset ? 'b' : 'd')).putInt(data.numExamples())
                .putInt(data.numFeatures()).putInt(data.numClasses());
        digest.update(shape.array());
        for (String name : data.classNames()) {
            byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
            digest.update(bytes);
        }
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
        for (int i = 0; i < data.numExamples(); i++) {
            if (chunk.remaining() < 4) {
                flush(digest, chunk);
            }
            chunk.putInt(data.label(i));
        }
        if (data instanceof DenseDataset dense) {
            for (float value : dense.values()) {
                if (chunk.remaining() < 4) {
                    flush(digest, chunk);
                }
                chunk.putFloat(value);
            }
        } else {
            for (long word : ((BinaryDataset) data).words()) {
                if (chunk.remaining() < 8) {
                    flush(digest, chunk);
                }
                chunk.putLong(word);
            }
        }
        flush(digest, chunk);
    }

    private static void hashDoubles(MessageDigest digest, double[] values) {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
        for (double value : values) {
            if (chunk.remaining() < 8) {
                flush(digest, chunk);
            }
            chunk.putDouble(value);
        }
        flush(digest, chunk);
    }

    private static void flush(MessageDigest digest, ByteBuffer chunk) {
        digest.update(chunk.array(), 0, chunk.position());
        chunk.clear();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }

    /**
     * Writes the checkpoint atomically (see {@link AtomicFile}): the previous one stays whole until the new one is.
     *
     * @throws InputException when the directory does not exist or writing fails (a full disk, no permission)
     */
    public void write(Path file) {
        byte[] body = body();
        byte[] header = (MAGIC + " " + VERSION + " sha256=" + ModelFile.sha256Hex(body) + " bytes=" + body.length
                + "\n").getBytes(US_ASCII);
        AtomicFile.write(file, "checkpoint", out -> {
            out.write(header);
            out.write(body);
        });
    }

    private byte[] body() {
        StateFields run = new StateFields("run");
        settings.forEach((name, value) -> run.put(SETTING + name, value));
        run.put("fingerprint", fingerprint);
        run.put("elapsed_seconds", elapsedSeconds);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(3);
            for (StateFields part : new StateFields[] {run, trainer, solver}) {
                out.writeUTF(part.part());
                part.writeTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads and checks a checkpoint: header, length, checksum and the parts' structure (whether it fits a run is
     * {@link #incompatibility}'s question).
     *
     * @throws InputException naming the file and what is wrong with it
     */
    public static Checkpoint read(Path file) {
        return parse(ModelFile.readWhole(file, "checkpoint file"), file.toString());
    }

    static Checkpoint parse(byte[] bytes, String name) {
        int newline = -1;
        for (int i = 0; i < Math.min(bytes.length, MAX_HEADER_BYTES); i++) {
            if (bytes[i] == '\n') {
                newline = i;
                break;
            }
        }
        String firstLine = new String(bytes, 0, newline >= 0 ? newline : Math.min(bytes.length, MAX_HEADER_BYTES),
                ISO_8859_1).replaceAll("[^\\x20-\\x7e]", "?");
        if (!firstLine.startsWith(MAGIC + " ")) {
            throw fail(name, "not a softmax4j checkpoint: expected a first line \"" + MAGIC + " " + VERSION
                    + " sha256=... bytes=...\", found \"" + firstLine + "\"");
        }
        Matcher header = HEADER.matcher(firstLine);
        if (newline < 0 || !header.matches()) {
            throw fail(name, "malformed checkpoint header \"" + firstLine + "\"" + (newline < 0 ? " with no end of line" : ""));
        }
        if (!header.group(1).equals(String.valueOf(VERSION))) {
            throw fail(name, "checkpoint format version " + header.group(1) + " is not supported, expected "
                    + VERSION);
        }
        long expected = Long.parseLong(header.group(3));
        long found = bytes.length - (newline + 1L);
        if (found != expected) {
            throw fail(name, (found < expected ? "truncated checkpoint" : "checkpoint with extra bytes") + ": expected " + expected
                    + " bytes after the header, found " + found);
        }
        byte[] body = java.util.Arrays.copyOfRange(bytes, newline + 1, bytes.length);
        String computed = ModelFile.sha256Hex(body);
        if (!computed.equals(header.group(2))) {
            throw fail(name, "checksum mismatch: the checkpoint is corrupted (expected sha256 " + header.group(2)
                    + ", computed " + computed + ")");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
            int parts = in.readInt();
            if (parts != 3) {
                throw new IllegalArgumentException("it has " + parts + " parts, expected 3");
            }
            StateFields run = StateFields.readFrom(in, expectPart(in, "run"), body.length);
            StateFields trainer = StateFields.readFrom(in, expectPart(in, "trainer"), body.length);
            StateFields solver = StateFields.readFrom(in, expectPart(in, "solver"), body.length);
            if (in.available() > 0) {
                throw new IllegalArgumentException(in.available() + " bytes follow the last part");
            }
            Map<String, String> settings = new LinkedHashMap<>();
            for (String field : run.names()) {
                if (field.startsWith(SETTING)) {
                    settings.put(field.substring(SETTING.length()), run.getString(field));
                }
            }
            String fingerprint = run.getString("fingerprint");
            if (!fingerprint.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("the fingerprint \"" + fingerprint + "\" is not 64 hex digits");
            }
            double elapsed = run.getDouble("elapsed_seconds");
            Checkpoint checkpoint = new Checkpoint(settings, fingerprint, elapsed, trainer, solver);
            checkpoint.iteration();
            checkpoint.source = name;
            return checkpoint;
        } catch (EOFException e) {
            throw fail(name, "unreadable checkpoint: its parts end early");
        } catch (IOException | IllegalArgumentException e) {
            throw fail(name, "unreadable checkpoint: " + e.getMessage());
        }
    }

    private static String expectPart(DataInputStream in, String part) throws IOException {
        String found = in.readUTF();
        if (!found.equals(part)) {
            throw new IllegalArgumentException("found part \"" + found + "\", expected \"" + part + "\"");
        }
        return part;
    }

    private static InputException fail(String name, String message) {
        return InputException.at(name, 0, 0, message.replace("\r", "\\r").replace("\n", "\\n"));
    }
}
