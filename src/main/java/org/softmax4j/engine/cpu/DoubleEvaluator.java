package org.softmax4j.engine.cpu;

import java.util.Arrays;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.DoublePrecisionEvaluator;
import org.softmax4j.engine.Engine;

/**
 * The (weighted) log-likelihood and its gradient computed entirely in double, fast enough to train with: bit-packed
 * rows through lookup tables of double column sums, as in {@link BinaryEvaluator}, dense rows by dot products in
 * double. The quasi-Newton solvers use it for their last iterations ("polish"): the float32 engines carry a relative
 * rounding of about 1e-7 in every residual, which puts a floor under the gradient they can measure (see the README,
 * "Precision"), and a solver cannot drive a gradient below what it can measure.
 *
 * <p>Parameters are one vector θ = [W (K×D, row-major), b (K)], in double, so that the optimum is not rounded to float
 * either.
 *
 * <p>Threads, and why the result is bitwise the same for every thread count: rows are taken in blocks of
 * {@link #BLOCK_SIZE}. For each block, the rows' residuals ω(y − p) (B×K) are computed in fixed chunks of
 * {@link #CHUNK_SIZE} rows (any thread, one slot per chunk for ln p and the correct count, summed in chunk order);
 * then the gradient is accumulated by column groups (a byte position of the bit-packed rows, or a group of dense
 * features, plus one group for the bias), each group by one task that adds the block's rows in row order into its own
 * entries. No sum depends on which thread ran what. No allocation per call.
 *
 * <p>When the Vector API is present, dense rows take {@link VectorDoubleDenseEvaluator} instead (blocked SIMD in
 * double, about an order of magnitude faster than the scalar loops here) and bit-packed rows {@link
 * VectorDoubleBinaryEvaluator} (the softmax across 8 examples per register): the same function, different rounding.
 * Dense rows whose values are mostly zeros (at most {@link SparseRows#MAX_DENSITY} of them non-zero, or as
 * {@code -Dsoftmax4j.sparseRows=auto|true|false} says) take {@link VectorDoubleSparseEvaluator}, over their
 * non-zeros alone.
 */
public final class DoubleEvaluator implements DoublePrecisionEvaluator {
    /** Rows whose residuals are held at once (B×K doubles). */
    public static final int BLOCK_SIZE = 8192;
    /** Rows per task when computing residuals: the unit of the fixed-order sum of ln p. */
    public static final int CHUNK_SIZE = 256;
    /**
     * Blocks smaller than this run on the caller's thread: below it the hand-over to the pool's (spinning) threads
     * costs more than the work saved. The digits' 1,437 rows split: ~0.29 ms per evaluation on one thread, about half
     * on two (measured on a 2-core virtual machine with both cores free). The result is the same either way.
     */
    public static final int PARALLEL_ROWS = 512;
    /** Dense features per gradient task. */
    private static final int FEATURE_GROUP = 16;

    private final Dataset data;
    private final int numClasses;
    private final int numFeatures;
    private final int numExamples;
    private final double[] exampleWeights;
    private final int[] labels;
    private final WorkerPool pool;
    /** Whether {@link #pool} is this evaluator's own (closed with it) or its engine's. */
    private final boolean ownsPool;
    // Binary rows
    private final long[] words;
    private final int wordsPerRow;
    private final int numBytes;
    /** [i][v][k]: Σ of W[k][8i + j] over the bits j set in v. */
    private final double[] table;
    /** Per byte position i: [v][k] sums of residuals of the rows whose byte i is v. */
    private final double[][] accumulators;
    /** Per byte position i: the nonzero byte values that occur there in the data, ascending. */
    private final int[][] occurring;
    /** Per worker: the table offsets of the current row's bytes. */
    private final int[][] byteOffsets;
    // Dense rows
    private final float[] values;
    /** Residuals of the current block, [row − blockStart][k]. */
    private final double[] residuals;
    private final double[] chunkLogLikelihoods;
    private final long[] chunkCorrect;
    private final int numGradientTasks;
    private final Phases phases = new Phases();
    /** The SIMD path of these rows ({@link DoubleSimdPath}), or null for the scalar loops below. */
    private final DoubleSimdPath simdPath;
    private long numCorrect;

