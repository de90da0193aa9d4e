package org.softmax4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;

/**
 * One partition's rows packed once, after {@link PartitionSummary} checked them: bit-packed (64 features to a
 * {@code long}) when every value of the whole data set is 0 or 1, else dense float32; Spark's sparse vectors are
 * accepted and packed the same way. Spark caches these blocks; each evaluation reads them. Serialisable as its plain
 * arrays (Spark spills cached blocks to disk under memory pressure); the {@link Dataset} over them is made on first use.
 */
final class PartitionBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    final int partition;
    final int numFeatures;
    final int numClasses;
    /** Bit-packed rows, or null for dense ones. */
    private final long[] words;
    /** Dense rows, or null for bit-packed ones. */
    private final float[] values;
    private final int[] labels;
    /** ω_n, or null when the fit has no weight column. */
    private final double[] weights;
    private transient Dataset dataset;

    private PartitionBlock(int partition, int numFeatures, int numClasses, long[] words, float[] values, int[] labels,
                           double[] weights) {
        this.partition = partition;
        this.numFeatures = numFeatures;
        this.numClasses = numClasses;
        this.words = words;
        this.values = values;
        this.labels = labels;
        this.weights = weights;
    }

    /** Packs the {@code size} rows (label, features[, weight]) that {@link PartitionSummary} accepted. */
    static PartitionBlock pack(int partition, Iterator<Row> rows, int size, int numFeatures, int numClasses,
                               boolean binary, boolean weighted) {
        int wordsPerRow = BinaryDataset.wordsPerRow(numFeatures);
        long[] words = binary ? new long[Math.multiplyExact(size, wordsPerRow)] : null;
        float[] values = binary ? null : new float[Math.multiplyExact(size, numFeatures)];
        int[] labels = new int[size];
        double[] weights = weighted ? new double[size] : null;
        int n = 0;
        while (rows.hasNext()) {
            Row row = rows.next();
            if (n == size) {
                throw new IllegalStateException("partition " + partition + " has more rows than the " + size
                        + " its first pass counted: its input is not deterministic");
            }
            labels[n] = (int) ((Number) row.get(0)).doubleValue();
            if (weighted) {
                weights[n] = ((Number) row.get(2)).doubleValue();
            }
            Vector vector = (Vector) row.get(1);
            int[] indices = vector instanceof SparseVector sparse ? sparse.indices() : null;
            double[] x = vector instanceof SparseVector sparse ? sparse.values() : ((DenseVector) vector).values();
            for (int i = 0; i < x.length; i++) {
                int j = indices == null ? i : indices[i];
                if (!binary) {
                    values[n * numFeatures + j] = (float) x[i];
                } else if (x[i] == 1) {
                    words[n * wordsPerRow + (j >>> 6)] |= 1L << (j & 63);
                }
            }
            n++;
        }
        if (n != size) {
            throw new IllegalStateException("partition " + partition + " has " + n + " rows, its first pass counted "
                    + size + ": its input is not deterministic");
        }
        return new PartitionBlock(partition, numFeatures, numClasses, words, values, labels, weights);
    }

    int numExamples() {
        return labels.length;
    }

    /** ω_n of this partition's rows, or null for all 1. */
    double[] weights() {
        return weights;
    }

    /**
     * The dense rows {@code from..to-1} of {@code examples} (global row indices, increasing), those of this block at
     * {@code offset}, as (partition, values, labels, weights or null).
     */
    Fetched fetch(int[] examples, int offset) {
        int from = lowerBound(examples, offset);
        int to = lowerBound(examples, offset + numExamples());
        float[] rows = new float[Math.multiplyExact(to - from, numFeatures)];
        int[] rowLabels = new int[to - from];
        double[] rowWeights = weights == null ? null : new double[to - from];
        for (int i = from; i < to; i++) {
            int n = examples[i] - offset;
            if (values != null) {
                System.arraycopy(values, n * numFeatures, rows, (i - from) * numFeatures, numFeatures);
            } else {
                // Bit-packed rows (the Hessian sample of --solver newton) come back as 0/1 floats.
                int wordsPerRow = BinaryDataset.wordsPerRow(numFeatures);
                for (int j = 0; j < numFeatures; j++) {
                    long word = words[n * wordsPerRow + (j >>> 6)];
                    rows[(i - from) * numFeatures + j] = (word >>> (j & 63) & 1L) != 0 ? 1f : 0f;
                }
            }
            rowLabels[i - from] = labels[n];
            if (rowWeights != null) {
                rowWeights[i - from] = weights[n];
            }
        }
        return new Fetched(partition, rows, rowLabels, rowWeights);
    }

    /** Dense rows fetched from one block, in the order asked. */
    record Fetched(int partition, float[] values, int[] labels, double[] weights) implements Serializable {
    }

    /** The first index of the increasing {@code values} whose value is at least {@code key}. */
    private static int lowerBound(int[] values, int key) {
        int low = 0;
        int high = values.length;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (values[middle] < key) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }

    /** The rows as our data set (classes "0".."K−1", Spark's label values), made once. */
    synchronized Dataset dataset() {
        if (dataset == null) {
            List<String> classNames = classNames(numClasses);
            String source = "partition " + partition;
            dataset = words != null ? new BinaryDataset(words, labels, numFeatures, classNames, source)
                    : new DenseDataset(values, labels, numFeatures, classNames, source);
        }
        return dataset;
    }

    /** "0".."K−1": label k of a Spark row is class k. */
    static List<String> classNames(int numClasses) {
        List<String> names = new ArrayList<>(numClasses);
        for (int k = 0; k < numClasses; k++) {
            names.add(Integer.toString(k));
        }
        return names;
    }
}
