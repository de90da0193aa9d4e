package org.softmax4j.engine.cuda;

import java.util.ArrayList;
import java.util.List;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;

/**
 * The CUDA evaluator of one data set. The rows (dense floats, or bit-packed 64-bit words) and labels are uploaded once,
 * and every device buffer is allocated here, in the constructor; an evaluation uploads W and b (and a batch's indices),
 * launches, and reads back K·D + K + 2 doubles.
 *
 * <p>Two paths. <b>Fused</b> (K ≤ {@link Kernels#MAX_FUSED_CLASSES}): one fused kernel over the rows on the device's
 * fixed grid, each block writing one row of partial sums, then {@code reduce_partials_kernel} sums the blocks in order.
 * <b>Unfused</b> (larger K, or asked for): the rows are cut into fixed chunks; per chunk the logits (cuBLAS for dense
 * rows when it loads), the softmax with residuals, the gradient and the per-chunk sums, each chunk writing one row of
 * partials, which {@code reduce_partials_kernel} then sums in chunk order. Neither path uses float atomics, so results
 * are bitwise the same from run to run on one GPU.
 *
 * <p>The data must fit in device memory: the constructor checks the sizes first and says what is needed and what is
 * free. (Streaming larger data sets through pinned host buffers is not implemented.)
 *
 * <p>Not thread-safe: one thread at a time, like the CPU evaluators. Each call makes the device's context current on
 * the calling thread.
 */
public final class CudaEvaluator implements Evaluator {
    /** Rows of the unfused path's chunks and of {@link #probabilities} are sized for about this many bytes. */
    static final long CHUNK_BYTES = 16L << 20;
    /** At most this many chunks, so that the per-chunk partials stay small for any N. */
    static final int MAX_CHUNKS = 1024;

    private final CudaDevice device;
    private final Kernels kernels;
    private final Dataset data;
    private final boolean binary;
    private final boolean fused;
    private final int numExamples;
    private final int numFeatures;
    private final int numClasses;
    private final int wordsPerRow;
    private final long rowBytes;
    /** K·D gradient, K bias gradient, log-likelihood, number correct. */
    private final int width;
    private final int chunkRows;
    private final int maxChunks;

    private final List<DeviceBuffer> buffers = new ArrayList<>();
    private final DeviceBuffer rows;
    private final DeviceBuffer labels;
    private final DeviceBuffer weights;
    private final DeviceBuffer bias;
    private final DeviceBuffer order;
    private final DeviceBuffer out;
    private final DeviceBuffer logits;
    /** Fused: one row of partials per block. Unfused: one per chunk. */
    private final DeviceBuffer partials;
    private final DeviceBuffer rowLogLikelihood;
    private final DeviceBuffer rowCorrect;
    private final DeviceBuffer chunkCorrect;
    private final DeviceBuffer stagingRows;
    private final DeviceBuffer stagingLabels;
    private final DeviceBuffer ones;
    private final CublasGemm cublas;
    private final double[] outHost;
    private final long[] chunkCorrectHost;
    private final float[] stagingDense;
    private final long[] stagingWords;
    private final int[] stagingLabelsHost;
    private boolean closed;