    // The call in progress: written by the calling thread before the pool's barrier, read by the workers after it.
    private double[] point;
    private double[] gradient;
    private int blockStart;
    private int blockEnd;
    private boolean lastBlock;

    /** One thread: for references and tests. @param exampleWeights ω_n per example (copied), or null for all 1 */
    public DoubleEvaluator(Dataset data, double[] exampleWeights) {
        this(data, exampleWeights, 1);
    }

    /**
     * @param exampleWeights ω_n per example (copied), or null for all 1
     * @param threads        threads to evaluate with (the caller's included); the result does not depend on it
     */
    public DoubleEvaluator(Dataset data, double[] exampleWeights, int threads) {
        this(data, exampleWeights, threads, true, SparseRows.Mode.fromSystemProperty());
    }

    /** @param simd whether the rows may take a {@link DoubleSimdPath} (false: the scalar loops, for tests) */
    DoubleEvaluator(Dataset data, double[] exampleWeights, int threads, boolean simd) {
        this(data, exampleWeights, threads, simd, SparseRows.Mode.fromSystemProperty());
    }

    /** @param sparseMode whether dense rows take their non-zeros alone ({@link SparseRows#choose}) */
    DoubleEvaluator(Dataset data, double[] exampleWeights, int threads, boolean simd, SparseRows.Mode sparseMode) {
        this(sparseMode, new WorkerPool(Math.max(1, threads)), true, data, exampleWeights, simd);
    }

    /** On the CPU engine's threads ({@link CpuEngine#bindDoublePrecision}): {@code pool} stays open when this closes. */
    DoubleEvaluator(WorkerPool pool, Dataset data, double[] exampleWeights) {
        this(SparseRows.Mode.fromSystemProperty(), pool, false, data, exampleWeights, true);
    }

