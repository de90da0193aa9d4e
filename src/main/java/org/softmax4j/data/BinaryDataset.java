package org.softmax4j.data;

import java.util.List;

/**
 * Binary (0/1) features packed 64 to a {@code long}: feature j of example n is bit {@code j % 64} of
 * {@code words[n * wordsPerRow + j / 64]}. Bits past the last feature are zero. Labels take one byte each when there
 * are at most 256 classes, else an int: 10^7 rows of 64 features and 10 classes take 80 MB of words plus 10 MB of
 * labels.
 */
public final class BinaryDataset implements Dataset {
    private final long[] words;
    /** The labels, one byte each (read unsigned) when K ≤ 256; null otherwise. */
    private final byte[] byteLabels;
    /** The labels when K > 256; null otherwise. */
    private final int[] intLabels;
    private final int numExamples;
    private final int numFeatures;
    private final int wordsPerRow;
    private final List<String> classNames;
    private final String source;

    public BinaryDataset(long[] words, int[] labels, int numFeatures, List<String> classNames, String source) {
        this(words, classNames.size() <= 256 ? narrowed(labels, classNames.size()) : null,
                classNames.size() <= 256 ? null : checked(labels, classNames.size()), labels.length, numFeatures,
                classNames, source);
    }

    // Labels already one byte each (read unsigned), as the CSV reader stores them: kept, not copied. At most 256
    // classes.
    BinaryDataset(long[] words, byte[] labels, int numFeatures, List<String> classNames, String source) {
        this(words, checked(labels, classNames.size()), null, labels.length, numFeatures, classNames, source);
    }

    private BinaryDataset(long[] words, byte[] byteLabels, int[] intLabels, int numExamples, int numFeatures,
                          List<String> classNames, String source) {
        if (numFeatures < 1) {
            throw new IllegalArgumentException("numFeatures is " + numFeatures + ", expected at least 1");
        }
        this.wordsPerRow = wordsPerRow(numFeatures);
        if ((long) numExamples * wordsPerRow != words.length) {
            throw new IllegalArgumentException("words has " + words.length + " longs, expected " + numExamples
                    + " examples x " + wordsPerRow + " words = " + (long) numExamples * wordsPerRow);
        }
        int tailBits = numFeatures % 64;
        if (tailBits != 0) {
            long padding = -1L << tailBits;
            for (int n = 0; n < numExamples; n++) {
                if ((words[n * wordsPerRow + wordsPerRow - 1] & padding) != 0) {
                    throw new IllegalArgumentException("row " + n + " has bits set past feature " + numFeatures);
                }
            }
        }
        this.words = words;
        this.numExamples = numExamples;
        this.byteLabels = byteLabels;
        this.intLabels = intLabels;
        this.numFeatures = numFeatures;
        this.classNames = List.copyOf(classNames);
        this.source = source;
    }

    private static int[] checked(int[] labels, int numClasses) {
        Labels.check(labels, numClasses);
        return labels;
    }

    private static byte[] checked(byte[] labels, int numClasses) {
        if (numClasses > 256) {
            throw new IllegalArgumentException(numClasses + " classes, expected at most 256 with byte labels");
        }
        Labels.check(labels, numClasses);
        return labels;
    }

    private static byte[] narrowed(int[] labels, int numClasses) {
        Labels.check(labels, numClasses);
        byte[] narrow = new byte[labels.length];
        for (int n = 0; n < labels.length; n++) {
            narrow[n] = (byte) labels[n];
        }
        return narrow;
    }

    /** Number of 64-bit words that hold one row of {@code numFeatures} bits. */
    public static int wordsPerRow(int numFeatures) {
        return (numFeatures + 63) >>> 6;
    }

    /** Packs a dense data set whose values are all exactly 0 or 1. */
    public static BinaryDataset pack(DenseDataset dense) {
        int numFeatures = dense.numFeatures();
        int perRow = wordsPerRow(numFeatures);
        int numExamples = dense.numExamples();
        long[] words = new long[Math.multiplyExact(numExamples, perRow)];
        float[] values = dense.values();
        for (int n = 0; n < numExamples; n++) {
            for (int j = 0; j < numFeatures; j++) {
                float v = values[n * numFeatures + j];
                if (v == 1f) {
                    words[n * perRow + (j >>> 6)] |= 1L << (j & 63);
                } else if (v != 0f) {
                    throw new IllegalArgumentException("example " + n + " feature " + j + " is " + v
                            + ", expected 0 or 1");
                }
            }
        }
        return new BinaryDataset(words, dense.labels(), numFeatures, dense.classNames(), dense.source());
    }

    @Override
    public int numExamples() {
        return numExamples;
    }

    @Override
    public int numFeatures() {
        return numFeatures;
    }

    public int wordsPerRow() {
        return wordsPerRow;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public int label(int example) {
        return byteLabels != null ? byteLabels[example] & 0xFF : intLabels[example];
    }

    @Override
    public float feature(int example, int feature) {
        return (words[example * wordsPerRow + (feature >>> 6)] >>> (feature & 63) & 1L) != 0 ? 1f : 0f;
    }

    /** The packed rows, shared, not copied: callers must not modify them. */
    public long[] words() {
        return words;
    }

    /** The labels as a new int array (40 MB for 10^7 rows): hot loops read {@link #label(int)} instead. */
    public int[] labels() {
        int[] labels = new int[numExamples];
        for (int n = 0; n < numExamples; n++) {
            labels[n] = label(n);
        }
        return labels;
    }

    /** Bytes held: the packed rows and the labels. */
    public long memoryBytes() {
        return 8L * words.length + (byteLabels != null ? byteLabels.length : 4L * intLabels.length);
    }

    /** The same data as float rows. */
    public DenseDataset unpack() {
        float[] values = new float[Math.multiplyExact(numExamples, numFeatures)];
        for (int n = 0; n < numExamples; n++) {
            for (int j = 0; j < numFeatures; j++) {
                values[n * numFeatures + j] = feature(n, j);
            }
        }
        return new DenseDataset(values, labels(), numFeatures, classNames, source);
    }

    @Override
    public BinaryDataset select(int[] examples) {
        long[] selected = new long[Math.multiplyExact(examples.length, wordsPerRow)];
        for (int i = 0; i < examples.length; i++) {
            System.arraycopy(words, examples[i] * wordsPerRow, selected, i * wordsPerRow, wordsPerRow);
        }
        if (byteLabels != null) {
            byte[] selectedLabels = new byte[examples.length];
            for (int i = 0; i < examples.length; i++) {
                selectedLabels[i] = byteLabels[examples[i]];
            }
            return new BinaryDataset(selected, selectedLabels, numFeatures, classNames, source);
        }
        int[] selectedLabels = new int[examples.length];
        for (int i = 0; i < examples.length; i++) {
            selectedLabels[i] = intLabels[examples[i]];
        }
        return new BinaryDataset(selected, selectedLabels, numFeatures, classNames, source);
    }

    @Override
    public String source() {
        return source;
    }
}
