package org.softmax4j;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.DenseDataset;

/** Seeded synthetic data sets for tests. */
public final class TestData {
    private TestData() {
    }

    public static List<String> classNames(int numClasses) {
        List<String> names = new ArrayList<>();
        for (int k = 0; k < numClasses; k++) {
            names.add("c" + k);
        }
        return names;
    }

    /**
     * Labels drawn from softmax(W x (+ b)) of a planted model, one per row of {@code values} (n×d, row-major): data
     * with a real optimum.
     */
    public static int[] plantedLabels(float[] values, int d, org.softmax4j.engine.Parameters truth, boolean withBias,
                                      SplittableRandom random) {
        int k = truth.numClasses();
        int[] labels = new int[values.length / d];
        double[] p = new double[k];
        for (int row = 0; row < labels.length; row++) {
            double total = 0;
            for (int c = 0; c < k; c++) {
                double score = withBias ? truth.bias()[c] : 0;
                for (int j = 0; j < d; j++) {
                    score += truth.weight(c, j) * values[row * d + j];
                }
                p[c] = Math.exp(score);
                total += p[c];
            }
            double u = random.nextDouble() * total;
            int label = 0;
            while (label < k - 1 && (u -= p[label]) > 0) {
                label++;
            }
            labels[row] = label;
        }
        return labels;
    }

    /** Values uniform in [-1, 1), labels uniform, every class present when n >= k. */
    public static DenseDataset randomDense(int n, int d, int k, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n * d];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (2 * random.nextDouble() - 1);
        }
        return new DenseDataset(values, labels(n, k, random), d, classNames(k), "random dense");
    }

    /** Each bit on with probability 0.323 (the digits' density). */
    public static BinaryDataset randomBinary(int n, int d, int k, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n * d];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble() < 0.323 ? 1f : 0f;
        }
        return BinaryDataset.pack(new DenseDataset(values, labels(n, k, random), d, classNames(k), "random binary"));
    }

    private static int[] labels(int n, int k, SplittableRandom random) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i < k ? i : random.nextInt(k);
        }
        return labels;
    }

    /** 0..n-1 in an order shuffled by seed (Fisher–Yates). */
    public static int[] shuffled(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    public static double[] toDouble(float[] values) {
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }
}
