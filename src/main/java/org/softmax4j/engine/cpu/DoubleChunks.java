package org.softmax4j.engine.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * What the SIMD double paths ({@link VectorDoubleDenseEvaluator}, {@link VectorDoubleBinaryEvaluator}) share: rows cut
 * into chunks, a function of N alone; each chunk's gradient, ln p sum and correct count in slots of their own, added in
 * chunk order. Bitwise the same for every thread count. Subclasses compute one chunk.
 */
abstract class DoubleChunks implements DoubleSimdPath, WorkerPool.Task {
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_MAX;

    protected final int numExamples;
    protected final int numFeatures;
    protected final int numClasses;
    private final WorkerPool pool;
    private final boolean parallel;
    private final int numChunks;
    private final int rowsPerChunk;
    /** Where ∂L/∂b starts in a chunk's slot: after {@code weightRows} rows of D (K, or K padded; only K are read). */
    protected final int biasAt;
    /** Per chunk: ∂L/∂W (rows of D, row-major), then ∂L/∂b at {@link #biasAt}. */
    private final double[][] chunkGradients;
    private final double[] chunkLogLikelihoods;
    private final long[] chunkCorrect;
    private long numCorrect;

    /**
     * @param chunkSize  rows per chunk (see {@link #numChunks})
     * @param weightRows rows of D in a slot's gradient (K, or K padded for the kernels' convenience)
     * @param parallel   whether to run the chunks on the pool (else on the caller's thread; same result)
     */
    DoubleChunks(int numExamples, int numFeatures, int numClasses, int chunkSize, int weightRows, WorkerPool pool,
                 boolean parallel) {
        this.numExamples = numExamples;
        this.numFeatures = numFeatures;
        this.numClasses = numClasses;
        this.pool = pool;
        this.parallel = parallel;
        this.numChunks = Math.max(1, numChunks(numExamples, chunkSize));
        this.rowsPerChunk = rowsPerChunk(numExamples, chunkSize);
        this.biasAt = weightRows * numFeatures;
        this.chunkGradients = new double[numChunks][biasAt + numClasses];
        this.chunkLogLikelihoods = new double[numChunks];
        this.chunkCorrect = new long[numChunks];
    }

    /**
     * One chunk per {@code chunkSize} rows, but at least min(4, N / 128) so that a few thousand rows (the digits:
     * 1,437) still give every thread work. A function of N alone.
     */
    static int numChunks(int count, int chunkSize) {
        return Math.max((count + chunkSize - 1) / chunkSize, Math.min(4, count / 128));
    }

    /** Rows in each chunk but the last (which may have fewer): ⌈N / numChunks⌉. */
    static int rowsPerChunk(int count, int chunkSize) {
        int chunks = Math.max(1, numChunks(count, chunkSize));
        return Math.max(1, (count + chunks - 1) / chunks);
    }

    @Override
    public final double evaluate(double[] point, double[] gradient) {
        prepare(point);
        try {
            if (parallel) {
                pool.run(numChunks, this);
            } else {
                for (int c = 0; c < numChunks; c++) {
                    run(c, 0);
                }
            }
        } finally {
            finish();
        }
        int weights = numClasses * numFeatures;
        int vectorWeights = DOUBLES.loopBound(weights);
        int lanes = DOUBLES.length();
        double logLikelihood = 0;
        long correct = 0;
        for (int c = 0; c < numChunks; c++) {
            double[] chunk = chunkGradients[c];
            int i = 0;
            for (; i < vectorWeights; i += lanes) {
                DoubleVector.fromArray(DOUBLES, gradient, i).add(DoubleVector.fromArray(DOUBLES, chunk, i))
                        .intoArray(gradient, i);
            }
            for (; i < weights; i++) {
                gradient[i] += chunk[i];
            }
            for (int k = 0; k < numClasses; k++) {
                gradient[weights + k] += chunk[biasAt + k];
            }
            logLikelihood += chunkLogLikelihoods[c];
            correct += chunkCorrect[c];
        }
        numCorrect = correct;
        return logLikelihood;
    }

    @Override
    public final long numCorrect() {
        return numCorrect;
    }

    @Override
    public final void run(int chunk, int worker) {
        int size = rowsPerChunk;
        int start = Math.min(numExamples, chunk * size);
        int end = Math.min(numExamples, start + size);
        evaluateChunk(chunk, start, end, worker, chunkGradients[chunk]);
    }

    /** Work done once per call before the chunks, on the calling thread. */
    protected abstract void prepare(double[] point);

    /** After the chunks (also when one failed): drop what {@link #prepare} held. */
    protected void finish() {
    }

    /**
     * Rows [start, end): sets {@code slot} (∂L/∂W rows, then ∂L/∂b at {@link #biasAt}; not zeroed on entry) and calls
     * {@link #record}.
     */
    protected abstract void evaluateChunk(int chunk, int start, int end, int worker, double[] slot);

    /** Stores one chunk's log-likelihood and count of correct predictions. */
    protected final void record(int chunk, double logLikelihood, long correct) {
        chunkLogLikelihoods[chunk] = logLikelihood;
        chunkCorrect[chunk] = correct;
    }

    @Override
    public void close() {
        // The pool belongs to the DoubleEvaluator.
    }
}