    CudaEvaluator(CudaDevice device, Dataset data, boolean preferFused) {
        this.device = device;
        this.kernels = device.kernels();
        this.data = data;
        this.binary = data instanceof BinaryDataset;
        this.numExamples = data.numExamples();
        this.numFeatures = data.numFeatures();
        this.numClasses = data.numClasses();
        this.fused = preferFused && numClasses <= Kernels.MAX_FUSED_CLASSES;
        this.wordsPerRow = binary ? ((BinaryDataset) data).wordsPerRow() : 0;
        this.rowBytes = binary ? (long) wordsPerRow * Sizeof.LONG : (long) numFeatures * Sizeof.FLOAT;
        long widthLong = (long) numClasses * numFeatures + numClasses + 2;
        if (widthLong > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException(numClasses + " classes x " + numFeatures
                    + " features is too many parameters for the CUDA engine");
        }
        this.width = (int) widthLong;
        int rowsForBytes = (int) Math.max(1, CHUNK_BYTES / Math.max(rowBytes, (long) numClasses * Sizeof.FLOAT));
        int rowsForCount = (int) ((numExamples + (long) MAX_CHUNKS - 1) / MAX_CHUNKS);
        this.chunkRows = Math.max(1, Math.min(Math.max(numExamples, 1), Math.max(rowsForBytes, rowsForCount)));
        this.maxChunks = Math.max(1, (numExamples + chunkRows - 1) / chunkRows);
        boolean useCublas = !fused && !binary && device.cublasAvailable();

        long dataBytes = numExamples * rowBytes + (long) numExamples * Sizeof.INT;
        long partialRows = fused ? kernels.fusedGridSize() : maxChunks;
        long workBytes = (long) numExamples * Sizeof.INT                       // order
                + 2L * ((long) numClasses * numFeatures + numClasses) * Sizeof.FLOAT
                + (long) width * Sizeof.DOUBLE                                 // out
                + (long) chunkRows * numClasses * Sizeof.FLOAT                 // logits
                + partialRows * width * Sizeof.DOUBLE
                + (fused ? 0 : (long) chunkRows * (Sizeof.DOUBLE + Sizeof.INT + rowBytes + Sizeof.INT + Sizeof.FLOAT)
                + (long) maxChunks * Sizeof.LONG);
        device.makeCurrent();
        long[] memory = device.memoryInfo();
        long margin = 64L << 20;
        if (dataBytes + workBytes + margin > memory[0]) {
            throw new DeviceMemoryException(String.format(
                    "the data set does not fit on %s: it needs %s on the device (rows and labels %s, work %s) but "
                            + "%s of %s are free; streaming from host memory is not implemented, use --backend cpu",
                    device.name(), DeviceMemoryException.bytes(dataBytes + workBytes),
                    DeviceMemoryException.bytes(dataBytes), DeviceMemoryException.bytes(workBytes),
                    DeviceMemoryException.bytes(memory[0]), DeviceMemoryException.bytes(memory[1])), 0);
        }
        try {
            rows = add("rows (" + numExamples + " x " + rowBytes + " bytes)", numExamples * rowBytes);
            labels = add("labels (" + numExamples + " ints)", (long) numExamples * Sizeof.INT);
            weights = add("weights (" + numClasses + "x" + numFeatures + " floats)",
                    (long) numClasses * numFeatures * Sizeof.FLOAT);
            bias = add("bias (" + numClasses + " floats)", (long) numClasses * Sizeof.FLOAT);
            order = add("batch order (" + numExamples + " ints)", (long) numExamples * Sizeof.INT);
            out = add("sums (" + width + " doubles)", (long) width * Sizeof.DOUBLE);
            logits = add("logits (" + chunkRows + "x" + numClasses + " floats)",
                    (long) chunkRows * numClasses * Sizeof.FLOAT);
            partials = add("partial sums (" + partialRows + "x" + width + " doubles)",
                    partialRows * width * Sizeof.DOUBLE);
            if (binary) {
                long[] words = ((BinaryDataset) data).words();
                rows.upload(Pointer.to(words), 0, (long) words.length * Sizeof.LONG);
                labels.upload(Pointer.to(((BinaryDataset) data).labels()), 0, (long) numExamples * Sizeof.INT);
            } else {
                float[] values = ((DenseDataset) data).values();
                rows.upload(Pointer.to(values), 0, (long) values.length * Sizeof.FLOAT);
                labels.upload(Pointer.to(((DenseDataset) data).labels()), 0, (long) numExamples * Sizeof.INT);
            }
            if (fused) {
                rowLogLikelihood = null;
                rowCorrect = null;
                chunkCorrect = null;
                stagingRows = null;
                stagingLabels = null;
                stagingDense = null;
                stagingWords = null;
                stagingLabelsHost = null;
                chunkCorrectHost = null;
            } else {
                // Unused slots of the chunk partials (the count column) must not hold NaN bit patterns.
                partials.fill32(0);
                rowLogLikelihood = add("row log-likelihoods (" + chunkRows + " doubles)",
                        (long) chunkRows * Sizeof.DOUBLE);
                rowCorrect = add("row hits (" + chunkRows + " ints)", (long) chunkRows * Sizeof.INT);
                chunkCorrect = add("chunk hits (" + maxChunks + " longs)", (long) maxChunks * Sizeof.LONG);
                stagingRows = add("batch rows (" + chunkRows + " rows)", chunkRows * rowBytes);
                stagingLabels = add("batch labels (" + chunkRows + " ints)", (long) chunkRows * Sizeof.INT);
                stagingDense = binary ? null : new float[chunkRows * numFeatures];
                stagingWords = binary ? new long[chunkRows * wordsPerRow] : null;
                stagingLabelsHost = new int[chunkRows];
                chunkCorrectHost = new long[maxChunks];
            }
            if (useCublas) {
                ones = add("ones (" + chunkRows + " floats)", (long) chunkRows * Sizeof.FLOAT);
                ones.fill32(Float.floatToRawIntBits(1f));
                cublas = CublasGemm.create();
            } else {
                ones = null;
                cublas = null;
            }
            outHost = new double[width];
        } catch (RuntimeException | Error e) {
            closeBuffers();
            throw e;
        }
    }

