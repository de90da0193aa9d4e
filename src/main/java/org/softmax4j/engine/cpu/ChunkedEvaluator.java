package org.softmax4j.engine.cpu;

import java.util.Arrays;

import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;

/**
 * What both CPU paths share: the chunking, one result slot per chunk and the fixed-order reduction (the softmax
 * primitives are in {@link Softmax}, the bit-packed ones in {@link BitRows}). Subclasses compute the logits and accumulate the gradient of one chunk.
 */
abstract class ChunkedEvaluator implements Evaluator, WorkerPool.Task {
    protected final Dataset data;
    protected final int numClasses;
    protected final int numFeatures;
    private final WorkerPool pool;
    private final int maxChunks;
    /** Per chunk: ∂L/∂W (K×D) then ∂L/∂b (K), in double. */
    private final double[][] chunkGradients;
    private final double[] chunkLogLikelihoods;
    private final long[] chunkCorrect;
    /** ω_n per bound example, or null for all 1 (see {@link #weigh}). */
    protected final double[] exampleWeights;

    // The call in progress; written by the calling thread before the pool's barrier, read by the workers after it.
    protected Parameters parameters;
    private int[] order;
    private int from;
    private int to;
    private float[] probabilitiesOut;
    private int chunkSize;

    ChunkedEvaluator(WorkerPool pool, Dataset data) {
        this(pool, data, null);
    }

    /** @param exampleWeights ω_n per example, owned by this evaluator, or null */
    ChunkedEvaluator(WorkerPool pool, Dataset data, double[] exampleWeights) {
        this.pool = pool;
        this.exampleWeights = exampleWeights;
        this.data = data;
        this.numClasses = data.numClasses();
        this.numFeatures = data.numFeatures();
        this.maxChunks = Math.max(1, numChunks(data.numExamples()));
        this.chunkGradients = new double[maxChunks][numClasses * numFeatures + numClasses];
        this.chunkLogLikelihoods = new double[maxChunks];
        this.chunkCorrect = new long[maxChunks];
    }

    @Override
    public Dataset data() {
        return data;
    }

    /** The engine's double-precision evaluator runs on the same processors, at about the same cost (see Trainer). */
    @Override
    public boolean doublePrecisionCostsTheSame() {
        return true;
    }

    @Override
    public void evaluate(Parameters parameters, Evaluation out) {
        evaluate(parameters, null, 0, data.numExamples(), out);
    }

    @Override
    public void evaluate(Parameters parameters, int[] examples, int from, int to, Evaluation out) {
        parameters.checkShape(numClasses, numFeatures);
        out.checkShape(numClasses, numFeatures);
        Evaluator.checkBatch(data.numExamples(), examples, from, to);
        int count = to - from;
        prepare(parameters);
        this.parameters = parameters;
        this.order = examples;
        this.from = from;
        this.to = to;
        this.probabilitiesOut = null;
        int numChunks = numChunks(count);
        this.chunkSize = chunkSize(count, numChunks);
        pool.run(numChunks, this);
        reduce(numChunks, count, out);
        this.parameters = null;
        this.order = null;
    }

    @Override
    public void probabilities(Parameters parameters, float[] out) {
        parameters.checkShape(numClasses, numFeatures);
        long expected = (long) data.numExamples() * numClasses;
        if (out.length != expected) {
            throw new IllegalArgumentException("probabilities has " + out.length + " floats, expected "
                    + data.numExamples() + " examples x " + numClasses + " classes = " + expected);
        }
        prepare(parameters);
        this.parameters = parameters;
        this.order = null;
        this.from = 0;
        this.to = data.numExamples();
        this.probabilitiesOut = out;
        int numChunks = numChunks(to);
        this.chunkSize = chunkSize(to, numChunks);
        pool.run(numChunks, this);
        this.parameters = null;
        this.probabilitiesOut = null;
    }

