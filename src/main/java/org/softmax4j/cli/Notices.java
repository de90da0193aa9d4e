package org.softmax4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.softmax4j.InputException;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.CsvData;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.model.DataContract;
import org.softmax4j.model.Model;

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

    /** A notice when --header yes dropped a first line whose feature fields are all numbers; null otherwise. */
    static String numericHeader(CsvData input) {
        if (input.numericHeaderLine() == 0) {
            return null;
        }
        return "notice: " + input.data().source() + ":" + input.numericHeaderLine() + ": --header yes, but every "
                + "feature field of this line is a number: it was skipped as a header, not read as a row";
    }

    /**
     * Gives the notices of new data against a model (a numeric header, {@link DataContract}) and, with
     * {@code strict}, fails when there is any: exit 2 instead of answers that may be wrong.
     */
    static void checkInput(BaseCommand command, Model model, CsvData input, Double threshold, boolean strict) {
        List<String> lines = new ArrayList<>();
        String header = numericHeader(input);
        if (header != null) {
            lines.add(header);
        }
        lines.addAll(DataContract.check(model, input, threshold));
        lines.forEach(command::notice);
        if (strict && !lines.isEmpty()) {
            throw new InputException("--strict and " + lines.size() + (lines.size() == 1 ? " notice" : " notices")
                    + " about " + input.data().source() + "; the first: " + lines.get(0).substring("notice: ".length()),
                    null, input.data().source(), 0, 0);
        }
    }
}