    private DeviceBuffer add(String what, long bytes) {
        DeviceBuffer buffer = DeviceBuffer.allocate(what, bytes);
        buffers.add(buffer);
        return buffer;
    }

    @Override
    public Dataset data() {
        return data;
    }

    /** The device this evaluator runs on. */
    public CudaDevice device() {
        return device;
    }

    /** "fused" or "unfused", and for unfused dense rows whether cuBLAS computes the logits. */
    public String kernelPath() {
        return fused ? "fused kernels" : "unfused kernels" + (cublas != null ? " (logits by cuBLAS)" : "");
    }

    boolean fused() {
        return fused;
    }

    @Override
    public void evaluate(Parameters parameters, Evaluation out) {
        evaluateRows(parameters, null, 0, numExamples, out);
    }

    @Override
    public void evaluate(Parameters parameters, int[] examples, int from, int to, Evaluation out) {
        checkBatch(examples, from, to);
        evaluateRows(parameters, examples, from, to, out);
    }

    private void evaluateRows(Parameters parameters, int[] examples, int from, int to, Evaluation evaluation) {
        checkOpen();
        parameters.checkShape(numClasses, numFeatures);
        evaluation.checkShape(numClasses, numFeatures);
        device.makeCurrent();
        uploadParameters(parameters, weights, bias);
        long correct = sums(weights.pointer(), bias.pointer(), examples, from, to);
        out.download(Pointer.to(outHost), 0, (long) width * Sizeof.DOUBLE);
        int gradientSize = numClasses * numFeatures;
        System.arraycopy(outHost, 0, evaluation.gradWeights(), 0, gradientSize);
        System.arraycopy(outHost, gradientSize, evaluation.gradBias(), 0, numClasses);
        if (fused) {
            correct = Math.round(outHost[gradientSize + numClasses + 1]);
        }
        evaluation.set(outHost[gradientSize + numClasses], correct, to - from);
    }

