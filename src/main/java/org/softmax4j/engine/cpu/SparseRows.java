package org.softmax4j.engine.cpu;

import java.util.Locale;

import org.softmax4j.data.DenseDataset;

/**
 * The non-zeros of dense rows, packed once, twice: by row (compressed sparse rows: the non-zeros of row n at
 * [{@link #rowStarts}[n], rowStarts[n + 1]), feature ascending; for the logits) and, within each block of
 * {@link #blockRows} rows, by feature (the non-zeros of feature j in block c at [{@link #columnStarts}[c(D + 1) + j],
 * columnStarts[c(D + 1) + j + 1]), row ascending, the row given from the block's first; for the gradient, summed in
 * registers per feature). Values as loaded. And the rule that decides when the double evaluation takes them
 * ({@link #choose}): rows whose features are mostly zeros (pixels, counts, one-hot blocks) cost their non-zeros instead
 * of D.
 */
final class SparseRows {
    /**
     * The sparse path is taken when at most this fraction of the values is non-zero (rounded to a count): the
     * crossover measured against {@link VectorDoubleDenseEvaluator} on a 2-core Zen 4 (AVX-512) at D = 784, K = 10,
     * one evaluation in double on 2 threads: the sparse path took about half the dense one's time at 10% non-zeros,
     * the same within the noise at 20% (0.82–0.90 of it on MNIST and the planted 10⁵ rows), 1.2–1.3 times at
     * 25–30%, 1.8 times at 40% (docs/PERFORMANCE.md, "Sparse rows in double").
     */
    static final double MAX_DENSITY = 0.2;
    /** {@code -Dsoftmax4j.sparseRows=auto|true|false}: the rule below, or always / never the sparse path. */
    static final String PROPERTY = "softmax4j.sparseRows";

    /** Where each row's non-zeros start, N + 1 entries. */
    final int[] rowStarts;
    /** By row: the feature of each non-zero, times {@link #stride}. */
    final int[] features;
    /** By row: the value of each non-zero. */
    final float[] rowValues;
    final int blockRows;
    /**
     * What the features and the rows are multiplied by: the evaluator's row length (K padded) in its arrays of
     * [feature][class] and [row][class], so that a non-zero's offset there costs no multiplication.
     */
    final int stride;
    /** Per block c and feature j, at c(D + 1) + j: where the feature's non-zeros in the block start (D + 1 a block). */
    final int[] columnStarts;
    /** By feature within a block: the row of each non-zero, counted from the block's first row, times {@link #stride}. */
    final int[] rows;
    /** By feature within a block: the value of each non-zero. */
    final float[] columnValues;

    private SparseRows(int[] rowStarts, int[] features, float[] rowValues, int blockRows, int stride,
                       int[] columnStarts, int[] rows, float[] columnValues) {
        this.rowStarts = rowStarts;
        this.features = features;
        this.rowValues = rowValues;
        this.blockRows = blockRows;
        this.stride = stride;
        this.columnStarts = columnStarts;
        this.rows = rows;
        this.columnValues = columnValues;
    }

    /** How the choice is made: by {@link #MAX_DENSITY}, or forced. */
    enum Mode {
        AUTO, ALWAYS, NEVER;

        /** From {@value #PROPERTY}. */
        static Mode fromSystemProperty() {
            return parse(System.getProperty(PROPERTY));
        }

        /** auto (or absent, or blank), true (always) or false (never), any case. */
        static Mode parse(String value) {
            String mode = value == null ? "auto" : value.strip().toLowerCase(Locale.ROOT);
            switch (mode) {
                case "", "auto":
                    return AUTO;
                case "true":
                    return ALWAYS;
                case "false":
                    return NEVER;
                default:
                    throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + ": expected auto, true or false");
            }
        }
    }

    /** The non-zero values of {@code data}. */
    static long countNonZeros(DenseDataset data) {
        float[] x = data.values();
        long count = 0;
        for (float v : x) {
            if (v != 0f) {
                count++;
            }
        }
        return count;
    }

    /**
     * The packed rows of {@code data} if the double evaluation should take them under {@code mode}, else null: AUTO
     * packs when the fraction of non-zero values is at most {@link #MAX_DENSITY}. Never when the non-zeros would not
     * fit one Java array. {@code blockRows}: rows per block of the by-feature copy; {@code stride}: see
     * {@link #stride}.
     */
    static SparseRows choose(DenseDataset data, Mode mode, int blockRows, int stride) {
        if (mode == Mode.NEVER) {
            return null;
        }
        long nonZeros = countNonZeros(data);
        long total = (long) data.numExamples() * data.numFeatures();
        if (nonZeros > Integer.MAX_VALUE - 16
                || mode == Mode.AUTO && (total == 0 || nonZeros > Math.round(MAX_DENSITY * total))) {
            return null;
        }
        return pack(data, (int) nonZeros, blockRows, stride);
    }

    private static SparseRows pack(DenseDataset data, int nonZeros, int blockRows, int stride) {
        int n = data.numExamples();
        int d = data.numFeatures();
        float[] x = data.values();
        int[] rowStarts = new int[n + 1];
        int[] features = new int[nonZeros];
        float[] rowValues = new float[nonZeros];
        int at = 0;
        for (int row = 0; row < n; row++) {
            rowStarts[row] = at;
            int offset = row * d;
            for (int j = 0; j < d; j++) {
                float v = x[offset + j];
                if (v != 0f) {
                    features[at] = j * stride;
                    rowValues[at] = v;
                    at++;
                }
            }
        }
        rowStarts[n] = at;
        int blocks = Math.max(1, (n + blockRows - 1) / blockRows);
        int[] columnStarts = new int[blocks * (d + 1)];
        int[] rows = new int[nonZeros];
        float[] columnValues = new float[nonZeros];
        for (int block = 0; block < blocks; block++) {
            int first = Math.min(n, block * blockRows);
            int last = Math.min(n, first + blockRows);
            int base = block * (d + 1);
            // Counts per feature, then their running sums (the block's non-zeros start where the rows' do), then the
            // non-zeros in row order: each feature's rows ascending.
            for (int p = rowStarts[first]; p < rowStarts[last]; p++) {
                columnStarts[base + features[p] / stride + 1]++;
            }
            columnStarts[base] = rowStarts[first];
            for (int j = 0; j < d; j++) {
                columnStarts[base + j + 1] += columnStarts[base + j];
            }
            int[] next = new int[d];
            System.arraycopy(columnStarts, base, next, 0, d);
            for (int row = first; row < last; row++) {
                for (int p = rowStarts[row]; p < rowStarts[row + 1]; p++) {
                    int q = next[features[p] / stride]++;
                    rows[q] = (row - first) * stride;
                    columnValues[q] = rowValues[p];
                }
            }
        }
        return new SparseRows(rowStarts, features, rowValues, blockRows, stride, columnStarts, rows, columnValues);
    }
}
