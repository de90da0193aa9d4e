package org.softmax4j.engine.cpu;

import java.util.Arrays;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.engine.Parameters;

/**
 * The bit-packed path. Each row is read a byte (8 features) at a time. For byte position i and byte value v a lookup
 * table holds Σ_{bits j set in v} W[:, 8i + j] (K floats), built once per call from W, so the logits of a row are the
 * bias plus one table row per non-zero byte. The gradient is gathered the same way: the residual y − p of a row is added
 * to an accumulator row for (i, v), in double; at the end of a chunk each accumulator row is spread onto the columns
 * of its set bits. Per example that is about 2·8·K additions and K exponentials instead of 2·D·K multiply-adds.
 */
final class BinaryEvaluator extends ChunkedEvaluator {
    private final long[] words;
    private final BinaryDataset binary;
    private final int wordsPerRow;
    private final int numBytes;
    /** [i][v][k]: Σ of W[k][8i + j] over the bits j set in v. */
    private final float[] table;
    /** Per worker: logits, then residuals, of the current row. */
    private final float[][] logits;
    /** Per worker: [i][v][k] sums of residuals of the chunk's rows whose byte i is v. */
    private final double[][] accumulators;

    BinaryEvaluator(WorkerPool pool, BinaryDataset data) {
        this(pool, data, null);
    }

    BinaryEvaluator(WorkerPool pool, BinaryDataset data, double[] exampleWeights) {
        super(pool, data, exampleWeights);
        this.words = data.words();
        this.binary = data;
        this.wordsPerRow = data.wordsPerRow();
        this.numBytes = (numFeatures + 7) >>> 3;
        this.table = new float[numBytes * 256 * numClasses];
        this.logits = ChunkedEvaluator.perWorker(pool.threads(), numClasses);
        this.accumulators = new double[pool.threads()][numBytes * 256 * numClasses];
    }

    @Override
    protected void prepare(Parameters parameters) {
        BitRows.buildTable(parameters.weights(), numClasses, numFeatures, numBytes, numClasses, table);
    }

    private void logitsOf(int row, float[] bias, float[] z) {
        int classes = numClasses;
        System.arraycopy(bias, 0, z, 0, classes);
        int offset = row * wordsPerRow;
        for (int i = 0; i < numBytes; i++) {
            // A zero byte adds the table's zero row: cheaper than a branch that the data would mispredict.
            int v = BitRows.byteAt(words, offset, i);
            int base = (i * 256 + v) * classes;
            for (int k = 0; k < classes; k++) {
                z[k] += table[base + k];
            }
        }
    }

    @Override
    protected void evaluateChunk(int chunk, int[] order, int start, int end, int worker, double[] gradient) {
        int classes = numClasses;
        float[] z = logits[worker];
        double[] accumulator = accumulators[worker];
        Arrays.fill(accumulator, 0.0);
        float[] bias = parameters.bias();
        int biasOffset = classes * numFeatures;
        double logLikelihood = 0;
        long correct = 0;
        for (int position = start; position < end; position++) {
            int row = order == null ? position : order[position];
            int label = binary.label(row);
            logitsOf(row, bias, z);
            if (Softmax.argmax(z, 0, classes) == label) {
                correct++;
            }
            double term = Softmax.residuals(z, 0, classes, label);
            logLikelihood += exampleWeights == null ? term : weigh(row, z, term);
            for (int k = 0; k < classes; k++) {
                gradient[biasOffset + k] += z[k];
            }
            int offset = row * wordsPerRow;
            for (int i = 0; i < numBytes; i++) {
                int v = BitRows.byteAt(words, offset, i);
                int base = (i * 256 + v) * classes;
                for (int k = 0; k < classes; k++) {
                    accumulator[base + k] += z[k];
                }
            }
        }
        spread(accumulator, gradient);
        record(chunk, logLikelihood, correct);
    }

    /** ∂L/∂W[k][8i + j] = Σ over byte values v with bit j set of accumulator[i][v][k]. */
    private void spread(double[] accumulator, double[] gradient) {
        for (int i = 0; i < numBytes; i++) {
            for (int v = 1; v < 256; v++) {
                BitRows.spread(accumulator, (i * 256 + v) * numClasses, i, v, numClasses, numFeatures, gradient);
            }
        }
    }

    @Override
    protected void probabilitiesChunk(int start, int end, int worker, float[] out) {
        float[] z = logits[worker];
        float[] bias = parameters.bias();
        for (int row = start; row < end; row++) {
            logitsOf(row, bias, z);
            Softmax.probabilities(z, numClasses);
            System.arraycopy(z, 0, out, row * numClasses, numClasses);
        }
    }
}