    /**
     * Leaves ∂L/∂W, ∂L/∂b, L (and on the fused path the count) of rows {@code from..to} (through {@code examples}
     * when not null) in {@link #out}, for the parameters at {@code w} and {@code b}.
     *
     * @return the number correct on the unfused path (this waits for the device), -1 on the fused path
     */
    private long sums(CUdeviceptr w, CUdeviceptr b, int[] examples, int from, int to) {
        int count = to - from;
        if (fused) {
            CUdeviceptr orderPointer = null;
            int start = from;
            if (examples != null) {
                order.upload(Pointer.to(examples).withByteOffset((long) from * Sizeof.INT), 0,
                        (long) count * Sizeof.INT);
                orderPointer = order.pointer();
                start = 0;
            }
            if (binary) {
                kernels.fusedBinary(rows.pointer(), wordsPerRow, labels.pointer(), orderPointer, start, count, w, b,
                        numFeatures, numClasses, partials.pointer());
            } else {
                kernels.fusedDense(rows.pointer(), labels.pointer(), orderPointer, start, count, w, b, numFeatures,
                        numClasses, partials.pointer());
            }
            kernels.reducePartials(partials.pointer(), kernels.fusedGridSize(), width, out.pointer());
            return -1;
        }
        int chunks = Math.max(1, (count + chunkRows - 1) / chunkRows);
        int gradientSize = numClasses * numFeatures;
        for (int chunk = 0; chunk < chunks; chunk++) {
            int first = from + chunk * chunkRows;
            int size = Math.min(chunkRows, to - first);
            CUdeviceptr chunkRowsPointer;
            CUdeviceptr chunkLabels;
            if (examples == null) {
                chunkRowsPointer = rows.at(first * rowBytes);
                chunkLabels = labels.at((long) first * Sizeof.INT);
            } else {
                gather(examples, first, size);
                chunkRowsPointer = stagingRows.pointer();
                chunkLabels = stagingLabels.pointer();
            }
            long base = (long) chunk * width * Sizeof.DOUBLE;
            CUdeviceptr z = logits.pointer();
            if (size > 0) {
                if (binary) {
                    kernels.logitsBinary(chunkRowsPointer, wordsPerRow, w, b, z, size, numFeatures, numClasses);
                } else if (cublas != null) {
                    cublas.logits(chunkRowsPointer, w, b, ones.pointer(), z, size, numFeatures, numClasses);
                } else {
                    kernels.logitsDense(chunkRowsPointer, w, b, z, size, numFeatures, numClasses);
                }
                kernels.softmaxResidual(z, chunkLabels, rowLogLikelihood.pointer(), rowCorrect.pointer(), size,
                        numClasses);
            }
            if (binary) {
                kernels.gradientBinary(z, chunkRowsPointer, wordsPerRow, partials.at(base), size, numFeatures,
                        numClasses);
            } else {
                kernels.gradientDense(z, chunkRowsPointer, partials.at(base), size, numFeatures, numClasses);
            }
            kernels.biasGradient(z, partials.at(base + (long) gradientSize * Sizeof.DOUBLE), size, numClasses);
            kernels.sumDoubles(rowLogLikelihood.pointer(), size,
                    partials.at(base + (long) (gradientSize + numClasses) * Sizeof.DOUBLE));
            kernels.sumInts(rowCorrect.pointer(), size, chunkCorrect.at((long) chunk * Sizeof.LONG));
        }
        kernels.reducePartials(partials.pointer(), chunks, width, out.pointer());
        chunkCorrect.download(Pointer.to(chunkCorrectHost), 0, (long) chunks * Sizeof.LONG);
        long correct = 0;
        for (int chunk = 0; chunk < chunks; chunk++) {
            correct += chunkCorrectHost[chunk];
        }
        return correct;
    }

    /** Copies rows {@code examples[first..first+size)} to the staging buffers, on the host and then the device. */
    private void gather(int[] examples, int first, int size) {
        if (binary) {
            long[] words = ((BinaryDataset) data).words();
            int[] all = ((BinaryDataset) data).labels();
            for (int i = 0; i < size; i++) {
                int n = examples[first + i];
                System.arraycopy(words, n * wordsPerRow, stagingWords, i * wordsPerRow, wordsPerRow);
                stagingLabelsHost[i] = all[n];
            }
            stagingRows.upload(Pointer.to(stagingWords), 0, size * rowBytes);
        } else {
            float[] values = ((DenseDataset) data).values();
            int[] all = ((DenseDataset) data).labels();
            for (int i = 0; i < size; i++) {
                int n = examples[first + i];
                System.arraycopy(values, n * numFeatures, stagingDense, i * numFeatures, numFeatures);
                stagingLabelsHost[i] = all[n];
            }
            stagingRows.upload(Pointer.to(stagingDense), 0, size * rowBytes);
        }
        stagingLabels.upload(Pointer.to(stagingLabelsHost), 0, (long) size * Sizeof.INT);
    }

