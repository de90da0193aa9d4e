package org.softmax4j.engine.cuda;

import java.util.function.Consumer;

import jcuda.Pointer;
import jcuda.Sizeof;

import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.ResidentAscent;
import org.softmax4j.engine.ResidentSafeguardedAscent;

/**
 * The CUDA evaluator of one data set. At bind it takes a {@link DevicePlan} (fused or unfused kernels, resident or
 * streamed rows, chunk sizes: a pure function of the shape, the device's memory and the {@link Streaming} settings),
 * then makes what the plan names: a {@link RowSource} ({@link ResidentRows}, uploaded once, or {@link StreamedRows},
 * copied chunk by chunk per evaluation), a {@link KernelPath} ({@link FusedPath} or {@link UnfusedPath}) and a
 * {@link LogitsStep} (for the unfused path and {@link #probabilities}). Every device buffer is allocated here, in the
 * constructor, and owned by one {@link DeviceAllocations}; an evaluation uploads W and b, launches, and reads back K·D
 * + K + 2 doubles (the unfused path also the chunks' counts).
 *
 * <p><b>Example weights</b> (see {@link org.softmax4j.engine.Engine#bind(Dataset, double[])}): ω_n are converted to
 * floats once, here, and travel with the labels: uploaded beside them when resident, gathered beside them for a
 * batch of the unfused path, copied beside them per chunk when streamed. The kernels scale each row's residuals by ω in
 * float and its log-likelihood by ω in double, as the CPU engine does; the number correct stays unweighted. Without
 * weights the kernels get NULL and the results are those of every ω = 1, bit for bit.
 *
 * <p><b>Streaming.</b> When the rows and labels do not fit in the free device memory (after the work buffers and a
 * margin), or are larger than {@value #MAX_RESIDENT_BYTES_PROPERTY} (to test this path with small data), they stay on
 * the host and each evaluation copies them again, chunk by chunk ({@link StreamedRows}); the evaluator says so once,
 * through the engine's notice consumer. Fused chunks hold about {@value DevicePlan#DEFAULT_STREAM_CHUNK_BYTES} bytes
 * (at most a sixteenth of the device's memory; {@value #STREAM_CHUNK_BYTES_PROPERTY} sets it), and the results equal
 * the resident ones to float rounding (bitwise with one chunk); unfused chunks are those of resident data, so the
 * results are bitwise the resident ones. Device training works unchanged (it only needs the sums on the device).
 *
 * <p>Not thread-safe: one thread at a time, like the CPU evaluators. Each call makes the device's context current on
 * the calling thread.
 */
public final class CudaEvaluator implements Evaluator, ResidentSafeguardedAscent {
    /** System property: data sets (rows and labels) above this many bytes are streamed even when they fit. */
    public static final String MAX_RESIDENT_BYTES_PROPERTY = "softmax4j.cuda.maxResidentBytes";
    /** System property: bytes of rows and labels per streamed chunk of the fused path. */
    public static final String STREAM_CHUNK_BYTES_PROPERTY = "softmax4j.cuda.streamChunkBytes";

    private final CudaDevice device;
    private final Kernels kernels;
    private final Dataset data;
    private final DevicePlan plan;
    private final DeviceAllocations allocations;
    private final DeviceBuffer weights;
    private final DeviceBuffer bias;
    /** The sums of the last evaluation: K·D gradient, K bias gradient, log-likelihood, number correct (fused). */
    private final DeviceBuffer out;
    private final LogitsStep logits;
    private final KernelPath path;
    private final RowSource rows;
    /** Rows per streamed chunk; 0 when resident. */
    private final int streamedRowsPerChunk;
    private final double[] outHost;
    private final Pointer outHostPointer;
    /** ∂L/∂b in {@link #out}, zeroed by {@link #ascend} for a model without a bias. */
    private final DeviceBuffer.Region biasGradient;
    private boolean closed;

