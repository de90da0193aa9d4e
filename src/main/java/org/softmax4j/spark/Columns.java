package org.softmax4j.spark;

import java.io.Serializable;

/**
 * The columns a fit reads, by their names in the user's DataFrame, for messages: every bad-input message names the
 * column and the row.
 *
 * @param weight the weight column, or null when the fit has none (every weight 1)
 */
record Columns(String label, String features, String weight) implements Serializable {

    /** "label column \"y\"". */
    String labelColumn() {
        return "label column \"" + label + "\"";
    }

    String featuresColumn() {
        return "features column \"" + features + "\"";
    }

    String weightColumn() {
        return "weight column \"" + weight + "\"";
    }

    /** "row 17 of partition 2": Spark rows have no global index, their place in their partition is what is known. */
    static String row(int partition, int row) {
        return "row " + row + " of partition " + partition;
    }
}
