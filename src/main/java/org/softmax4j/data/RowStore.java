package org.softmax4j.data;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;

// Rows of a data set as they are read, in blocks that are filled in place and never grown. Rows are kept bit-packed
// while every value seen is 0 or 1, and unpacked to floats once, when the first other value arrives (unless the caller
// fixed the storage). Labels are stored as the data set will hold them: a byte each beside bit-packed rows (widened to
// ints if a label id past 255 arrives), an int each beside float rows.
//
// Memory. When the number of rows is known before reading (CsvReader counts the lines of a regular file first), the
// first block holds exactly that many rows and becomes the data set's array as it is: loading takes the data set's
// bytes plus the reader's fixed buffers. Otherwise (a pipe, a stream) blocks are added as rows come, 16 rows at first
// and doubling up to BLOCK_BYTES, and copied once into arrays of the exact size at the end: a peak of twice the data
// set's bytes, where arrays grown by half and trimmed at the end reached about 2.5 times.
final class RowStore {
    // The longest Java array we ask for; a few words below Integer.MAX_VALUE, as the JDK's own collections do.
    static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;
    // The largest block of a store of unknown size: large enough that the list of blocks stays short (300 blocks for
    // 300 MB), small enough that the unused end of the last one does not count.
    private static final int BLOCK_BYTES = 1 << 20;
    private static final int FIRST_BLOCK_ROWS = 16;

    private final int numFeatures;
    private final int wordsPerRow;
    private final boolean keepLabels;
    // The number of rows to come, or 0 when unknown.
    private final int expectedRows;
    private boolean binary;
    private boolean byteLabels;
    // Every block so far (long[] or float[] rows, byte[] or int[] labels); all but the last are full.
    private final List<Object> rowBlocks = new ArrayList<>();
    private final List<Object> labelBlocks = new ArrayList<>();
    // The last block, typed, and where it starts and ends in rows.
    private long[] words;
    private float[] values;
    private byte[] labelBytes;
    private int[] labelInts;
    private int blockStart;
    private int blockEnd;
    private int size;

    // binary: start bit-packed (add() unpacks when a row is not 0/1). keepLabels: false when every label is 0 (rows to
    // predict), so that no labels are stored. expectedRows: the number of rows to come when known, else 0; a wrong
    // count costs only memory (one more copy), never rows.
    RowStore(int numFeatures, boolean binary, boolean keepLabels, int expectedRows) {
        this.numFeatures = numFeatures;
        this.wordsPerRow = BinaryDataset.wordsPerRow(numFeatures);
        this.binary = binary;
        this.byteLabels = binary;
        this.keepLabels = keepLabels;
        this.expectedRows = Math.max(0, expectedRows);
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
        if (binary && !rowIsBinary && !unpack()) {
            return false;
        }
        if (size == blockEnd && !addBlock()) {
            return false;
        }
        int r = size - blockStart;
        if (binary) {
            // Word by word without branches on the bits, which are as good as random to the branch predictor.
            int base = r * wordsPerRow;
            for (int w = 0; w < wordsPerRow; w++) {
                long word = 0;
                int last = Math.min(numFeatures, 64 * w + 64);
                for (int j = 64 * w; j < last; j++) {
                    word |= (row[j] != 0f ? 1L : 0L) << (j & 63);
                }
                words[base + w] = word;
            }
        } else {
            System.arraycopy(row, 0, values, r * numFeatures, numFeatures);
        }
        if (keepLabels) {
            if (byteLabels && label > 0xFF) {
                widenLabels();
            }
            if (byteLabels) {
                labelBytes[r] = (byte) label;
            } else {
                labelInts[r] = label;
            }
        }
        size++;
        return true;
    }

    private int rowLength() {
        return binary ? wordsPerRow : numFeatures;
    }

    private boolean addBlock() {
        int maxRows = MAX_ARRAY_LENGTH / rowLength();
        if (size >= maxRows) {
            return false;
        }
        int rows;
        if (size == 0 && expectedRows > 0) {
            rows = expectedRows;
        } else {
            int rowBytes = rowLength() * (binary ? Long.BYTES : Float.BYTES);
            rows = Math.min(Math.max(FIRST_BLOCK_ROWS, size), Math.max(1, BLOCK_BYTES / rowBytes));
        }
        rows = Math.min(rows, maxRows - size);
        if (binary) {
            words = new long[rows * wordsPerRow];
            rowBlocks.add(words);
        } else {
            values = new float[rows * numFeatures];
            rowBlocks.add(values);
        }
        if (keepLabels) {
            if (byteLabels) {
                labelBytes = new byte[rows];
                labelBlocks.add(labelBytes);
            } else {
                labelInts = new int[rows];
                labelBlocks.add(labelInts);
            }
        }
        blockStart = size;
        blockEnd = size + rows;
        return true;
    }

