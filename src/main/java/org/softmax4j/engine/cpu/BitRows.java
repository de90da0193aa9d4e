package org.softmax4j.engine.cpu;

import org.softmax4j.data.BinaryDataset;

/**
 * The bit-packed primitives of the CPU evaluators, in one place. A row of D binary features is {@code wordsPerRow}
 * longs, feature j at bit j % 64 of word j / 64; read a byte (8 features) at a time, byte position i holds features
 * 8i..8i+7. The logits of a row are then the bias plus one lookup-table row per byte position, and the gradient is
 * gathered into one accumulator row per (byte position, byte value), then spread onto the columns of the value's set
 * bits. Used by {@link BinaryEvaluator}, {@link VectorBinaryEvaluator}, {@link DoubleEvaluator} and
 * {@link VectorDoubleBinaryEvaluator}.
 */
final class BitRows {
    private BitRows() {
    }

    /** The byte at position {@code i} (features 8i..8i+7) of the row whose first word is {@code words[offset]}. */
    static int byteAt(long[] words, int offset, int i) {
        return (int) (words[offset + (i >>> 3)] >>> ((i & 7) << 3)) & 0xFF;
    }

    /**
     * The float lookup table of W: for byte position i and byte value v, {@code table[(i·256 + v)·stride + k]} = Σ of
     * W[k][8i + j] over the bits j set in v (k &lt; K; 0 for k in [K, stride) and for features past D). Built by
     * adding one weight to the row of v without its lowest bit, so each row costs K additions.
     *
     * @param stride K, or K padded to whole SIMD registers
     */
    static void buildTable(float[] weights, int numClasses, int numFeatures, int numBytes, int stride, float[] table) {
        buildTable(weights, numClasses, numFeatures, numBytes, stride, table, 0);
    }

    /** {@link #buildTable(float[], int, int, int, int, float[])} into {@code table} from index {@code at}. */
    static void buildTable(float[] weights, int numClasses, int numFeatures, int numBytes, int stride, float[] table,
                           int at) {
        for (int i = 0; i < numBytes; i++) {
            int base = at + i * 256 * stride;
            for (int k = 0; k < stride; k++) {
                table[base + k] = 0f;
            }
            for (int v = 1; v < 256; v++) {
                int feature = 8 * i + Integer.numberOfTrailingZeros(v);
                int row = base + v * stride;
                int previous = base + (v & (v - 1)) * stride;
                for (int k = 0; k < stride; k++) {
                    float w = k < numClasses && feature < numFeatures ? weights[k * numFeatures + feature] : 0f;
                    table[row + k] = table[previous + k] + w;
                }
            }
        }
    }

    /**
     * One row of the double lookup table of θ = [W, b] (K×D row-major): {@code table[(i·256 + v)·stride + k]} = Σ of
     * θ[k][8i + j] over the bits j set in v (k &lt; K), summed from the lowest bit up. The double evaluators build only
     * the rows of byte values that occur in the data, so they build row by row.
     *
     * @param stride K, or K padded to whole SIMD registers (the padding is not written)
     */
    static void buildTableRow(double[] point, int numClasses, int numFeatures, int i, int v, int stride,
                              double[] table) {
        buildTableRow(point, numClasses, numFeatures, i, v, stride, table, 0);
    }

    /** {@link #buildTableRow(double[], int, int, int, int, int, double[])} into a table that starts at {@code at}. */
    static void buildTableRow(double[] point, int numClasses, int numFeatures, int i, int v, int stride,
                              double[] table, int at) {
        int row = at + (i * 256 + v) * stride;
        for (int k = 0; k < numClasses; k++) {
            table[row + k] = 0;
        }
        for (int bits = v; bits != 0; bits &= bits - 1) {
            int w = 8 * i + Integer.numberOfTrailingZeros(bits);
            for (int k = 0; k < numClasses; k++) {
                table[row + k] += point[k * numFeatures + w];
            }
        }
    }

    /**
     * The gradient spread of one accumulator row: ∂L/∂W[k][8i + j] += {@code accumulator[base + k]} for each bit j set
     * in the byte value v, lowest first, stopping at the last feature (padding bits are never set in the data).
     */
    static void spread(double[] accumulator, int base, int i, int v, int numClasses, int numFeatures,
                       double[] gradient) {
        for (int bits = v; bits != 0; bits &= bits - 1) {
            int feature = 8 * i + Integer.numberOfTrailingZeros(bits);
            if (feature >= numFeatures) {
                break;
            }
            for (int k = 0; k < numClasses; k++) {
                gradient[k * numFeatures + feature] += accumulator[base + k];
            }
        }
    }

    /**
     * The byte values other than 0 that occur at each of the first {@code numBytes} byte positions of the data,
     * ascending: the double evaluator reads its table and accumulators only there (the digits use 23 to 45 of the 255
     * per position).
     */
    static int[][] occurringValues(BinaryDataset data, int numBytes) {
        long[] words = data.words();
        int wordsPerRow = data.wordsPerRow();
        boolean[][] seen = new boolean[numBytes][256];
        for (int n = 0; n < data.numExamples(); n++) {
            for (int i = 0; i < numBytes; i++) {
                seen[i][byteAt(words, n * wordsPerRow, i)] = true;
            }
        }
        int[][] values = new int[numBytes][];
        for (int i = 0; i < numBytes; i++) {
            int count = 0;
            for (int v = 1; v < 256; v++) {
                count += seen[i][v] ? 1 : 0;
            }
            values[i] = new int[count];
            for (int v = 1, c = 0; v < 256; v++) {
                if (seen[i][v]) {
                    values[i][c++] = v;
                }
            }
        }
        return values;
    }
}
