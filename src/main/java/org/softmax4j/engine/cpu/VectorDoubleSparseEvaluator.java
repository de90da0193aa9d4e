package org.softmax4j.engine.cpu;

import java.util.Arrays;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

import org.softmax4j.data.DenseDataset;

/**
 * Dense rows that are mostly zeros, in double, by their non-zeros alone ({@link SparseRows}, packed once): the path
 * {@link DoubleEvaluator} takes for such data (see {@link SparseRows#choose}). Work per row: its non-zeros × K for
 * the logits and again for the gradient, where the dense path ({@link VectorDoubleDenseEvaluator}) does D × K.
 *
 * <p>Logits, row by row (the rows' copy): W is copied transposed, D × K' (K' = K rounded up to the register's lanes,
 * the padding 0), once per evaluation, so that a non-zero x_nj reads the K weights of feature j as whole registers;
 * z_n = b + Σ_j x_nj W_j over the row's non-zeros in feature order, alternating between two accumulators (even and odd
 * non-zeros: two chains of fused multiply-adds in flight), added at the end: a function of the row alone. Residuals
 * ω(y − p) as {@link DoubleEvaluator} computes them, the chunk's rows held (chunk rows × K'). Gradient, feature by
 * feature (the block's by-feature copy): G_j = Σ_n x_nj r_n over the chunk's rows that have feature j, in row order,
 * even and odd ones apart, then added; the sums stay in registers, so that nothing is written per non-zero (a
 * row-by-row scatter G_j += x_nj r_n, read, add, write per non-zero, cost 1.7 times the logits: docs/PERFORMANCE.md,
 * "Sparse rows in double").
 *
 * <p>Threads: chunks of {@link #CHUNK_SIZE} rows, their slots added in chunk order ({@link DoubleChunks}): bitwise the
 * same for every thread count. Buffers are allocated once, at construction.
 */
final class VectorDoubleSparseEvaluator extends DoubleChunks {
    /**
     * Rows per result slot: the unit of the fixed-order reduction. Their residuals, 2,048 × K' doubles (256 KiB at
     * K' = 16), stay in a core's L2 between the logits and the gradient.
     */
    static final int CHUNK_SIZE = 2048;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_MAX;
    private static final int LANES = DOUBLES.length();

    private final SparseRows sparse;
    private final int[] labels;
    private final double[] exampleWeights;
    /** K rounded up to a multiple of LANES. */
    private final int paddedClasses;
    /** W transposed, [feature][paddedClasses], the padding 0. */
    private final double[] transposed;
    /** b, copied at each evaluation. */
    private final double[] bias;
    /** Per worker: the chunk's logits, then residuals, [row][paddedClasses] (the padding 0 as residuals). */
    private final double[][] residuals;
    /** Per worker: one feature's gradient, [paddedClasses]. */
    private final double[][] featureGradients;

    /**
     * @param sparse         the non-zeros of {@code data} ({@link SparseRows#choose}), in blocks of
     *                       {@link #rowsPerChunk}
     * @param exampleWeights ω_n per example (owned by the caller, not modified), or null for all 1
     * @param parallel       whether to run the chunks on the pool (else on the caller's thread; same result)
     */
    VectorDoubleSparseEvaluator(DenseDataset data, SparseRows sparse, double[] exampleWeights, WorkerPool pool,
                                boolean parallel) {
        super(data.numExamples(), data.numFeatures(), data.numClasses(), CHUNK_SIZE, data.numClasses(), pool,
                parallel);
        if (sparse.blockRows != rowsPerChunk(numExamples) || sparse.stride != paddedClasses(numClasses)) {
            throw new IllegalArgumentException("blocks of " + sparse.blockRows + " rows, stride " + sparse.stride
                    + ", expected " + rowsPerChunk(numExamples) + " and " + paddedClasses(numClasses));
        }
        this.sparse = sparse;
        this.labels = data.labels();
        this.exampleWeights = exampleWeights;
        this.paddedClasses = paddedClasses(numClasses);
        this.transposed = new double[numFeatures * paddedClasses];
        this.bias = new double[numClasses];
        this.residuals = new double[pool.threads()][sparse.blockRows * paddedClasses];
        this.featureGradients = new double[pool.threads()][paddedClasses];
    }

    /** K rounded up to a multiple of the register's lanes: the stride of {@link SparseRows} for this path. */
    static int paddedClasses(int numClasses) {
        return (numClasses + LANES - 1) / LANES * LANES;
    }

    /** The rows of a chunk (and a block of the by-feature copy) for N rows. */
    static int rowsPerChunk(int numExamples) {
        return rowsPerChunk(numExamples, CHUNK_SIZE);
    }

    @Override
    protected void prepare(double[] point) {
        VectorPaths.otherThanBinaryDouble();
        int d = numFeatures;
        int padded = paddedClasses;
        for (int k = 0; k < numClasses; k++) {
            int w = k * d;
            for (int j = 0; j < d; j++) {
                transposed[j * padded + k] = point[w + j];
            }
        }
        System.arraycopy(point, numClasses * d, bias, 0, numClasses);
    }

