package org.softmax4j.cli;

import java.util.Locale;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;

/** Short lines shared by several commands. */
final class Notices {
    private Notices() {
    }

    static String representation(Dataset data) {
        return data instanceof BinaryDataset ? "bit-packed binary" : "dense float";
    }

    /** Features at or above this magnitude get a notice: logits in float32 overflow near 3.4e38 / |w|. */
    static final double LARGE_FEATURE = 1e6;

    /** A notice when a feature's magnitude reaches {@link #LARGE_FEATURE}, naming the largest; null otherwise. */
    static String largeFeatures(Dataset data) {
        if (!(data instanceof DenseDataset dense)) {
            return null;
        }
        float[] values = dense.values();
        int largest = -1;
        double max = 0;
        for (int i = 0; i < values.length; i++) {
            double magnitude = Math.abs(values[i]);
            if (magnitude > max) {
                max = magnitude;
                largest = i;
            }
        }
        if (max < LARGE_FEATURE) {
            return null;
        }
        return String.format(Locale.ROOT, "notice: feature %d reaches |x| = %.3g; at such scales float32 logits can "
                + "overflow and the solvers step badly: consider scaling the features", largest % dense.numFeatures()
                + 1, max);
    }
}
