package org.softmax4j.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a data set's features looked like, per feature: the range and mean of the values as read (before any
 * binarization), and the share of values that are 0 as the model sees them (after binarization when there is a
 * threshold). A model keeps the profile of its training data so that new data can be checked against it.
 */
public final class FeatureProfile {
    private final long numRows;
    private final double[] min;
    private final double[] max;
    private final double[] mean;
    private final double[] zeroShare;

    /**
     * @param numRows   the rows profiled, at least 1
     * @param min       per feature, the smallest value as read; copied
     * @param max       per feature, the largest value as read; copied
     * @param mean      per feature, the mean value as read; copied
     * @param zeroShare per feature, the share of rows whose value is 0 after binarization (if any), in [0, 1]; copied
     */
    public FeatureProfile(long numRows, double[] min, double[] max, double[] mean, double[] zeroShare) {
        Objects.requireNonNull(min, "min");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(zeroShare, "zeroShare");
        if (numRows < 1) {
            throw new IllegalArgumentException("numRows is " + numRows + ", expected at least 1");
        }
        int numFeatures = min.length;
        if (numFeatures < 1) {
            throw new IllegalArgumentException("min has no values, expected one per feature");
        }
        checkLength("max", max, numFeatures);
        checkLength("mean", mean, numFeatures);
        checkLength("zeroShare", zeroShare, numFeatures);
        for (int j = 0; j < numFeatures; j++) {
            if (!Double.isFinite(min[j]) || !Double.isFinite(max[j]) || !Double.isFinite(mean[j]) || min[j] > max[j]) {
                throw new IllegalArgumentException("feature " + j + " has min " + min[j] + ", max " + max[j]
                        + ", mean " + mean[j] + ", expected finite numbers with min <= max");
            }
            if (!(zeroShare[j] >= 0 && zeroShare[j] <= 1)) {
                throw new IllegalArgumentException("feature " + j + " has zero share " + zeroShare[j]
                        + ", expected a number in [0, 1]");
            }
        }
        this.numRows = numRows;
        this.min = min.clone();
        this.max = max.clone();
        this.mean = mean.clone();
        this.zeroShare = zeroShare.clone();
    }

    private static void checkLength(String name, double[] values, int numFeatures) {
        if (values.length != numFeatures) {
            throw new IllegalArgumentException(name + " has " + values.length + " values, expected " + numFeatures
                    + " (as min has)");
        }
    }

    /**
     * The profile of a data set's stored values: for binarized data the range, mean and zero share are all of the
     * 0/1 values (the values before binarization are no longer known).
     */
    public static FeatureProfile of(Dataset data) {
        Accumulator accumulator = new Accumulator(data.numFeatures());
        double[] raw = new double[data.numFeatures()];
        float[] stored = new float[data.numFeatures()];
        for (int n = 0; n < data.numExamples(); n++) {
            for (int j = 0; j < raw.length; j++) {
                stored[j] = data.feature(n, j);
                raw[j] = stored[j];
            }
            accumulator.add(raw, stored);
        }
        return accumulator.profile();
    }

    public long numRows() {
        return numRows;
    }

    public int numFeatures() {
        return min.length;
    }

    public double min(int feature) {
        return min[feature];
    }

    public double max(int feature) {
        return max[feature];
    }

    public double mean(int feature) {
        return mean[feature];
    }

    /** The share of rows whose value (after binarization, if any) is 0. */
    public double zeroShare(int feature) {
        return zeroShare[feature];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureProfile p && p.numRows == numRows && Arrays.equals(p.min, min)
                && Arrays.equals(p.max, max) && Arrays.equals(p.mean, mean) && Arrays.equals(p.zeroShare, zeroShare);
    }

    @Override
    public int hashCode() {
        return Objects.hash(numRows, Arrays.hashCode(min), Arrays.hashCode(max), Arrays.hashCode(mean),
                Arrays.hashCode(zeroShare));
    }

    @Override
    public String toString() {
        return "FeatureProfile[" + numRows + " rows x " + min.length + " features]";
    }

    /** Collects a profile row by row: the values as read, and as stored (binarized or not). */
    static final class Accumulator {
        private final double[] min;
        private final double[] max;
        private final double[] sum;
        private final long[] zeros;
        private long rows;

        Accumulator(int numFeatures) {
            min = new double[numFeatures];
            max = new double[numFeatures];
            sum = new double[numFeatures];
            zeros = new long[numFeatures];
            Arrays.fill(min, Double.POSITIVE_INFINITY);
            Arrays.fill(max, Double.NEGATIVE_INFINITY);
        }

        void add(double[] raw, float[] stored) {
            for (int j = 0; j < min.length; j++) {
                add(j, raw[j], stored[j]);
            }
            rows++;
        }

        void add(int feature, double raw, float stored) {
            if (raw < min[feature]) {
                min[feature] = raw;
            }
            if (raw > max[feature]) {
                max[feature] = raw;
            }
            sum[feature] += raw;
            if (stored == 0f) {
                zeros[feature]++;
            }
        }

        void endRow() {
            rows++;
        }

        /** The profile so far, or null before the first row. */
        FeatureProfile profile() {
            if (rows == 0) {
                return null;
            }
            double[] mean = new double[min.length];
            double[] zeroShare = new double[min.length];
            for (int j = 0; j < min.length; j++) {
                // A sum of finite doubles can overflow; the mean is then clamped, which is all a range check needs.
                mean[j] = Math.max(min[j], Math.min(max[j], sum[j] / rows));
                zeroShare[j] = (double) zeros[j] / rows;
            }
            return new FeatureProfile(rows, min, max, mean, zeroShare);
        }
    }
}