    @Override
    public void probabilities(Parameters parameters, float[] probabilities) {
        checkOpen();
        parameters.checkShape(numClasses, numFeatures);
        if (probabilities.length != (long) numExamples * numClasses) {
            throw new IllegalArgumentException("probabilities has " + probabilities.length + " values, expected "
                    + numExamples + "x" + numClasses + " = " + (long) numExamples * numClasses);
        }
        device.makeCurrent();
        uploadParameters(parameters, weights, bias);
        CUdeviceptr z = logits.pointer();
        for (int first = 0; first < numExamples; first += chunkRows) {
            int size = Math.min(chunkRows, numExamples - first);
            CUdeviceptr chunk = rows.at(first * rowBytes);
            if (binary) {
                kernels.logitsBinary(chunk, wordsPerRow, weights.pointer(), bias.pointer(), z, size, numFeatures,
                        numClasses);
            } else if (cublas != null) {
                cublas.logits(chunk, weights.pointer(), bias.pointer(), ones.pointer(), z, size, numFeatures,
                        numClasses);
            } else {
                kernels.logitsDense(chunk, weights.pointer(), bias.pointer(), z, size, numFeatures, numClasses);
            }
            kernels.softmaxRows(z, size, numClasses);
            logits.download(Pointer.to(probabilities).withByteOffset((long) first * numClasses * Sizeof.FLOAT), 0,
                    (long) size * numClasses * Sizeof.FLOAT);
        }
    }

    /**
     * Starts a run of ascent steps whose W and b stay on the device: each {@link DeviceTraining#step} evaluates and
     * updates there and reads back only the log-likelihood. The evaluator's own {@link #evaluate} calls stay usable
     * meanwhile (they use their own parameter buffers). Close the returned object to free its two buffers.
     *
     * @param start initial parameters (not modified)
     */
    public DeviceTraining startDeviceTraining(Parameters start) {
        checkOpen();
        start.checkShape(numClasses, numFeatures);
        device.makeCurrent();
        return new DeviceTraining(this, start);
    }

    // --- used by DeviceTraining ---

    int numExamples() {
        return numExamples;
    }

    DeviceBuffer allocate(String what, long bytes) {
        checkOpen();
        device.makeCurrent();
        return DeviceBuffer.allocate(what, bytes);
    }

    void uploadParameters(Parameters parameters, DeviceBuffer w, DeviceBuffer b) {
        w.upload(Pointer.to(parameters.weights()), 0, (long) parameters.weights().length * Sizeof.FLOAT);
        b.upload(Pointer.to(parameters.bias()), 0, (long) parameters.bias().length * Sizeof.FLOAT);
    }

    /** Evaluates at (w, b) on the rows, applies the ascent update to (w, b), returns L before the update. */
    double ascend(DeviceBuffer w, DeviceBuffer b, int[] examples, int from, int to, double learningRate,
                  double lambda) {
        checkOpen();
        if (examples != null) {
            checkBatch(examples, from, to);
        }
        device.makeCurrent();
        int count = to - from;
        sums(w.pointer(), b.pointer(), examples, from, to);
        int gradientSize = numClasses * numFeatures;
        double step = learningRate / count;
        double lambdaShare = lambda * count / numExamples;
        kernels.ascentUpdate(w.pointer(), b.pointer(), out.pointer(), out.at((long) gradientSize * Sizeof.DOUBLE),
                step, lambdaShare, numClasses, numFeatures);
        double[] logLikelihood = new double[1];
        out.download(Pointer.to(logLikelihood), (long) (gradientSize + numClasses) * Sizeof.DOUBLE, Sizeof.DOUBLE);
        return logLikelihood[0];
    }

    CudaDevice cudaDevice() {
        return device;
    }

    private void checkBatch(int[] examples, int from, int to) {
        if (from < 0 || to > examples.length || from > to) {
            throw new IllegalArgumentException("batch [" + from + ", " + to + ") is outside the " + examples.length
                    + " examples given");
        }
        for (int i = from; i < to; i++) {
            if (examples[i] < 0 || examples[i] >= numExamples) {
                throw new IllegalArgumentException("examples[" + i + "] is " + examples[i] + ", expected 0.."
                        + (numExamples - 1));
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the CUDA evaluator is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            device.makeCurrent();
            closeBuffers();
        }
    }

    private void closeBuffers() {
        RuntimeException first = null;
        if (cublasOrNull() != null) {
            try {
                cublas.close();
            } catch (RuntimeException e) {
                first = e;
            }
        }
        for (DeviceBuffer buffer : buffers) {
            try {
                buffer.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        buffers.clear();
        if (first != null) {
            throw first;
        }
    }

    /** Null while the constructor has not set it yet (closing after a failed constructor). */
    private CublasGemm cublasOrNull() {
        return cublas;
    }
}
