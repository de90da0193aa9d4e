package org.softmax4j.data;

import java.util.Objects;

/**
 * How to read a CSV file of examples.
 *
 * @param labelColumn        1-based column that holds the label; null for the last column
 * @param header             whether the first non-blank line names the columns
 * @param binarizeThreshold  when set, a feature value x is read as 1 if x &gt;= threshold, else 0; null keeps values
 * @param representation     how the feature values are stored in memory
 */
public record CsvOptions(Integer labelColumn, HeaderMode header, Double binarizeThreshold,
                         Representation representation) {

    public CsvOptions {
        if (labelColumn != null && labelColumn < 1) {
            throw new IllegalArgumentException("labelColumn is " + labelColumn + ", expected at least 1");
        }
        Objects.requireNonNull(header, "header");
        if (binarizeThreshold != null && !Double.isFinite(binarizeThreshold)) {
            throw new IllegalArgumentException("binarizeThreshold is " + binarizeThreshold
                    + ", expected a finite number");
        }
        Objects.requireNonNull(representation, "representation");
    }

    /** Label in the last column, header detected, values kept as they are, representation chosen from the values. */
    public static CsvOptions defaults() {
        return new CsvOptions(null, HeaderMode.AUTO, null, Representation.AUTO);
    }

    public CsvOptions withLabelColumn(Integer column) {
        return new CsvOptions(column, header, binarizeThreshold, representation);
    }

    public CsvOptions withHeader(HeaderMode mode) {
        return new CsvOptions(labelColumn, mode, binarizeThreshold, representation);
    }

    public CsvOptions withBinarizeThreshold(Double threshold) {
        return new CsvOptions(labelColumn, header, threshold, representation);
    }

    public CsvOptions withRepresentation(Representation storage) {
        return new CsvOptions(labelColumn, header, binarizeThreshold, storage);
    }
}