    // Each block of words becomes a block of floats for as many rows (the last one cut to what one array holds), and
    // the labels become ints: peak memory is the floats plus the words, a 32nd of them or less for 64 features or more.
    private boolean unpack() {
        int maxRows = MAX_ARRAY_LENGTH / numFeatures;
        if (size > maxRows) {
            return false;
        }
        int start = 0;
        for (int b = 0; b < rowBlocks.size(); b++) {
            long[] packed = (long[]) rowBlocks.get(b);
            int rows = Math.min(packed.length / wordsPerRow, maxRows - start);
            float[] unpacked = new float[rows * numFeatures];
            int filled = Math.min(rows, size - start);
            for (int n = 0; n < filled; n++) {
                int base = n * wordsPerRow;
                for (int j = 0; j < numFeatures; j++) {
                    if ((packed[base + (j >>> 6)] >>> (j & 63) & 1L) != 0) {
                        unpacked[n * numFeatures + j] = 1f;
                    }
                }
            }
            rowBlocks.set(b, unpacked);
            values = unpacked;
            start += rows;
        }
        if (!rowBlocks.isEmpty()) {
            blockEnd = blockStart + values.length / numFeatures;
        }
        words = null;
        binary = false;
        if (byteLabels) {
            widenLabels();
        }
        return true;
    }

    private void widenLabels() {
        for (int b = 0; b < labelBlocks.size(); b++) {
            byte[] narrow = (byte[]) labelBlocks.get(b);
            int[] wide = new int[narrow.length];
            for (int n = 0; n < narrow.length; n++) {
                wide[n] = narrow[n] & 0xFF;
            }
            labelBlocks.set(b, wide);
            labelInts = wide;
        }
        labelBytes = null;
        byteLabels = false;
    }

    // The rows read, in arrays of exactly their size: the one block itself when it is full, else a copy of the blocks.
    // classOf maps the stored label ids to the class indices of classNames; null keeps them.
    Dataset toDataset(int[] classOf, List<String> classNames, String source) {
        if (byteLabels && classNames.size() > 256) {
            widenLabels();
        }
        Object labels;
        if (keepLabels) {
            labels = joined(labelBlocks, byteLabels ? byte.class : int.class, 1);
            if (classOf != null) {
                relabel(labels, classOf);
            }
        } else {
            labels = binary && classNames.size() <= 256 ? new byte[size] : new int[size];
        }
        words = null;
        values = null;
        labelBytes = null;
        labelInts = null;
        if (binary) {
            long[] packed = (long[]) joined(rowBlocks, long.class, wordsPerRow);
            return labels instanceof byte[] bytes ? new BinaryDataset(packed, bytes, numFeatures, classNames, source)
                    : new BinaryDataset(packed, (int[]) labels, numFeatures, classNames, source);
        }
        float[] floats = (float[]) joined(rowBlocks, float.class, numFeatures);
        return new DenseDataset(floats, (int[]) labels, numFeatures, classNames, source);
    }

    private static void relabel(Object labels, int[] classOf) {
        if (labels instanceof byte[] bytes) {
            for (int n = 0; n < bytes.length; n++) {
                bytes[n] = (byte) classOf[bytes[n] & 0xFF];
            }
        } else {
            int[] ints = (int[]) labels;
            for (int n = 0; n < ints.length; n++) {
                ints[n] = classOf[ints[n]];
            }
        }
    }

    // The first size rows of blocks (arrays of elementType) in one array; each block is dropped as soon as it is copied.
    private Object joined(List<Object> blocks, Class<?> elementType, int rowLength) {
        int length = size * rowLength;
        if (blocks.size() == 1 && Array.getLength(blocks.get(0)) == length) {
            Object only = blocks.get(0);
            blocks.clear();
            return only;
        }
        Object joined = Array.newInstance(elementType, length);
        int copied = 0;
        for (int b = 0; b < blocks.size() && copied < length; b++) {
            int blockLength = Math.min(Array.getLength(blocks.get(b)), length - copied);
            System.arraycopy(blocks.get(b), 0, joined, copied, blockLength);
            blocks.set(b, null);
            copied += blockLength;
        }
        blocks.clear();
        return joined;
    }
}
