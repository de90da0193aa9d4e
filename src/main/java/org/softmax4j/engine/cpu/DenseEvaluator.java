package org.softmax4j.engine.cpu;

import java.util.Arrays;

import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Parameters;

/**
 * The dense float path: logits by dot products with the rows of W, gradient by adding r_k · x to row k of a float
 * tile that is flushed into the chunk's double gradient every {@link #TILE} examples, so that no float sum runs over
 * more than a few hundred terms.
 */
final class DenseEvaluator extends ChunkedEvaluator {
    private static final int TILE = 256;

    private final float[] values;
    private final int[] labels;
    private final float[][] logits;
    private final float[][] tiles;

    DenseEvaluator(WorkerPool pool, DenseDataset data) {
        this(pool, data, null);
    }

    DenseEvaluator(WorkerPool pool, DenseDataset data, double[] exampleWeights) {
        super(pool, data, exampleWeights);
        this.values = data.values();
        this.labels = data.labels();
        this.logits = ChunkedEvaluator.perWorker(pool.threads(), numClasses);
        this.tiles = new float[pool.threads()][numClasses * numFeatures];
    }

    @Override
    protected void prepare(Parameters parameters) {
        // Nothing to precompute: the rows of W are used as they are.
    }

    private void logitsOf(int row, float[] weights, float[] bias, float[] z) {
        int d = numFeatures;
        int x = row * d;
        for (int k = 0; k < numClasses; k++) {
            int w = k * d;
            // Four partial sums: independent chains the CPU can run in parallel.
            float s0 = 0f;
            float s1 = 0f;
            float s2 = 0f;
            float s3 = 0f;
            int j = 0;
            for (; j + 3 < d; j += 4) {
                s0 += weights[w + j] * values[x + j];
                s1 += weights[w + j + 1] * values[x + j + 1];
                s2 += weights[w + j + 2] * values[x + j + 2];
                s3 += weights[w + j + 3] * values[x + j + 3];
            }
            for (; j < d; j++) {
                s0 += weights[w + j] * values[x + j];
            }
            z[k] = bias[k] + ((s0 + s1) + (s2 + s3));
        }
    }

    @Override
    protected void evaluateChunk(int chunk, int[] order, int start, int end, int worker, double[] gradient) {
        int classes = numClasses;
        int d = numFeatures;
        float[] z = logits[worker];
        float[] tile = tiles[worker];
        float[] weights = parameters.weights();
        float[] bias = parameters.bias();
        int biasOffset = classes * d;
        double logLikelihood = 0;
        long correct = 0;
        for (int tileStart = start; tileStart < end; tileStart += TILE) {
            int tileEnd = Math.min(end, tileStart + TILE);
            Arrays.fill(tile, 0f);
            for (int position = tileStart; position < tileEnd; position++) {
                int row = order == null ? position : order[position];
                int label = labels[row];
                logitsOf(row, weights, bias, z);
                if (Softmax.argmax(z, 0, classes) == label) {
                    correct++;
                }
                double term = Softmax.residuals(z, 0, classes, label);
                logLikelihood += exampleWeights == null ? term : weigh(row, z, term);
                int x = row * d;
                for (int k = 0; k < classes; k++) {
                    float r = z[k];
                    gradient[biasOffset + k] += r;
                    int g = k * d;
                    for (int j = 0; j < d; j++) {
                        tile[g + j] += r * values[x + j];
                    }
                }
            }
            for (int i = 0; i < biasOffset; i++) {
                gradient[i] += tile[i];
            }
        }
        record(chunk, logLikelihood, correct);
    }

    @Override
    protected void probabilitiesChunk(int start, int end, int worker, float[] out) {
        float[] z = logits[worker];
        float[] weights = parameters.weights();
        float[] bias = parameters.bias();
        for (int row = start; row < end; row++) {
            logitsOf(row, weights, bias, z);
            Softmax.probabilities(z, numClasses);
            System.arraycopy(z, 0, out, row * numClasses, numClasses);
        }
    }
}