    /** The mode first: read before the pool's threads start. */
    private DoubleEvaluator(SparseRows.Mode sparseMode, WorkerPool pool, boolean ownsPool, Dataset data,
                            double[] exampleWeights, boolean simd) {
        this.pool = pool;
        this.ownsPool = ownsPool;
        try {
            Engine.checkExampleWeights(data, exampleWeights);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        this.data = data;
        this.numClasses = data.numClasses();
        this.numFeatures = data.numFeatures();
        this.numExamples = data.numExamples();
        this.exampleWeights = exampleWeights == null ? null : exampleWeights.clone();
        // The scalar loops' tables, accumulators and residual block (about 1.5 MB for the bench's binary shape) and
        // their scan of the data exist only when those loops run: the SIMD path keeps its own.
        boolean scalar = !(simd && Vectors.available());
        int blockRows = scalar ? Math.max(1, Math.min(BLOCK_SIZE, numExamples)) : 0;
        this.residuals = new double[blockRows * numClasses];
        int chunks = (blockRows + CHUNK_SIZE - 1) / CHUNK_SIZE;
        this.chunkLogLikelihoods = new double[chunks];
        this.chunkCorrect = new long[chunks];
        if (data instanceof BinaryDataset binary) {
            this.labels = binary.labels();
            this.words = binary.words();
            this.wordsPerRow = binary.wordsPerRow();
            this.numBytes = (numFeatures + 7) >>> 3;
            this.table = scalar ? new double[numBytes * 256 * numClasses] : null;
            this.accumulators = scalar ? new double[numBytes][256 * numClasses] : null;
            this.occurring = scalar ? BitRows.occurringValues(binary, numBytes) : null;
            this.values = null;
            this.numGradientTasks = numBytes + 1;
        } else {
            DenseDataset dense = (DenseDataset) data;
            this.labels = dense.labels();
            this.values = dense.values();
            this.words = null;
            this.wordsPerRow = 0;
            this.numBytes = 0;
            this.table = null;
            this.accumulators = null;
            this.occurring = null;
            this.numGradientTasks = (numFeatures + FEATURE_GROUP - 1) / FEATURE_GROUP + 1;
        }
        this.byteOffsets = new int[scalar ? pool.threads() : 0][numBytes];
        this.simdPath = scalar ? null : simdPath(numExamples >= PARALLEL_ROWS, sparseMode);
    }

    private DoubleSimdPath simdPath(boolean parallel, SparseRows.Mode sparseMode) {
        if (data instanceof BinaryDataset binary) {
            return VectorDoubleBinaryEvaluator.create(binary, exampleWeights, pool, parallel);
        }
        DenseDataset dense = (DenseDataset) data;
        SparseRows sparse = SparseRows.choose(dense, sparseMode,
                VectorDoubleSparseEvaluator.rowsPerChunk(dense.numExamples()),
                VectorDoubleSparseEvaluator.paddedClasses(dense.numClasses()));
        if (sparse != null) {
            return new VectorDoubleSparseEvaluator(dense, sparse, exampleWeights, pool, parallel);
        }
        return new VectorDoubleDenseEvaluator(dense, exampleWeights, pool, parallel);
    }

    /** Whether the SIMD path runs over the rows' non-zeros ({@link VectorDoubleSparseEvaluator}) or all D. */
    boolean sparse() {
        return simdPath instanceof VectorDoubleSparseEvaluator;
    }

    @Override
    public Dataset data() {
        return data;
    }

    @Override
    public int dimension() {
        return numClasses * numFeatures + numClasses;
    }

    @Override
    public int threads() {
        return pool.threads();
    }

    @Override
    public long numCorrect() {
        return numCorrect;
    }

    @Override
    public double evaluate(double[] point, double[] gradient) {
        int dimension = dimension();
        if (point.length != dimension || gradient.length != dimension) {
            throw new IllegalArgumentException("point has " + point.length + " and gradient " + gradient.length
                    + " values, expected " + numClasses + "x" + numFeatures + " + " + numClasses + " = " + dimension);
        }
        Arrays.fill(gradient, 0.0);
        if (simdPath != null) {
            double logLikelihood = simdPath.evaluate(point, gradient);
            numCorrect = simdPath.numCorrect();
            return logLikelihood;
        }
        this.point = point;
        this.gradient = gradient;
        double logLikelihood = 0;
        long correct = 0;
        try {
            if (words != null) {
                run(numBytes, phases.table, numExamples >= PARALLEL_ROWS);
            }
            for (blockStart = 0; blockStart < numExamples; blockStart = blockEnd) {
                blockEnd = Math.min(numExamples, blockStart + BLOCK_SIZE);
                lastBlock = blockEnd == numExamples;
                int chunks = (blockEnd - blockStart + CHUNK_SIZE - 1) / CHUNK_SIZE;
                boolean parallel = blockEnd - blockStart >= PARALLEL_ROWS;
                run(chunks, phases.residuals, parallel);
                for (int c = 0; c < chunks; c++) {
                    logLikelihood += chunkLogLikelihoods[c];
                    correct += chunkCorrect[c];
                }
                run(numGradientTasks, phases.gradient, parallel);
            }
        } finally {
            this.point = null;
            this.gradient = null;
        }
        numCorrect = correct;
        return logLikelihood;
    }

    private void run(int numTasks, WorkerPool.Task task, boolean parallel) {
        if (parallel) {
            pool.run(numTasks, task);
        } else {
            for (int t = 0; t < numTasks; t++) {
                task.run(t, 0);
            }
        }
    }

    /** The three steps of an evaluation, as tasks for the pool. */
    private final class Phases {
        final WorkerPool.Task table = (task, worker) -> buildTable(task);
        final WorkerPool.Task residuals = (task, worker) -> residualChunk(task, worker);
        final WorkerPool.Task gradient = (task, worker) -> {
            if (task == numGradientTasks - 1) {
                biasGradient();
            } else if (words != null) {
                binaryGradient(task);
            } else {
                denseGradient(task);
            }
        };
    }

    /** Byte position i of the table, at the values that occur: row v holds Σ of W[k][8i + j] over the bits j in v. */
    private void buildTable(int i) {
        for (int v : occurring[i]) {
            BitRows.buildTableRow(point, numClasses, numFeatures, i, v, numClasses, table);
        }
    }

    /** Logits, then residuals, of the rows of one chunk of the block into {@link #residuals}. */
    private void residualChunk(int chunk, int worker) {
        int classes = numClasses;
        int[] bases = byteOffsets[worker];
        int biasOffset = classes * numFeatures;
        int start = blockStart + chunk * CHUNK_SIZE;
        int end = Math.min(blockEnd, start + CHUNK_SIZE);
        double[] z = residuals;
        double logLikelihood = 0;
        long correct = 0;
        for (int n = start; n < end; n++) {
            int at = (n - blockStart) * classes;
            System.arraycopy(point, biasOffset, z, at, classes);
            if (words != null) {
                int offset = n * wordsPerRow;
                for (int i = 0; i < numBytes; i++) {
                    int v = BitRows.byteAt(words, offset, i);
                    int base = (i * 256 + v) * classes;
                    for (int k = 0; k < classes; k++) {
                        z[at + k] += table[base + k];
                    }
                }
            } else {
                int d = numFeatures;
                int x = n * d;
                for (int k = 0; k < classes; k++) {
                    int w = k * d;
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        s += point[w + j] * values[x + j];
                    }
                    z[at + k] += s;
                }
            }
            int label = labels[n];
            if (Softmax.argmax(z, at, classes) == label) {
                correct++;
            }
            double weight = exampleWeights == null ? 1.0 : exampleWeights[n];
            logLikelihood += Softmax.residuals(z, at, classes, label, weight);
        }
        chunkLogLikelihoods[chunk] = logLikelihood;
        chunkCorrect[chunk] = correct;
    }

