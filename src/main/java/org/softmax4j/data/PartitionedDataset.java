package org.softmax4j.data;

import java.util.List;

/**
 * The driver's view of rows that live in partitions elsewhere (in Spark executors' memory: see
 * {@code org.softmax4j.spark}): the shape, the class names and counts, how many rows each partition holds, and the
 * features' moments summed where the rows live (each partition in row order, the partitions in partition order),
 * weighted by the rows' own example weights. The rows themselves cannot be read here: {@link #label},
 * {@link #feature} and {@link #select} throw {@link UnsupportedOperationException}; evaluators of such a set come from
 * the engine that holds its rows, and the solvers' helpers that need the data (the centring of lbfgs and owlqn) read
 * the moments instead, or, for dense rows, a few rows fetched from where they live ({@link #fetch}: the sample that
 * L-BFGS's whitening estimates the features' covariance from).
 */
public final class PartitionedDataset implements Dataset {
    /** Reads chosen rows where they live. */
    @FunctionalInterface
    public interface RowReader {
        /** The rows {@code examples} (strictly increasing), in that order, with their example weights. */
        FetchedRows read(int[] examples);
    }

    /** Rows fetched from the partitions: the rows, and their ω_n (null when every row has weight 1). */
    public record FetchedRows(DenseDataset rows, double[] weights) {
    }

    private final int[] partitionSizes;
    private final int numExamples;
    private final int numFeatures;
    private final List<String> classNames;
    private final int[] classCounts;
    private final boolean binary;
    private final double weightTotal;
    private final double[] featureSums;
    private final double[] featureSquares;
    private final double maxAbs;
    private final RowReader reader;
    private final String source;

    /**
     * @param partitionSizes rows per partition, in partition order
     * @param binary         whether the rows are bit-packed (every value 0 or 1) rather than dense float
     * @param weightTotal    Σ_n ω_n over every row
     * @param featureSums    Σ_n ω_n x_nj per feature
     * @param featureSquares Σ_n ω_n x_nj² per feature
     * @param maxAbs         max |x_nj| over every row and feature
     * @param reader         reads chosen dense rows where they live, or null where that is not possible
     */
    public PartitionedDataset(int[] partitionSizes, int numFeatures, List<String> classNames, int[] classCounts,
                              boolean binary, double weightTotal, double[] featureSums, double[] featureSquares,
                              double maxAbs, RowReader reader, String source) {
        if (numFeatures < 1) {
            throw new IllegalArgumentException("numFeatures is " + numFeatures + ", expected at least 1");
        }
        if (classCounts.length != classNames.size()) {
            throw new IllegalArgumentException("classCounts has " + classCounts.length + " values, expected "
                    + classNames.size() + " (one per class)");
        }
        if (featureSums.length != numFeatures || featureSquares.length != numFeatures) {
            throw new IllegalArgumentException("feature moments have " + featureSums.length + " and "
                    + featureSquares.length + " values, expected " + numFeatures);
        }
        long total = 0;
        for (int size : partitionSizes) {
            if (size < 0) {
                throw new IllegalArgumentException("a partition size is " + size + ", expected 0 or more");
            }
            total += size;
        }
        long counted = 0;
        for (int count : classCounts) {
            counted += count;
        }
        if (counted != total) {
            throw new IllegalArgumentException("class counts sum to " + counted + ", expected " + total
                    + " (the rows of the partitions)");
        }
        this.partitionSizes = partitionSizes.clone();
        this.numExamples = Math.toIntExact(total);
        this.numFeatures = numFeatures;
        this.classNames = List.copyOf(classNames);
        this.classCounts = classCounts.clone();
        this.binary = binary;
        this.weightTotal = weightTotal;
        this.featureSums = featureSums.clone();
        this.featureSquares = featureSquares.clone();
        this.maxAbs = maxAbs;
        this.reader = reader;
        this.source = source;
    }

    @Override
    public int numExamples() {
        return numExamples;
    }

    @Override
    public int numFeatures() {
        return numFeatures;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public int[] classCounts() {
        return classCounts.clone();
    }

    public int numPartitions() {
        return partitionSizes.length;
    }

    /** Rows per partition, in partition order. */
    public int[] partitionSizes() {
        return partitionSizes.clone();
    }

    /** Whether the partitions hold bit-packed rows (every value 0 or 1) rather than dense float rows. */
    public boolean binary() {
        return binary;
    }

    /** Σ_n ω_n. */
    public double weightTotal() {
        return weightTotal;
    }

    /** Σ_n ω_n x_nj, a copy. */
    public double[] featureSums() {
        return featureSums.clone();
    }

    /** Σ_n ω_n x_nj², a copy. */
    public double[] featureSquares() {
        return featureSquares.clone();
    }

    /** max |x_nj| over every row and feature. */
    public double maxAbs() {
        return maxAbs;
    }

    /**
     * The rows {@code examples} (strictly increasing), read where they live, as dense rows (bit-packed ones as 0/1),
     * with their example weights.
     *
     * @throws UnsupportedOperationException for rows that cannot be read from here
     */
    public FetchedRows fetch(int[] examples) {
        if (reader == null) {
            throw rowsElsewhere();
        }
        for (int i = 0; i < examples.length; i++) {
            if (examples[i] < 0 || examples[i] >= numExamples || i > 0 && examples[i] <= examples[i - 1]) {
                throw new IllegalArgumentException("examples[" + i + "] is " + examples[i] + ", expected strictly "
                        + "increasing rows in [0, " + numExamples + ")");
            }
        }
        FetchedRows rows = reader.read(examples.clone());
        if (rows.rows().numExamples() != examples.length) {
            throw new IllegalStateException("read " + rows.rows().numExamples() + " rows of " + source + ", expected "
                    + examples.length);
        }
        return rows;
    }

    @Override
    public int label(int example) {
        throw rowsElsewhere();
    }

    @Override
    public float feature(int example, int feature) {
        throw rowsElsewhere();
    }

    @Override
    public Dataset select(int[] examples) {
        throw rowsElsewhere();
    }

    private UnsupportedOperationException rowsElsewhere() {
        return new UnsupportedOperationException("the rows of " + source + " live in its " + partitionSizes.length
                + " partitions, not here");
    }

    @Override
    public String source() {
        return source;
    }
}