    @Override
    public final void run(int chunk, int worker) {
        int start = from + chunk * chunkSize;
        int end = Math.min(to, start + chunkSize);
        if (probabilitiesOut != null) {
            probabilitiesChunk(start, end, worker, probabilitiesOut);
            return;
        }
        double[] gradient = chunkGradients[chunk];
        Arrays.fill(gradient, 0.0);
        evaluateChunk(chunk, order, start, end, worker, gradient);
    }

    /** Stores one chunk's log-likelihood and count of correct predictions. */
    protected final void record(int chunk, double logLikelihood, long correct) {
        chunkLogLikelihoods[chunk] = logLikelihood;
        chunkCorrect[chunk] = correct;
    }

    /**
     * How many chunks {@code count} examples are cut into: one per {@link CpuEngine#CHUNK_SIZE}, but at least
     * min(4, count / 512) so that small data sets (the digits: 1,437 rows) still give every thread work. A function of
     * the count alone, never of the thread count: that is what keeps results bitwise equal for every thread count.
     */
    static int numChunks(int count) {
        int bySize = (count + CpuEngine.CHUNK_SIZE - 1) / CpuEngine.CHUNK_SIZE;
        return Math.max(bySize, Math.min(4, count / 512));
    }

    /** Examples per chunk (the last may have fewer). */
    static int chunkSize(int count, int numChunks) {
        return numChunks == 0 ? 1 : (count + numChunks - 1) / numChunks;
    }

    /** Work done once per call before the chunks, on the calling thread (e.g. lookup tables from W). */
    protected abstract void prepare(Parameters parameters);

    /**
     * Evaluates the examples at positions [start, end) (through {@code order} when not null): adds ∂L/∂W and ∂L/∂b
     * to {@code gradient} (zeroed, K×D then K) and calls {@link #record} with the log-likelihood and correct count.
     */
    protected abstract void evaluateChunk(int chunk, int[] order, int start, int end, int worker, double[] gradient);

    /** softmax(W x_n + b) of examples [start, end) into {@code out[n * K + k]}. */
    protected abstract void probabilitiesChunk(int start, int end, int worker, float[] out);

    private void reduce(int numChunks, int count, Evaluation out) {
        double[] gradWeights = out.gradWeights();
        double[] gradBias = out.gradBias();
        Arrays.fill(gradWeights, 0.0);
        Arrays.fill(gradBias, 0.0);
        double logLikelihood = 0;
        long correct = 0;
        int weightCount = numClasses * numFeatures;
        for (int c = 0; c < numChunks; c++) {
            double[] gradient = chunkGradients[c];
            for (int i = 0; i < weightCount; i++) {
                gradWeights[i] += gradient[i];
            }
            for (int k = 0; k < numClasses; k++) {
                gradBias[k] += gradient[weightCount + k];
            }
            logLikelihood += chunkLogLikelihoods[c];
            correct += chunkCorrect[c];
        }
        out.set(logLikelihood, correct, count);
    }

    /**
     * Example weights: scales the residuals y − p of bound example {@code row} by its weight ω (in float, as the
     * residuals are) and returns ω · {@code logLikelihood} in double. Called only when {@link #exampleWeights} is set.
     */
    protected final double weigh(int row, float[] residuals, double logLikelihood) {
        double weight = exampleWeights[row];
        float scale = (float) weight;
        for (int k = 0; k < numClasses; k++) {
            residuals[k] *= scale;
        }
        return weight * logLikelihood;
    }

    /**
     * Small per-thread scratch arrays, each padded to its own cache lines: neighbouring arrays written by two threads
     * at once would share a cache line and serialise them (false sharing).
     */
    static float[][] perWorker(int threads, int length) {
        float[][] arrays = new float[threads][];
        for (int t = 0; t < threads; t++) {
            arrays[t] = new float[length + 32];
        }
        return arrays;
    }

    @Override
    public void close() {
        // Buffers are plain Java arrays; the engine owns the threads.
    }
}
