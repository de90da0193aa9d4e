package org.softmax4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Parameters;

/**
 * Seeded synthetic data for throughput measurements, drawn like scripts/numpy_baseline.py: binary rows
 * with each bit on with probability 0.323 (the density of the binarized digits), dense rows uniform in [0, 1), labels
 * uniform, W and b from 0.01·N(0, 1).
 */
public final class SyntheticData {
    /** The share of 1 bits in the binarized digits. */
    public static final double BIT_DENSITY = 0.323;

    private SyntheticData() {
    }

    public static List<String> classNames(int numClasses) {
        List<String> names = new ArrayList<>(numClasses);
        for (int k = 0; k < numClasses; k++) {
            names.add(Integer.toString(k));
        }
        return names;
    }

    /** Packed directly: 10^7 rows of 64 features never exist as floats. */
    public static BinaryDataset binary(int numExamples, int numFeatures, int numClasses, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int perRow = BinaryDataset.wordsPerRow(numFeatures);
        long[] words = new long[Math.multiplyExact(numExamples, perRow)];
        // A bit is on when a 16-bit draw is below 0.323 · 2^16: four bits per 64-bit draw.
        int threshold = (int) Math.round(BIT_DENSITY * 65536);
        for (int n = 0; n < numExamples; n++) {
            for (int j = 0; j < numFeatures; j += 4) {
                long draw = random.nextLong();
                for (int b = 0; b < 4 && j + b < numFeatures; b++) {
                    if ((int) (draw >>> (16 * b) & 0xFFFF) < threshold) {
                        int feature = j + b;
                        words[n * perRow + (feature >>> 6)] |= 1L << (feature & 63);
                    }
                }
            }
        }
        return new BinaryDataset(words, labels(numExamples, numClasses, random), numFeatures,
                classNames(numClasses), "synthetic binary");
    }

    public static DenseDataset dense(int numExamples, int numFeatures, int numClasses, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[Math.multiplyExact(numExamples, numFeatures)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble();
        }
        return new DenseDataset(values, labels(numExamples, numClasses, random), numFeatures,
                classNames(numClasses), "synthetic dense");
    }

    private static int[] labels(int numExamples, int numClasses, SplittableRandom random) {
        int[] labels = new int[numExamples];
        for (int n = 0; n < numExamples; n++) {
            labels[n] = random.nextInt(numClasses);
        }
        return labels;
    }

    public static Parameters parameters(int numClasses, int numFeatures, long seed) {
        return Parameters.random(numClasses, numFeatures, 0.01, seed);
    }
}