    @Override
    protected void evaluateChunk(int chunk, int start, int end, int worker, double[] slot) {
        int classes = numClasses;
        int padded = paddedClasses;
        double[] z = residuals[worker];
        Arrays.fill(slot, biasAt, biasAt + classes, 0.0);
        int[] starts = sparse.rowStarts;
        double logLikelihood = 0;
        long correct = 0;
        for (int n = start; n < end; n++) {
            int from = starts[n];
            int to = starts[n + 1];
            int at = (n - start) * padded;
            sum(sparse.features, sparse.rowValues, transposed, from, to, z, at);
            for (int k = 0; k < classes; k++) {
                z[at + k] += bias[k];
            }
            int label = labels[n];
            if (Softmax.argmax(z, at, classes) == label) {
                correct++;
            }
            logLikelihood += Softmax.residuals(z, at, classes, label,
                    exampleWeights == null ? 1.0 : exampleWeights[n]);
            for (int k = classes; k < padded; k++) {
                z[at + k] = 0;
            }
            for (int k = 0; k < classes; k++) {
                slot[biasAt + k] += z[at + k];
            }
        }
        int d = numFeatures;
        int[] columnStarts = sparse.columnStarts;
        int base = chunk * (d + 1);
        double[] g = featureGradients[worker];
        for (int j = 0; j < d; j++) {
            int from = columnStarts[base + j];
            int to = columnStarts[base + j + 1];
            sum(sparse.rows, sparse.columnValues, z, from, to, g, 0);
            for (int k = 0; k < classes; k++) {
                slot[k * d + j] = g[k];
            }
        }
        record(chunk, logLikelihood, correct);
    }

    /**
     * out[at .. at + K') ← Σ over the entries p in [from, to) of values[p] · matrix[offsets[p] .. + K'], two registers
     * of classes at a time. The logits: a row's non-zeros, W transposed (offsets: feature × K'); the gradient: a
     * feature's non-zeros in a chunk, the chunk's residuals (offsets: row × K').
     */
    private void sum(int[] offsets, float[] values, double[] matrix, int from, int to, double[] out, int at) {
        int padded = paddedClasses;
        for (int k = 0; k < padded; k += 2 * LANES) {
            if (k + LANES < padded) {
                sumPair(offsets, values, matrix, k, from, to, out, at + k);
            } else {
                sumSingle(offsets, values, matrix, k, from, to, out, at + k);
            }
        }
    }

    /**
     * out[at .. at + 2·LANES) ← Σ_p values[p] · matrix[offsets[p] + k .. + 2·LANES), even and odd entries apart,
     * then added.
     */
    private static void sumPair(int[] offsets, float[] values, double[] matrix, int k, int from, int to,
                                double[] out, int at) {
        DoubleVector a0 = DoubleVector.zero(DOUBLES);
        DoubleVector a1 = a0;
        DoubleVector b0 = a0;
        DoubleVector b1 = a0;
        int p = from;
        for (; p + 1 < to; p += 2) {
            int ma = offsets[p] + k;
            int mb = offsets[p + 1] + k;
            DoubleVector va = DoubleVector.broadcast(DOUBLES, values[p]);
            DoubleVector vb = DoubleVector.broadcast(DOUBLES, values[p + 1]);
            a0 = DoubleVector.fromArray(DOUBLES, matrix, ma).fma(va, a0);
            a1 = DoubleVector.fromArray(DOUBLES, matrix, ma + LANES).fma(va, a1);
            b0 = DoubleVector.fromArray(DOUBLES, matrix, mb).fma(vb, b0);
            b1 = DoubleVector.fromArray(DOUBLES, matrix, mb + LANES).fma(vb, b1);
        }
        if (p < to) {
            int ma = offsets[p] + k;
            DoubleVector va = DoubleVector.broadcast(DOUBLES, values[p]);
            a0 = DoubleVector.fromArray(DOUBLES, matrix, ma).fma(va, a0);
            a1 = DoubleVector.fromArray(DOUBLES, matrix, ma + LANES).fma(va, a1);
        }
        a0.add(b0).intoArray(out, at);
        a1.add(b1).intoArray(out, at + LANES);
    }

    /** {@link #sumPair} for one register, out[at .. at + LANES). */
    private static void sumSingle(int[] offsets, float[] values, double[] matrix, int k, int from, int to,
                                  double[] out, int at) {
        DoubleVector a0 = DoubleVector.zero(DOUBLES);
        DoubleVector b0 = a0;
        int p = from;
        for (; p + 1 < to; p += 2) {
            a0 = DoubleVector.fromArray(DOUBLES, matrix, offsets[p] + k)
                    .fma(DoubleVector.broadcast(DOUBLES, values[p]), a0);
            b0 = DoubleVector.fromArray(DOUBLES, matrix, offsets[p + 1] + k)
                    .fma(DoubleVector.broadcast(DOUBLES, values[p + 1]), b0);
        }
        if (p < to) {
            a0 = DoubleVector.fromArray(DOUBLES, matrix, offsets[p] + k)
                    .fma(DoubleVector.broadcast(DOUBLES, values[p]), a0);
        }
        a0.add(b0).intoArray(out, at);
    }
}
