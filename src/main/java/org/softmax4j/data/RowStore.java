package org.softmax4j.data;

import java.util.Arrays;
import java.util.List;

// Rows of a data set as they are read, in arrays that grow by half. Rows are kept bit-packed while every value seen is
// 0 or 1, and unpacked to floats once, when the first other value arrives (unless the caller fixed the storage): 10^7
// rows of 64 binary features then take 80 MB of words and 40 MB of labels, not 2.5 GB of floats.
final class RowStore {
    // The longest Java array we ask for; a few words below Integer.MAX_VALUE, as the JDK's own collections do.
    static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private final int numFeatures;
    private final int wordsPerRow;
    private final boolean keepLabels;
    private boolean binary;
    private long[] words;
    private float[] values;
    private int[] labels;
    private int size;
    private int capacity;

    // binary: start bit-packed (add() unpacks when a row is not 0/1). keepLabels: false when every label is 0 (rows to
    // predict), so that no label array is grown.
    RowStore(int numFeatures, boolean binary, boolean keepLabels) {
        this.numFeatures = numFeatures;
        this.wordsPerRow = BinaryDataset.wordsPerRow(numFeatures);
        this.binary = binary;
        this.keepLabels = keepLabels;
        this.words = binary ? new long[0] : null;
        this.values = binary ? null : new float[0];
        this.labels = new int[0];
    }

    int size() {
        return size;
    }

    boolean isBinary() {
        return binary;
    }

    // Appends one row; rowIsBinary says whether every value of row is 0 or 1. False when one more row
    // would not fit in a Java array.
    boolean add(float[] row, boolean rowIsBinary, int label) {
        if (binary && !rowIsBinary) {
            if ((long) capacity * numFeatures > MAX_ARRAY_LENGTH) {
                capacity = size;
            }
            if ((long) size * numFeatures > MAX_ARRAY_LENGTH) {
                return false;
            }
            unpack();
        }
        if (size == capacity && !grow()) {
            return false;
        }
        if (binary) {
            // Word by word without branches on the bits, which are as good as random to the branch predictor.
            int base = size * wordsPerRow;
            for (int w = 0; w < wordsPerRow; w++) {
                long word = 0;
                int last = Math.min(numFeatures, 64 * w + 64);
                for (int j = 64 * w; j < last; j++) {
                    word |= (row[j] != 0f ? 1L : 0L) << (j & 63);
                }
                words[base + w] = word;
            }
        } else {
            System.arraycopy(row, 0, values, size * numFeatures, numFeatures);
        }
        if (keepLabels) {
            labels[size] = label;
        }
        size++;
        return true;
    }

    private boolean grow() {
        long rowLength = binary ? wordsPerRow : numFeatures;
        long maxRows = MAX_ARRAY_LENGTH / rowLength;
        if (size >= maxRows) {
            return false;
        }
        int newCapacity = (int) Math.min(maxRows, Math.max(16L, capacity + (capacity >> 1)));
        if (binary) {
            words = Arrays.copyOf(words, newCapacity * wordsPerRow);
        } else {
            values = Arrays.copyOf(values, newCapacity * numFeatures);
        }
        if (keepLabels) {
            labels = Arrays.copyOf(labels, newCapacity);
        }
        capacity = newCapacity;
        return true;
    }

    private void unpack() {
        float[] unpacked = new float[capacity * numFeatures];
        for (int n = 0; n < size; n++) {
            int base = n * wordsPerRow;
            for (int j = 0; j < numFeatures; j++) {
                if ((words[base + (j >>> 6)] >>> (j & 63) & 1L) != 0) {
                    unpacked[n * numFeatures + j] = 1f;
                }
            }
        }
        if (keepLabels && labels.length != capacity) {
            labels = Arrays.copyOf(labels, capacity);
        }
        values = unpacked;
        words = null;
        binary = false;
    }

    // The rows read, in arrays of exactly their size. classOf maps the stored label ids to the class indices of
    // classNames; null keeps them.
    Dataset toDataset(int[] classOf, List<String> classNames, String source) {
        int[] finalLabels = keepLabels ? Arrays.copyOf(labels, size) : new int[size];
        if (classOf != null) {
            for (int n = 0; n < size; n++) {
                finalLabels[n] = classOf[finalLabels[n]];
            }
        }
        labels = null;
        if (binary) {
            long[] finalWords = words.length == size * wordsPerRow ? words : Arrays.copyOf(words, size * wordsPerRow);
            words = null;
            return new BinaryDataset(finalWords, finalLabels, numFeatures, classNames, source);
        }
        float[] finalValues = values.length == size * numFeatures ? values : Arrays.copyOf(values, size * numFeatures);
        values = null;
        return new DenseDataset(finalValues, finalLabels, numFeatures, classNames, source);
    }
}
