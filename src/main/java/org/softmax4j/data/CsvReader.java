package org.softmax4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import org.softmax4j.InputException;
import org.softmax4j.data.CsvParser.Mode;

/**
 * Reads data sets from delimited text: one example per line, feature values and a label.
 *
 * <p>The first non-blank line fixes the format. The separator is ',' if that line has one, else ';' if it has one,
 * else runs of spaces and tabs. Fields are trimmed, and a field wholly inside double quotes loses them (there is no
 * other quoting: a separator inside quotes still separates). Blank lines are skipped. Every line must have as many
 * columns as the first. Data starting with the gzip signature is decompressed, whatever the file is called. Feature
 * values are decimal numbers, finite and within float range; labels are any non-empty strings.
 *
 * <p>Bad input throws {@link InputException} with one line, "file:line:column: expected ..., found ...", where the
 * column is the 1-based field number (the same numbering as {@link CsvOptions#labelColumn()}).
 *
 * <p>Rows are parsed line by line from a fixed buffer, and kept bit-packed while every value is 0 or 1: 10^7 rows of
 * 64 binary features take about 90 MB. A regular file (plain or gzip) is read twice, first only to count its lines, so
 * that the rows go straight into arrays of their final size: loading takes the data set's memory plus fixed buffers.
 * A stream, a pipe or {@code /dev/stdin} is read once, into blocks copied into the final arrays at the end (a peak of
 * twice the data set's memory).
 */
public final class CsvReader {
    private CsvReader() {
    }

    /**
     * Training data: the classes are the distinct labels, sorted numerically when every label is an integer (names kept
     * as written, so "10" follows "9"), else in String order.
     */
    public static Dataset read(Path file, CsvOptions options) {
        return readFile(file, new CsvParser(file.toString(), options, Mode.TRAIN, null, -1)).data();
    }

    /**
     * Data with known classes, for evaluation: each label must equal one of {@code classNames} exactly, as a string
     * ("07" is not "7"); its index there is the example's label.
     */
    public static Dataset read(Path file, CsvOptions options, List<String> classNames) {
        return read(file, options, classNames, -1);
    }

    /**
     * As {@link #read(Path, CsvOptions, List)}, and the rows must hold {@code numFeatures} features (a model's),
     * checked on the first line before the rest is read. A negative {@code numFeatures} accepts any count.
     */
    public static Dataset read(Path file, CsvOptions options, List<String> classNames, int numFeatures) {
        return readFile(file, new CsvParser(file.toString(), options, Mode.EVALUATE, classNames, numFeatures)).data();
    }

    /**
     * Rows to classify: each has {@code numFeatures} values, or one more when a label column is present (at
     * {@link CsvOptions#labelColumn()}, else last). Labels are ignored; every example gets label 0 of
     * {@code classNames}.
     */
    public static Dataset readForPrediction(Path file, CsvOptions options, List<String> classNames, int numFeatures) {
        return readFile(file, new CsvParser(file.toString(), options, Mode.PREDICT, classNames, numFeatures)).data();
    }

    /**
     * As {@link #read(Path, CsvOptions)}, from a stream read to its end and left open; {@code name} stands for the file
     * in messages and becomes the data set's source.
     */
    public static Dataset read(InputStream in, String name, CsvOptions options) {
        return readStream(in, new CsvParser(name, options, Mode.TRAIN, null, -1)).data();
    }

    /** As {@link #read(Path, CsvOptions, List)}, from a stream read to its end and left open. */
    public static Dataset read(InputStream in, String name, CsvOptions options, List<String> classNames) {
        return read(in, name, options, classNames, -1);
    }

    /** As {@link #read(Path, CsvOptions, List, int)}, from a stream read to its end and left open. */
    public static Dataset read(InputStream in, String name, CsvOptions options, List<String> classNames,
                               int numFeatures) {
        return readStream(in, new CsvParser(name, options, Mode.EVALUATE, classNames, numFeatures)).data();
    }

    /** As {@link #readForPrediction(Path, CsvOptions, List, int)}, from a stream read to its end and left open. */
    public static Dataset readForPrediction(InputStream in, String name, CsvOptions options, List<String> classNames,
                                            int numFeatures) {
        return readStream(in, new CsvParser(name, options, Mode.PREDICT, classNames, numFeatures)).data();
    }

    /**
     * Fails unless {@code data} has {@code numFeatures} features, for data that was not read against a model (the
     * built-in digits, or a training file given to evaluation). The message names the data's source, not a line.
     */
    public static void requireNumFeatures(Dataset data, int numFeatures) {
        if (data.numFeatures() != numFeatures) {
            throw InputException.at(data.source(), 0, 0, "expected " + numFeatures + " features (as the model has),"
                    + " found " + data.numFeatures());
        }
    }

