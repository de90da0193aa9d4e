package org.softmax4j.train;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.data.PartitionedDataset;

/**
 * The example-weighted sums of each feature and of its square, Σ_n ω_n x_nj and Σ_n ω_n x_nj², and Σ_n ω_n, summed in
 * row order: what {@link Centering} (the means) and {@link MeanDeflation} (the means and the variance) are made of.
 */
record FeatureMoments(double total, double[] sums, double[] squares) {

    /**
     * @param exampleWeights ω_n per example, or null for each ω_n = 1; for a {@link PartitionedDataset}, null: its
     *                       moments were summed where its rows live, with the weights they were bound with
     */
    static FeatureMoments of(Dataset data, double[] exampleWeights) {
        if (data instanceof PartitionedDataset partitioned) {
            if (exampleWeights != null) {
                throw new IllegalArgumentException("the rows of " + data.source() + " carry their own weights; "
                        + "expected no exampleWeights here");
            }
            return new FeatureMoments(partitioned.weightTotal(), partitioned.featureSums(),
                    partitioned.featureSquares());
        }
        int numExamples = data.numExamples();
        int numFeatures = data.numFeatures();
        if (exampleWeights != null && exampleWeights.length != numExamples) {
            throw new IllegalArgumentException("exampleWeights has " + exampleWeights.length + " entries, expected "
                    + numExamples);
        }
        double[] sums = new double[numFeatures];
        double[] squares = new double[numFeatures];
        double total = 0;
        for (int n = 0; n < numExamples; n++) {
            double weight = exampleWeights == null ? 1 : exampleWeights[n];
            total += weight;
            if (data instanceof BinaryDataset binary) {
                long[] words = binary.words();
                int wordsPerRow = binary.wordsPerRow();
                for (int w = 0; w < wordsPerRow; w++) {
                    long bits = words[n * wordsPerRow + w];
                    while (bits != 0) {
                        int j = w * 64 + Long.numberOfTrailingZeros(bits);
                        sums[j] += weight;
                        squares[j] += weight;
                        bits &= bits - 1;
                    }
                }
            } else {
                float[] values = ((DenseDataset) data).values();
                int row = n * numFeatures;
                for (int j = 0; j < numFeatures; j++) {
                    double x = values[row + j];
                    sums[j] += weight * x;
                    squares[j] += weight * x * x;
                }
            }
        }
        return new FeatureMoments(total, sums, squares);
    }

    /** μ_j = Σ_n ω_n x_nj / Σ_n ω_n; zeros when the weights sum to 0. */
    double[] means() {
        double[] means = new double[sums.length];
        if (total > 0) {
            for (int j = 0; j < sums.length; j++) {
                means[j] = sums[j] / total;
            }
        }
        return means;
    }
}
