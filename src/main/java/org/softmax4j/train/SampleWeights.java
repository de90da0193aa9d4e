package org.softmax4j.train;

import java.nio.file.Path;
import java.util.Arrays;

import org.softmax4j.InputException;
import org.softmax4j.data.CsvReader;

/**
 * The sample weights s_n of {@code --sample-weights}: one number ≥ 0 a line (blank lines skipped), for each row of
 * the training data in file order. Read through the CSV files' reader ({@link CsvReader#readLines}), so a gzipped file,
 * a pipe or {@code /dev/stdin} work as they do for the data. {@link #read} reads and checks the numbers before the
 * data is loaded; {@link #forRows} checks their count against the rows.
 */
public final class SampleWeights {
    private final Path file;
    private final double[] weights;

    private SampleWeights(Path file, double[] weights) {
        this.file = file;
        this.weights = weights;
    }

    /** @throws InputException naming the file, line and text of a value that is not a finite number ≥ 0 */
    public static SampleWeights read(Path file) {
        double[][] values = {new double[1024]};
        int[] count = {0};
        CsvReader.readLines(file, (line, raw) -> {
            String text = raw.trim();
            if (text.isEmpty()) {
                return;
            }
            double w;
            try {
                w = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                w = Double.NaN;
            }
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw InputException.at(file.toString(), line, 1, "expected a finite weight >= 0, found \"" + text
                        + "\"");
            }
            if (count[0] == values[0].length) {
                values[0] = Arrays.copyOf(values[0], 2 * count[0]);
            }
            values[0][count[0]++] = w;
        });
        return new SampleWeights(file, Arrays.copyOf(values[0], count[0]));
    }

    /** How many weights the file holds. */
    public int count() {
        return weights.length;
    }

    /**
     * The weights of {@code numRows} rows.
     *
     * @throws InputException when the file does not hold one weight per row
     */
    public double[] forRows(int numRows) {
        if (weights.length != numRows) {
            throw new InputException("--sample-weights " + file + " has " + weights.length + " weights, expected "
                    + numRows + " (one per training row)");
        }
        return weights.clone();
    }
}