    /**
     * Training data with its header's names and its features' profile: as {@link #read(Path, CsvOptions)}.
     */
    public static CsvData readProfiled(Path file, CsvOptions options) {
        return readFile(file, new CsvParser(file.toString(), options, Mode.TRAIN, null, -1));
    }

    /** As {@link #readProfiled(Path, CsvOptions)}, from a stream read to its end and left open. */
    public static CsvData readProfiled(InputStream in, String name, CsvOptions options) {
        return readStream(in, new CsvParser(name, options, Mode.TRAIN, null, -1));
    }

    /**
     * Data for a model of {@code classNames} and {@code numFeatures} features, with its profile: labelled rows (as
     * {@link #read(Path, CsvOptions, List, int)}) or, when {@code forPrediction}, rows to classify (as
     * {@link #readForPrediction(Path, CsvOptions, List, int)}). When {@code featureNames} is not null and the file has
     * a header, columns are matched to the names in any order (a name missing from the header is an error) and the
     * one column left over, if any, is the label; without a header, or without names, columns are taken by position.
     */
    public static CsvData readForModel(Path file, CsvOptions options, List<String> classNames, int numFeatures,
                                       List<String> featureNames, boolean forPrediction) {
        return readFile(file, new CsvParser(file.toString(), options, forPrediction ? Mode.PREDICT : Mode.EVALUATE,
                classNames, numFeatures, featureNames));
    }

    /**
     * Rows to classify, as {@link #readForModel} with {@code forPrediction}, keeping each row's label as written in
     * {@link CsvData#inputLabels()} when the rows have a label column.
     */
    public static CsvData readForPredictionWithLabels(Path file, CsvOptions options, List<String> classNames,
                                                      int numFeatures, List<String> featureNames) {
        return readFile(file, new CsvParser(file.toString(), options, Mode.PREDICT, classNames, numFeatures,
                featureNames).keepingInputLabels());
    }

    /** Receives the lines of {@link #readLines}: the 1-based line number and the line, without its line break. */
    public interface LineVisitor {
        void line(long number, String text);
    }

    /**
     * Every line of a text file, read as the CSV files are: gzip recognised by its signature, pipes and
     * {@code /dev/stdin} read as they come, a UTF-8 byte order mark skipped, and the same one-line errors naming the
     * file (for the sample weights, one number a line). An {@link InputException} thrown by the visitor passes through.
     */
    public static void readLines(Path file, LineVisitor visitor) {
        withFile(file, in -> {
            try (CsvLines lines = CsvLines.open(in, file.toString())) {
                while (lines.next()) {
                    visitor.line(lines.lineNumber(), new String(lines.bytes(), lines.start(),
                            lines.end() - lines.start(), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            return null;
        });
    }

    private static CsvData readFile(Path file, CsvParser parser) {
        if (Files.isRegularFile(file)) {
            MemoryEstimate.check(file, parser.options(), MemoryEstimate.availableBytes());
            parser.expectingNonBlankLines(countNonBlankLines(file));
        }
        return withFile(file, in -> readStream(in, parser));
    }

    // The first of the two passes over a regular file: its non-blank lines, or -1 when it cannot be read to its end
    // (the second pass then reports why, with the error it would report in a single pass).
    private static long countNonBlankLines(Path file) {
        try {
            return withFile(file, in -> {
                try (CsvLines lines = CsvLines.open(in, file.toString())) {
                    return CsvParser.countNonBlankLines(lines);
                }
            });
        } catch (InputException e) {
            return -1;
        }
    }

    private static <T> T withFile(Path file, java.util.function.Function<InputStream, T> reader) {
        String name = file.toString();
        if (Files.isDirectory(file)) {
            throw InputException.at(name, 0, 0, "expected a file, found a directory");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return reader.apply(in);
        } catch (NoSuchFileException e) {
            throw InputException.at(name, 0, 0, "expected a file, found no such file");
        } catch (AccessDeniedException e) {
            throw InputException.at(name, 0, 0, "expected a readable file, found no permission to read it");
        } catch (FileSystemException e) {
            throw InputException.at(name, 0, 0, "cannot open: " + (e.getReason() != null ? e.getReason()
                    : e.getMessage()));
        } catch (IOException e) {
            throw InputException.at(name, 0, 0, "cannot open: " + e.getMessage());
        }
    }

    private static CsvData readStream(InputStream in, CsvParser parser) {
        try (CsvLines lines = CsvLines.open(in, parser.file())) {
            try {
                return parser.parse(lines);
            } catch (InputException e) {
                throw lines.rootCause(e);
            }
        }
    }
}
