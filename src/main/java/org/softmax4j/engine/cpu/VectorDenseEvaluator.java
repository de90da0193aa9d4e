package org.softmax4j.engine.cpu;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Parameters;

/**
 * The dense path of {@link DenseEvaluator} with SIMD registers (the Vector API): each logit is a dot product of a row
 * of W with x, LANES features per fused multiply-add, four examples at a time (each load of W serves four), and
 * the gradient tile is updated four examples at a time (G_k += Σ r_ik·x_i), which quarters its loads and stores. The tile is flushed into the chunk's double gradient
 * every {@link #TILE} examples, as in the scalar path. Only loaded when jdk.incubator.vector is present.
 */
final class VectorDenseEvaluator extends ChunkedEvaluator {
    private static final int TILE = 256;
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private final float[] values;
    private final int[] labels;
    /** Features that fill whole registers; the rest are handled one by one. */
    private final int vectorFeatures;
    /** Per worker: logits, then residuals, of the four examples in flight, K each. */
    private final float[][] residuals;
    /** Per worker: the rows of the four examples in flight (padded apart: written by different threads). */
    private final int[][] quads;
    /** Per worker: the K×D float gradient of the tile. */
    private final float[][] tiles;

    VectorDenseEvaluator(WorkerPool pool, DenseDataset data) {
        super(pool, data);
        this.values = data.values();
        this.labels = data.labels();
        this.vectorFeatures = SPECIES.loopBound(numFeatures);
        this.residuals = perWorker(pool.threads(), 4 * numClasses);
        this.tiles = new float[pool.threads()][numClasses * numFeatures];
        this.quads = new int[pool.threads()][32];
    }

    @Override
    protected void prepare(Parameters parameters) {
        VectorPaths.otherThanBinaryDouble();
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

    /**
     * The logits of four rows at once, into z[0..K), z[K..2K), z[2K..3K), z[3K..4K): each load of W serves four
     * multiply-adds. Per lane, each row's sum runs in the same order as {@link #logitsOf}, so the results are equal.
     */
    private void logitsOf4(int xA, int xB, int xC, int xD, float[] weights, float[] bias, float[] z) {
        int d = numFeatures;
        int classes = numClasses;
        for (int k = 0; k < classes; k++) {
            int w = k * d;
            FloatVector sumA = FloatVector.zero(SPECIES);
            FloatVector sumB = sumA;
            FloatVector sumC = sumA;
            FloatVector sumD = sumA;
            int j = 0;
            for (; j < vectorFeatures; j += SPECIES.length()) {
                FloatVector row = FloatVector.fromArray(SPECIES, weights, w + j);
                sumA = row.fma(FloatVector.fromArray(SPECIES, values, xA + j), sumA);
                sumB = row.fma(FloatVector.fromArray(SPECIES, values, xB + j), sumB);
                sumC = row.fma(FloatVector.fromArray(SPECIES, values, xC + j), sumC);
                sumD = row.fma(FloatVector.fromArray(SPECIES, values, xD + j), sumD);
            }
            float tailA = 0f;
            float tailB = 0f;
            float tailC = 0f;
            float tailD = 0f;
            for (; j < d; j++) {
                float weight = weights[w + j];
                tailA += weight * values[xA + j];
                tailB += weight * values[xB + j];
                tailC += weight * values[xC + j];
                tailD += weight * values[xD + j];
            }
            z[k] = bias[k] + (sumA.reduceLanes(VectorOperators.ADD) + tailA);
            z[classes + k] = bias[k] + (sumB.reduceLanes(VectorOperators.ADD) + tailB);
            z[2 * classes + k] = bias[k] + (sumC.reduceLanes(VectorOperators.ADD) + tailC);
            z[3 * classes + k] = bias[k] + (sumD.reduceLanes(VectorOperators.ADD) + tailD);
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
            for (int position = tileStart; position < tileEnd; position += 4) {
                // Four examples at a time; past the end of the tile the last one stands in, with zero residuals.
                int count = Math.min(4, tileEnd - position);
                int rowA = order == null ? position : order[position];
                int rowB = count > 1 ? (order == null ? position + 1 : order[position + 1]) : rowA;
                int rowC = count > 2 ? (order == null ? position + 2 : order[position + 2]) : rowB;
                int rowD = count > 3 ? (order == null ? position + 3 : order[position + 3]) : rowC;
                logitsOf4(rowA * d, rowB * d, rowC * d, rowD * d, weights, bias, r);
                int[] rows = quads[worker];
                rows[0] = rowA;
                rows[1] = rowB;
                rows[2] = rowC;
                rows[3] = rowD;
                for (int i = 0; i < 4; i++) {
                    int at = i * classes;
                    if (i >= count) {
                        Arrays.fill(r, at, at + classes, 0f);
                        continue;
                    }
                    int label = labels[rows[i]];
                    if (Softmax.argmax(r, at, classes) == label) {
                        correct++;
                    }
                    logLikelihood += Softmax.residuals(r, at, classes, label);
                }
                for (int k = 0; k < classes; k++) {
                    gradient[biasOffset + k] += (r[k] + r[classes + k]) + (r[2 * classes + k] + r[3 * classes + k]);
                }
                addOuterProducts(tile, r, rowA * d, rowB * d, rowC * d, rowD * d);
            }
            for (int i = 0; i < biasOffset; i++) {
                gradient[i] += tile[i];
            }
        }
        record(chunk, logLikelihood, correct);
    }

    /** tile[k][:] += r[k]·x_a + r[K + k]·x_b + r[2K + k]·x_c + r[3K + k]·x_d for every class k. */
    private void addOuterProducts(float[] tile, float[] r, int xA, int xB, int xC, int xD) {
        int d = numFeatures;
        int classes = numClasses;
        for (int k = 0; k < classes; k++) {
            float ra = r[k];
            float rb = r[classes + k];
            float rc = r[2 * classes + k];
            float rd = r[3 * classes + k];
            int g = k * d;
            int j = 0;
            for (; j < vectorFeatures; j += SPECIES.length()) {
                FloatVector.fromArray(SPECIES, values, xA + j).mul(ra)
                        .add(FloatVector.fromArray(SPECIES, values, xB + j).mul(rb))
                        .add(FloatVector.fromArray(SPECIES, values, xC + j).mul(rc)
                                .add(FloatVector.fromArray(SPECIES, values, xD + j).mul(rd)))
                        .add(FloatVector.fromArray(SPECIES, tile, g + j))
                        .intoArray(tile, g + j);
            }
            for (; j < d; j++) {
                tile[g + j] += (ra * values[xA + j] + rb * values[xB + j]) + (rc * values[xC + j] + rd * values[xD + j]);
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
            Softmax.probabilities(z, numClasses);
            System.arraycopy(z, 0, out, row * numClasses, numClasses);
        }
    }
}
