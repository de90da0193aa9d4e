package org.softmax4j.engine.cpu;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Parameters;

/**
 * The dense path of {@link DenseEvaluator} with SIMD registers (the Vector API): each logit is a dot product of a row
 * of W with x, LANES features per fused multiply-add, and the gradient tile is updated two examples at a time
 * (G_k += r_ak·x_a + r_bk·x_b), which halves its loads and stores. The tile is flushed into the chunk's double gradient
 * every {@link #TILE} examples, as in the scalar path. Only loaded when jdk.incubator.vector is present.
 */
final class VectorDenseEvaluator extends ChunkedEvaluator {
    private static final int TILE = 256;
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private final float[] values;
    private final int[] labels;
    /** Features that fill whole registers; the rest are handled one by one. */
    private final int vectorFeatures;
    /** Per worker: residuals of the two examples in flight, [0, K) and [K, 2K). */
    private final float[][] residuals;
    /** Per worker: the K×D float gradient of the tile. */
    private final float[][] tiles;

    VectorDenseEvaluator(WorkerPool pool, DenseDataset data) {
        super(pool, data);
        this.values = data.values();
        this.labels = data.labels();
        this.vectorFeatures = SPECIES.loopBound(numFeatures);
        this.residuals = perWorker(pool.threads(), 2 * numClasses);
        this.tiles = new float[pool.threads()][numClasses * numFeatures];
    }

    @Override
    protected void prepare(Parameters parameters) {
        // Nothing to precompute: the rows of W are used as they are.
    }

    /** z_k = b_k + w_k · x for the row at {@code x}, into {@code z[at..at+K)}. */
    private void logitsOf(int x, float[] weights, float[] bias, float[] z, int at) {
        int d = numFeatures;
        for (int k = 0; k < numClasses; k++) {
            int w = k * d;
            FloatVector sum = FloatVector.zero(SPECIES);
            int j = 0;
            for (; j < vectorFeatures; j += SPECIES.length()) {
                sum = FloatVector.fromArray(SPECIES, weights, w + j)
                        .fma(FloatVector.fromArray(SPECIES, values, x + j), sum);
            }
            float tail = 0f;
            for (; j < d; j++) {
                tail += weights[w + j] * values[x + j];
            }
            z[at + k] = bias[k] + (sum.reduceLanes(VectorOperators.ADD) + tail);
        }
    }

    @Override
    protected void evaluateChunk(int chunk, int[] order, int start, int end, int worker, double[] gradient) {
        int classes = numClasses;
        int d = numFeatures;
        float[] r = residuals[worker];
        float[] tile = tiles[worker];
        float[] weights = parameters.weights();
        float[] bias = parameters.bias();
        int biasOffset = classes * d;
        double logLikelihood = 0;
        long correct = 0;
        for (int tileStart = start; tileStart < end; tileStart += TILE) {
            int tileEnd = Math.min(end, tileStart + TILE);
            Arrays.fill(tile, 0f);
            for (int position = tileStart; position < tileEnd; position += 2) {
                boolean pair = position + 1 < tileEnd;
                int rowA = order == null ? position : order[position];
                int rowB = pair ? (order == null ? position + 1 : order[position + 1]) : rowA;
                int labelA = labels[rowA];
                int labelB = labels[rowB];
                logitsOf(rowA * d, weights, bias, r, 0);
                logitsOf(rowB * d, weights, bias, r, classes);
                if (argmax(r, 0, classes) == labelA) {
                    correct++;
                }
                if (pair && argmax(r, classes, classes) == labelB) {
                    correct++;
                }
                logLikelihood += softmaxResidual(r, 0, classes, labelA);
                double termB = softmaxResidual(r, classes, classes, labelB);
                if (pair) {
                    logLikelihood += termB;
                } else {
                    Arrays.fill(r, classes, 2 * classes, 0f);
                }
                for (int k = 0; k < classes; k++) {
                    gradient[biasOffset + k] += r[k] + r[classes + k];
                }
                addOuterProducts(tile, r, rowA * d, rowB * d);
            }
            for (int i = 0; i < biasOffset; i++) {
                gradient[i] += tile[i];
            }
        }
        record(chunk, logLikelihood, correct);
    }

    /** tile[k][:] += r[k]·x_a + r[K + k]·x_b for every class k. */
    private void addOuterProducts(float[] tile, float[] r, int xA, int xB) {
        int d = numFeatures;
        for (int k = 0; k < numClasses; k++) {
            float ra = r[k];
            float rb = r[numClasses + k];
            int g = k * d;
            int j = 0;
            for (; j < vectorFeatures; j += SPECIES.length()) {
                FloatVector.fromArray(SPECIES, values, xA + j).mul(ra)
                        .add(FloatVector.fromArray(SPECIES, values, xB + j).mul(rb))
                        .add(FloatVector.fromArray(SPECIES, tile, g + j))
                        .intoArray(tile, g + j);
            }
            for (; j < d; j++) {
                tile[g + j] += ra * values[xA + j] + rb * values[xB + j];
            }
        }
    }

    @Override
    protected void probabilitiesChunk(int start, int end, int worker, float[] out) {
        float[] z = residuals[worker];
        float[] weights = parameters.weights();
        float[] bias = parameters.bias();
        for (int row = start; row < end; row++) {
            logitsOf(row * numFeatures, weights, bias, z, 0);
            softmax(z, numClasses);
            System.arraycopy(z, 0, out, row * numClasses, numClasses);
        }
    }
}