    /**
     * @param weightPerExample ω_n per example (checked by the caller, {@code Engine.checkExampleWeights}; not kept),
     *                         or null for every ω_n = 1
     * @param preferFused      false for the unfused kernels even where the fused ones apply
     * @param streaming        when and in which chunks to stream the data from host memory
     * @param notices          receives one line when the data is streamed (what, why, in which chunks)
     */
    CudaEvaluator(CudaDevice device, Dataset data, double[] weightPerExample, boolean preferFused, Streaming streaming,
                  Consumer<String> notices) {
        this.device = device;
        this.kernels = device.kernels();
        this.data = data;
        float[] exampleWeights = toFloats(weightPerExample);
        device.makeCurrent();
        long[] memory = device.memoryInfo();
        this.plan = DevicePlan.of(DevicePlan.Shape.of(data, exampleWeights != null),
                new DevicePlan.Device(device.name(), memory[0], device.totalMemory(), kernels.fusedGridSize(),
                        device.cublasAvailable()), preferFused, streaming);
        DevicePlan.Shape shape = plan.shape();
        int numClasses = shape.numClasses();
        this.allocations = new DeviceAllocations();
        try {
            // Resident rows first: a bind that cannot hold the data fails at its first allocations.
            ResidentRows resident = plan.streamed() ? null : new ResidentRows(allocations, data, exampleWeights, plan);
            weights = allocations.buffer("weights (" + numClasses + "x" + shape.numFeatures() + " floats)",
                    (long) numClasses * shape.numFeatures() * Sizeof.FLOAT);
            bias = allocations.buffer("bias (" + numClasses + " floats)", (long) numClasses * Sizeof.FLOAT);
            out = allocations.buffer("sums (" + plan.width() + " doubles)", (long) plan.width() * Sizeof.DOUBLE);
            logits = LogitsStep.create(allocations, plan, kernels);
            path = plan.fused() ? new FusedPath(allocations, plan, kernels, out)
                    : new UnfusedPath(allocations, plan, kernels, logits, out);
            // Streamed rows last: closing frees in reverse order, and they first wait for the device to finish.
            rows = resident != null ? resident
                    : allocations.own(new StreamedRows(data, exampleWeights, plan.streamRows()));
        } catch (RuntimeException | Error e) {
            try {
                allocations.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        this.streamedRowsPerChunk = plan.streamed() ? plan.streamRows() : 0;
        this.outHost = new double[plan.width()];
        this.outHostPointer = Pointer.to(outHost);
        this.biasGradient = out.region((long) numClasses * shape.numFeatures() * Sizeof.DOUBLE,
                (long) numClasses * Sizeof.DOUBLE);
        if (plan.streamed()) {
            notices.accept(plan.residency());
        }
    }

    /** ω_n rounded to float, as the kernels read them; null stays null. */
    static float[] toFloats(double[] exampleWeights) {
        if (exampleWeights == null) {
            return null;
        }
        float[] floats = new float[exampleWeights.length];
        for (int n = 0; n < floats.length; n++) {
            floats[n] = (float) exampleWeights[n];
        }
        return floats;
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
        return path.description()
                + (plan.streamed() ? ", streamed in chunks of " + streamedRowsPerChunk + " rows" : "");
    }

    /** Whether the rows stay in host memory and are copied to the device chunk by chunk at every evaluation. */
    public boolean streaming() {
        return plan.streamed();
    }

    /** Rows per streamed chunk; 0 when the data is resident. */
    int streamedRowsPerChunk() {
        return streamedRowsPerChunk;
    }

    /** "resident on the device", or the line that was given to the notices when the data is streamed. */
    public String residency() {
        return plan.residency();
    }

    boolean fused() {
        return plan.fused();
    }

    /** The plan this evaluator was made by. */
    DevicePlan plan() {
        return plan;
    }

    @Override
    public void evaluate(Parameters parameters, Evaluation out) {
        evaluateRows(parameters, null, 0, plan.shape().numExamples(), out);
    }

    @Override
    public void evaluate(Parameters parameters, int[] examples, int from, int to, Evaluation out) {
        Evaluator.checkBatch(numExamples(), examples, from, to);
        evaluateRows(parameters, examples, from, to, out);
    }

    private void evaluateRows(Parameters parameters, int[] examples, int from, int to, Evaluation evaluation) {
        checkOpen();
        int numClasses = plan.shape().numClasses();
        int numFeatures = plan.shape().numFeatures();
        parameters.checkShape(numClasses, numFeatures);
        evaluation.checkShape(numClasses, numFeatures);
        device.makeCurrent();
        uploadParameters(parameters, weights, bias);
        path.sums(rows, weights, bias, examples, from, to);
        out.download(outHostPointer, 0, (long) plan.width() * Sizeof.DOUBLE);
        int gradientSize = numClasses * numFeatures;
        System.arraycopy(outHost, 0, evaluation.gradWeights(), 0, gradientSize);
        System.arraycopy(outHost, gradientSize, evaluation.gradBias(), 0, numClasses);
        evaluation.set(outHost[gradientSize + numClasses], path.correct(outHost), to - from);
    }

    @Override
    public void probabilities(Parameters parameters, float[] probabilities) {
        checkOpen();
        int numExamples = plan.shape().numExamples();
        int numClasses = plan.shape().numClasses();
        parameters.checkShape(numClasses, plan.shape().numFeatures());
        if (probabilities.length != (long) numExamples * numClasses) {
            throw new IllegalArgumentException("probabilities has " + probabilities.length + " values, expected "
                    + numExamples + "x" + numClasses + " = " + (long) numExamples * numClasses);
        }
        device.makeCurrent();
        uploadParameters(parameters, weights, bias);
        int chunkRows = plan.chunkRows();
        long z = logits.logits().address();
        // Each chunk of the rows in pieces of chunkRows, the size of the logits buffer.
        rows.forEachChunk(null, 0, numExamples, chunk -> {
            for (int row = 0; row < chunk.count(); row += chunkRows) {
                int size = Math.min(chunkRows, chunk.count() - row);
                logits.compute(chunk, row, size, weights, bias);
                kernels.softmaxRows(z, size, numClasses);
                logits.logits().download(Pointer.to(probabilities)
                                .withByteOffset((long) (chunk.offset() + row) * numClasses * Sizeof.FLOAT), 0,
                        (long) size * numClasses * Sizeof.FLOAT);
            }
        });
    }

    /**
     * Starts a run of ascent steps whose W and b stay on the device: each {@link DeviceTraining#step} evaluates and
     * updates there and reads back only the log-likelihood. The evaluator's own {@link #evaluate} calls stay usable
     * meanwhile (they use their own parameter buffers). Close the returned object to free its two buffers.
     *
     * @param start   initial parameters (not modified)
     * @param fitBias false: b stays at {@code start}'s bias (a model without a bias), see {@link DeviceTraining}
     */
    @Override
    public ResidentAscent.Session startResidentAscent(Parameters start, boolean fitBias) {
        return startDeviceTraining(start, fitBias);
    }

    public DeviceTraining startDeviceTraining(Parameters start) {
        return startDeviceTraining(start, true);
    }

    public DeviceTraining startDeviceTraining(Parameters start, boolean fitBias) {
        checkOpen();
        start.checkShape(plan.shape().numClasses(), plan.shape().numFeatures());
        device.makeCurrent();
        return new DeviceTraining(this, start, fitBias);
    }

    /**
     * Starts the automatic step's ascent with y, x_k and the best point on the device ({@link
     * DeviceSafeguardedAscent}): a step launches the fused (or unfused) kernels and two small kernels, and reads back
     * K·12 + 2 doubles (the unfused path also its chunks' counts).
     */
    @Override
    public ResidentSafeguardedAscent.Session startSafeguardedAscent(Parameters start,
                                                                   ResidentSafeguardedAscent.Geometry geometry,
                                                                   double step) {
        checkOpen();
        start.checkShape(plan.shape().numClasses(), plan.shape().numFeatures());
        device.makeCurrent();
        return new DeviceSafeguardedAscent(this, start, geometry, step);
    }

    // --- used by DeviceTraining and DeviceSafeguardedAscent ---

    Kernels kernels() {
        return kernels;
    }

    /** ∂L/∂W, ∂L/∂b, L (and for the fused path the number correct) at (w, b) over all rows, left in {@link #sums()}. */
    void sumsAt(DeviceBuffer w, DeviceBuffer b) {
        checkOpen();
        device.makeCurrent();
        path.sums(rows, w, b, null, 0, numExamples());
    }

    /**
     * The number correct of the last {@link #sumsAt} on the unfused path, which keeps it per chunk apart from the sums:
     * reads the chunks' counts back. (The fused path leaves it in the sums.)
     */
    long unfusedCorrect() {
        if (plan.fused()) {
            throw new IllegalStateException("the fused path leaves the number correct in the sums");
        }
        return path.correct(null);
    }

    int numExamples() {
        return plan.shape().numExamples();
    }

    DeviceBuffer allocate(String what, long bytes) {
        checkOpen();
        device.makeCurrent();
        return DeviceBuffer.allocate(what, bytes);
    }

    /** (w, b) copied to the host as new parameters (K×D and K floats). */
    Parameters downloadParameters(DeviceBuffer w, DeviceBuffer b) {
        checkOpen();
        device.makeCurrent();
        int numClasses = plan.shape().numClasses();
        int numFeatures = plan.shape().numFeatures();
        Parameters parameters = new Parameters(numClasses, numFeatures);
        w.download(Pointer.to(parameters.weights()), 0, (long) numClasses * numFeatures * Sizeof.FLOAT);
        b.download(Pointer.to(parameters.bias()), 0, (long) numClasses * Sizeof.FLOAT);
        return parameters;
    }

    void uploadParameters(Parameters parameters, DeviceBuffer w, DeviceBuffer b) {
        w.upload(Pointer.to(parameters.weights()), 0, (long) parameters.weights().length * Sizeof.FLOAT);
        b.upload(Pointer.to(parameters.bias()), 0, (long) parameters.bias().length * Sizeof.FLOAT);
    }

    /**
     * Evaluates at (w, b) on the rows, then applies the ascent update to (w, b) on the device; the log-likelihood
     * before the update is left in {@link #out}, at {@link #logLikelihoodOffset()}, for the caller to read. With
     * {@code fitBias} false, ∂L/∂b is zeroed on the device (in stream order, between the sums and the update) before
     * the update kernel reads it, so b += step·0 leaves b as it was: the kernel stays the one of the biased model.
     * Allocates nothing (no device memory, no host objects), except on the cuBLAS logits path.
     */
    void ascend(DeviceBuffer w, DeviceBuffer b, int[] examples, int from, int to, double learningRate, double lambda,
                boolean fitBias) {
        checkOpen();
        Evaluator.checkBatch(numExamples(), examples, from, to);
        device.makeCurrent();
        int count = to - from;
        path.sums(rows, w, b, examples, from, to);
        int numClasses = plan.shape().numClasses();
        int numFeatures = plan.shape().numFeatures();
        long gradBias = (long) numClasses * numFeatures * Sizeof.DOUBLE;
        double step = learningRate / count;
        double lambdaShare = lambda * count / numExamples();
        if (!fitBias) {
            biasGradient.zeroAsync(StreamedRows.DEFAULT_STREAM);
        }
        kernels.ascentUpdate(w.address(), b.address(), out.address(), out.address(gradBias), step, lambdaShare,
                numClasses, numFeatures);
    }

    /** The sums buffer that {@link #ascend} leaves the log-likelihood in. */
    DeviceBuffer sums() {
        return out;
    }

    /** Byte offset of the log-likelihood in {@link #sums()}. */
    long logLikelihoodOffset() {
        return ((long) plan.shape().numClasses() * plan.shape().numFeatures() + plan.shape().numClasses())
                * Sizeof.DOUBLE;
    }

    CudaDevice cudaDevice() {
        return device;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the CUDA evaluator is closed");
        }
    }

    /**
     * Frees every device buffer. On a device made unusable by a sticky error it frees nothing and does not throw: the
     * context, and everything allocated in it, is gone. A sticky error first reported here is thrown.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            allocations.release(device);
        }
    }
}
