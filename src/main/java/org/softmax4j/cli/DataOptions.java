package org.softmax4j.cli;

import java.util.Locale;

import org.softmax4j.data.CsvOptions;
import org.softmax4j.data.HeaderMode;
import org.softmax4j.data.Representation;

import picocli.CommandLine.Option;

/** How CSV files are read. */
final class DataOptions {
    @Option(names = "--label-column", paramLabel = "N",
            description = "Column holding the label, counting from 1. Default: the last column.")
    Integer labelColumn;

    @Option(names = "--header", paramLabel = "auto|yes|no", defaultValue = "auto",
            description = "Whether the first line is a header; auto: when its features are not numbers. "
                    + "Default: ${DEFAULT-VALUE}.")
    String header;

    @Option(names = "--binarize", paramLabel = "T",
            description = "Turn each feature into 1 if it is >= T, else 0. On the built-in digits the default is 8; "
                    + "'none' keeps the counts 0..16.")
    String binarize;

    @Option(names = "--representation", paramLabel = "auto|dense|binary", defaultValue = "auto",
            description = "Rows in memory: bit-packed when every value is 0 or 1 (auto), or forced. "
                    + "Default: ${DEFAULT-VALUE}.")
    String representation;

    /** The threshold given, {@code fallback} when none was given, null for "none". */
    Double threshold(Double fallback) {
        if (binarize == null) {
            return fallback;
        }
        if (binarize.equalsIgnoreCase("none")) {
            return null;
        }
        try {
            double value = Double.parseDouble(binarize);
            if (!Double.isFinite(value)) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new org.softmax4j.InputException("--binarize is \"" + binarize
                    + "\", expected a finite number or none");
        }
    }

    CsvOptions csvOptions(Double threshold) {
        HeaderMode headerMode = switch (header.toLowerCase(Locale.ROOT)) {
            case "auto" -> HeaderMode.AUTO;
            case "yes", "true", "present" -> HeaderMode.PRESENT;
            case "no", "false", "absent" -> HeaderMode.ABSENT;
            default -> throw new org.softmax4j.InputException("--header is \"" + header
                    + "\", expected auto, yes or no");
        };
        Representation rows = switch (representation.toLowerCase(Locale.ROOT)) {
            case "auto" -> Representation.AUTO;
            case "dense" -> Representation.DENSE;
            case "binary" -> Representation.BINARY;
            default -> throw new org.softmax4j.InputException("--representation is \"" + representation
                    + "\", expected auto, dense or binary");
        };
        if (labelColumn != null && labelColumn < 1) {
            throw new org.softmax4j.InputException("--label-column is " + labelColumn
                    + ", expected a column number from 1");
        }
        return new CsvOptions(labelColumn, headerMode, threshold, rows);
    }
}
