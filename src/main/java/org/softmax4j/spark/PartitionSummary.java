package org.softmax4j.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Iterator;

import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.softmax4j.engine.cuda.CudaProbe;

/**
 * The first pass over one partition, before any packing: every row checked (an integral label ≥ 0, a vector of the
 * partition's first size with finite values, a finite weight ≥ 0), and what the driver needs summed in row order: the
 * row count, the largest and smallest label, the class counts, whether every value is 0 or 1, max |x|, Σω, Σω², and
 * per feature Σω x and Σω x². The first bad row ends the pass: {@link #error} names the column and the row, and the
 * driver raises it (for the first partition, in partition order, that has one), so that bad input fails the same way
 * whatever the scheduling, before any iteration.
 */
final class PartitionSummary implements Serializable {
    private static final long serialVersionUID = 1L;

    final int partition;
    int rows;
    /** The size of the first vector, −1 before one. */
    int numFeatures = -1;
    int minLabel = Integer.MAX_VALUE;
    int maxLabel = -1;
    int[] classCounts = new int[0];
    boolean binary = true;
    double weightTotal;
    double weightSquares;
    double[] featureSums;
    double[] featureSquares;
    /** max |x| over every value (what the one-scale preconditioner of dense rows reads). */
    double maxAbs;
    /** Whether the executor that ran this pass has a usable CUDA device ({@code backend auto} decides on it). */
    boolean cudaAvailable;
    /** The first bad row's message, or null. */
    String error;

    private PartitionSummary(int partition) {
        this.partition = partition;
    }

    /** Rows are (label, features, weight): the weight only when {@code columns.weight()} is not null. */
    static PartitionSummary of(int partition, Iterator<Row> rows, Columns columns, boolean probeCuda) {
        PartitionSummary summary = new PartitionSummary(partition);
        summary.cudaAvailable = probeCuda && CudaProbe.result().available();
        while (rows.hasNext() && summary.error == null) {
            summary.add(rows.next(), columns);
        }
        return summary;
    }

    private void add(Row row, Columns columns) {
        int index = rows;
        String where = Columns.row(partition, index);
        Object labelValue = row.get(0);
        double label = labelValue == null ? Double.NaN : ((Number) labelValue).doubleValue();
        if (!(label >= 0 && label == Math.rint(label) && label <= Integer.MAX_VALUE - 1)) {
            error = columns.labelColumn() + ": " + where + " is " + labelValue + ", expected a class index (an integer "
                    + ">= 0)";
            return;
        }
        double weight = 1;
        if (columns.weight() != null) {
            Object weightValue = row.get(2);
            weight = weightValue == null ? Double.NaN : ((Number) weightValue).doubleValue();
            if (!(weight >= 0) || Double.isInfinite(weight)) {
                error = columns.weightColumn() + ": " + where + " is " + weightValue + ", expected a finite weight >= 0";
                return;
            }
        }
        Object featuresValue = row.get(1);
        if (!(featuresValue instanceof Vector vector)) {
            error = columns.featuresColumn() + ": " + where + " is " + featuresValue + ", expected a vector";
            return;
        }
        if (numFeatures < 0) {
            if (vector.size() < 1) {
                error = columns.featuresColumn() + ": " + where + " has no values, expected at least 1";
                return;
            }
            numFeatures = vector.size();
            featureSums = new double[numFeatures];
            featureSquares = new double[numFeatures];
        } else if (vector.size() != numFeatures) {
            error = columns.featuresColumn() + ": " + where + " has " + vector.size() + " values, expected "
                    + numFeatures + " (as " + Columns.row(partition, 0) + ")";
            return;
        }
        String bad = addFeatures(vector, weight);
        if (bad != null) {
            error = columns.featuresColumn() + ": " + where + " has " + bad + ", expected finite values";
            return;
        }
        int k = (int) label;
        if (k >= classCounts.length) {
            classCounts = Arrays.copyOf(classCounts, Math.max(k + 1, 2 * classCounts.length));
        }
        classCounts[k]++;
        minLabel = Math.min(minLabel, k);
        maxLabel = Math.max(maxLabel, k);
        weightTotal += weight;
        weightSquares += weight * weight;
        rows++;
    }

    /** Adds ω x and ω x² per feature; returns "NaN at index 5" for a value that is not finite, else null. */
    private String addFeatures(Vector vector, double weight) {
        int[] indices = vector instanceof SparseVector sparse ? sparse.indices() : null;
        double[] values = vector instanceof SparseVector sparse ? sparse.values() : ((DenseVector) vector).values();
        for (int i = 0; i < values.length; i++) {
            double x = values[i];
            int j = indices == null ? i : indices[i];
            if (!Double.isFinite(x)) {
                return x + " at index " + j;
            }
            binary &= x == 0 || x == 1;
            maxAbs = Math.max(maxAbs, Math.abs(x));
        }
        for (int i = 0; i < values.length; i++) {
            double x = values[i];
            int j = indices == null ? i : indices[i];
            featureSums[j] += weight * x;
            featureSquares[j] += weight * x * x;
        }
        return null;
    }
}
