package org.softmax4j.data;

import java.util.List;

/**
 * A data set read from CSV with what the reader learnt on the way.
 *
 * @param data              the examples
 * @param featureNames      the header's names of the D features in feature order, or null without a header
 * @param profile           the features' range, mean (as read) and zero share (as stored) over every row read
 * @param featureColumns    feature j's column in the file, counting from 1 (the numbering of messages)
 * @param numericHeaderLine the line of a header that was asked for (header yes) but whose every feature field parses
 *                          as a number, so that a data row may have been dropped as a header; 0 otherwise
 * @param inputLabels       rows to classify read with their labels kept: each row's label as written; null otherwise,
 *                          or when the rows have no label column
 */
public record CsvData(Dataset data, List<String> featureNames, FeatureProfile profile, int[] featureColumns,
                      long numericHeaderLine, List<String> inputLabels) {
    public CsvData {
        featureNames = featureNames == null ? null : List.copyOf(featureNames);
        inputLabels = inputLabels == null ? null : List.copyOf(inputLabels);
        featureColumns = featureColumns.clone();
    }

    /** Feature j's column in the file, counting from 1. */
    public int column(int feature) {
        return featureColumns[feature];
    }

    @Override
    public int[] featureColumns() {
        return featureColumns.clone();
    }
}