    /**
     * Byte position i: adds the block's residuals, in row order, to the accumulator of each row's byte value; after
     * the last block, ∂L/∂W[k][8i + j] = Σ over byte values v with bit j set of accumulator[v][k].
     */
    private void binaryGradient(int i) {
        int classes = numClasses;
        double[] accumulator = accumulators[i];
        double[] z = residuals;
        if (blockStart == 0) {
            // Only the rows of values that occur are ever written (and row 0, never read).
            Arrays.fill(accumulator, 0, classes, 0.0);
            for (int v : occurring[i]) {
                Arrays.fill(accumulator, v * classes, (v + 1) * classes, 0.0);
            }
        }
        for (int n = blockStart; n < blockEnd; n++) {
            int v = BitRows.byteAt(words, n * wordsPerRow, i);
            int base = v * classes;
            int at = (n - blockStart) * classes;
            for (int k = 0; k < classes; k++) {
                accumulator[base + k] += z[at + k];
            }
        }
        if (!lastBlock) {
            return;
        }
        for (int v : occurring[i]) {
            BitRows.spread(accumulator, v * classes, i, v, classes, numFeatures, gradient);
        }
    }

    /** Dense features [16·group, 16·group + 16): ∂L/∂W[k][j] += Σ_n r_nk x_nj over the block, in row order. */
    private void denseGradient(int group) {
        int classes = numClasses;
        int d = numFeatures;
        int from = group * FEATURE_GROUP;
        int to = Math.min(d, from + FEATURE_GROUP);
        double[] z = residuals;
        for (int n = blockStart; n < blockEnd; n++) {
            int x = n * d;
            int at = (n - blockStart) * classes;
            for (int k = 0; k < classes; k++) {
                double r = z[at + k];
                if (r == 0) {
                    continue;
                }
                int g = k * d;
                for (int j = from; j < to; j++) {
                    gradient[g + j] += r * values[x + j];
                }
            }
        }
    }

    private void biasGradient() {
        int classes = numClasses;
        int biasOffset = classes * numFeatures;
        double[] z = residuals;
        for (int n = blockStart; n < blockEnd; n++) {
            int at = (n - blockStart) * classes;
            for (int k = 0; k < classes; k++) {
                gradient[biasOffset + k] += z[at + k];
            }
        }
    }

    @Override
    public void close() {
        if (ownsPool) {
            pool.close();
        }
    }
}
