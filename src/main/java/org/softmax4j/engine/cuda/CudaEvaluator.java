package org.softmax4j.engine.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.ResidentAscent;

/**
 * The CUDA evaluator of one data set. The rows (dense floats, or bit-packed 64-bit words) and labels are uploaded once,
 * and every device buffer is allocated here, in the constructor; an evaluation uploads W and b (and a batch's indices),
 * launches, and reads back K·D + K + 2 doubles.
 *
 * <p><b>Example weights</b> (see {@link org.softmax4j.engine.Engine#bind(Dataset, double[])}): ω_n are converted to
 * floats once, here, and travel with the labels: uploaded beside them when resident, gathered beside them for a
 * batch of the unfused path, copied beside them per chunk when streamed. The kernels scale each row's residuals by ω in
 * float and its log-likelihood by ω in double, as the CPU engine does; the number correct stays unweighted. Without
 * weights the kernels get NULL and the results are those of every ω = 1, bit for bit.
 *
 * <p>Two paths. <b>Fused</b> (K ≤ {@link Kernels#MAX_FUSED_CLASSES}): one fused kernel over the rows on the device's
 * fixed grid, each block writing one row of partial sums, then {@code reduce_partials_kernel} sums the blocks in order.
 * <b>Unfused</b> (larger K, or asked for): the rows are cut into fixed chunks; per chunk the logits (cuBLAS for dense
 * rows when it loads), the softmax with residuals, the gradient and the per-chunk sums, each chunk writing one row of
 * partials, which {@code reduce_partials_kernel} then sums in chunk order. Neither path uses float atomics, so results
 * are bitwise the same from run to run on one GPU.
 *
 * <p><b>Streaming.</b> When the rows and labels do not fit in the free device memory (after the work buffers and a
 * margin), or are larger than {@value #MAX_RESIDENT_BYTES_PROPERTY} (to test this path with small data), they stay on
 * the host and each evaluation copies them again, chunk by chunk, through {@link StreamedRows}: two pinned host
 * buffers and two device buffers, the copy of chunk c+1 on its own stream overlapping the kernels on chunk c. The
 * evaluator then says so once, through the engine's notice consumer. Chunks hold a fixed number of rows, chosen from
 * the device's total memory and the row size (never from timing or the free memory):
 * <ul>
 * <li>fused path: about {@link #streamChunkBytes} per chunk ({@value #DEFAULT_STREAM_CHUNK_BYTES} bytes, at most a
 * sixteenth of the device's memory; {@value #STREAM_CHUNK_BYTES_PROPERTY} sets it). Each chunk's fused launch writes
 * the blocks' partials after a row that carries the running total of the chunks before, and
 * {@code reduce_partials_kernel} adds that row and the blocks in order: the total is ((t₀ + c₀) + c₁) + ... in a
 * fixed order, so bitwise repeatable, and equal to float rounding (not bitwise) to the resident result; bitwise
 * equal when there is one chunk;</li>
 * <li>unfused path: its own chunks (the same rows per chunk as on resident data), so the results are bitwise those
 * of resident data.</li>
 * </ul>
 * Mini-batches gather their rows on the host, into the pinned buffers. Device training works unchanged (it only
 * needs the sums on the device).
 *
 * <p>Not thread-safe: one thread at a time, like the CPU evaluators. Each call makes the device's context current on
 * the calling thread.
 */
public final class CudaEvaluator implements Evaluator, ResidentAscent {
    /** Rows of the unfused path's chunks and of {@link #probabilities} are sized for about this many bytes. */
    static final long CHUNK_BYTES = 16L << 20;
    /** At most this many chunks, so that the per-chunk partials stay small for any N. */
    static final int MAX_CHUNKS = 1024;
    /** System property: data sets (rows and labels) above this many bytes are streamed even when they fit. */
    public static final String MAX_RESIDENT_BYTES_PROPERTY = "softmax4j.cuda.maxResidentBytes";
    /** System property: bytes of rows and labels per streamed chunk of the fused path. */
    public static final String STREAM_CHUNK_BYTES_PROPERTY = "softmax4j.cuda.streamChunkBytes";
    /** Streamed chunk size of the fused path unless set, capped at a sixteenth of the device's total memory. */
    static final long DEFAULT_STREAM_CHUNK_BYTES = 1L << 30;
    /**
     * Device memory left free beside everything the evaluator allocates: 64 MiB, or a sixteenth of the device's memory
     * on a device smaller than 1 GiB (as the CUDA emulator can pretend to be, to exercise the streamed path).
     */
    static final long MARGIN_BYTES = 64L << 20;

    /**
     * When to stream and in which chunks.
     *
     * @param maxResidentBytes data sets above this (rows plus labels, in bytes) are streamed even when they fit
     * @param chunkBytes       bytes of rows and labels per streamed chunk of the fused path; 0 for the default rule
     */
    record Streaming(long maxResidentBytes, long chunkBytes) {
        /** Stream only what does not fit, in chunks of the default size. */
        static final Streaming DEFAULT = new Streaming(Long.MAX_VALUE, 0);

        Streaming {
            if (maxResidentBytes < 0) {
                throw new IllegalArgumentException(MAX_RESIDENT_BYTES_PROPERTY + " is " + maxResidentBytes
                        + ", expected a number of bytes >= 0");
            }
            if (chunkBytes < 0) {
                throw new IllegalArgumentException(STREAM_CHUNK_BYTES_PROPERTY + " is " + chunkBytes
                        + ", expected a number of bytes > 0 (or 0 for the default)");
            }
        }

        /** From {@value #MAX_RESIDENT_BYTES_PROPERTY} and {@value #STREAM_CHUNK_BYTES_PROPERTY}, when set. */
        static Streaming fromSystemProperties() {
            return new Streaming(property(MAX_RESIDENT_BYTES_PROPERTY, Long.MAX_VALUE),
                    property(STREAM_CHUNK_BYTES_PROPERTY, 0));
        }

        private static long property(String name, long absent) {
            String value = System.getProperty(name);
            if (value == null || value.isBlank()) {
                return absent;
            }
            try {
                return Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + name + "=" + value + ": expected a number of bytes", e);
            }
        }
    }

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
    /** ω_n as floats (what the kernels read), or null for none. */
    private final float[] exampleWeightsHost;
    /** Bytes per row beside its values: the label, and the weight when there are weights. */
    private final long sideBytes;
    /** K·D gradient, K bias gradient, log-likelihood, number correct. */
    private final int width;
    private final int chunkRows;
    private final int maxChunks;

    private final List<DeviceBuffer> buffers = new ArrayList<>();
    /** Resident rows and labels; null when streamed. */
    private final DeviceBuffer rows;
    private final DeviceBuffer labels;
    /** Resident example weights (N floats); null when streamed or without weights. */
    private final DeviceBuffer exampleWeights;
    private final DeviceBuffer weights;
    private final DeviceBuffer bias;
    /** Resident fused path: a batch's indices. Null otherwise. */
    private final DeviceBuffer order;
    private final DeviceBuffer out;
    private final DeviceBuffer logits;
    /** Fused: one row of partials per block (streamed: after a row for the running total). Unfused: one per chunk. */
    private final DeviceBuffer partials;
    private final DeviceBuffer rowLogLikelihood;
    private final DeviceBuffer rowCorrect;
    private final DeviceBuffer chunkCorrect;
    private final DeviceBuffer stagingRows;
    private final DeviceBuffer stagingLabels;
    /** A batch's example weights on the resident unfused path; null otherwise. */
    private final DeviceBuffer stagingWeights;
    private final DeviceBuffer ones;
    private final CublasGemm cublas;
    /** Null when the data is resident on the device. */
    private final StreamedRows streamed;
    /** "resident on the device", or the streaming notice. */
    private final String residency;
    private final double[] outHost;
    private final long[] chunkCorrectHost;
    private final float[] stagingDense;
    private final long[] stagingWords;
    private final int[] stagingLabelsHost;
    private final float[] stagingWeightsHost;
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
        this.binary = data instanceof BinaryDataset;
        this.numExamples = data.numExamples();
        this.numFeatures = data.numFeatures();
        this.numClasses = data.numClasses();
        this.fused = preferFused && numClasses <= Kernels.MAX_FUSED_CLASSES;
        this.wordsPerRow = binary ? ((BinaryDataset) data).wordsPerRow() : 0;
        this.rowBytes = binary ? (long) wordsPerRow * Sizeof.LONG : (long) numFeatures * Sizeof.FLOAT;
        this.exampleWeightsHost = toFloats(weightPerExample);
        this.sideBytes = Sizeof.INT + (exampleWeightsHost != null ? Sizeof.FLOAT : 0);
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

        long dataBytes = numExamples * (rowBytes + sideBytes);
        long commonBytes = 2L * ((long) numClasses * numFeatures + numClasses) * Sizeof.FLOAT   // W, b
                + (long) width * Sizeof.DOUBLE                                                   // out
                + (long) chunkRows * numClasses * Sizeof.FLOAT                                   // logits
                + (fused ? 0 : (long) chunkRows * (Sizeof.DOUBLE + Sizeof.INT) + (long) maxChunks * Sizeof.LONG)
                + (useCublas ? (long) chunkRows * Sizeof.FLOAT : 0);                             // ones
        long residentWork = commonBytes
                + (long) numExamples * Sizeof.INT                                                // order
                + (fused ? (long) kernels.fusedGridSize() : maxChunks) * width * Sizeof.DOUBLE   // partials
                + (fused ? 0 : chunkRows * (rowBytes + sideBytes));                              // batch staging
        device.makeCurrent();
        long[] memory = device.memoryInfo();
        long margin = Math.min(MARGIN_BYTES, device.totalMemory() / 16);
        boolean fits = dataBytes + residentWork + margin <= memory[0];
        boolean stream = !fits || dataBytes > streaming.maxResidentBytes();
        int streamRows = 0;
        if (stream) {
            // A row's weight is counted as part of the row: streamRowsPerChunk and bytesFor add the label's bytes.
            long streamedRowBytes = rowBytes + sideBytes - Sizeof.INT;
            streamRows = fused
                    ? streamRowsPerChunk(streaming.chunkBytes(), device.totalMemory(), streamedRowBytes, numExamples)
                    : chunkRows;
            long streamWork = commonBytes
                    + (fused ? kernels.fusedGridSize() + 1L : maxChunks) * width * Sizeof.DOUBLE  // partials
                    + StreamedRows.bytesFor(streamRows, streamedRowBytes);
            if (streamWork + margin > memory[0]) {
                throw new DeviceMemoryException(String.format(
                        "the data set does not fit on %s: its rows and labels take %s and %s of %s are free; "
                                + "streaming them from host memory would still need %s on the device (two chunks "
                                + "of %d rows, %s, and work buffers), use --backend cpu",
                        device.name(), DeviceMemoryException.bytes(dataBytes),
                        DeviceMemoryException.bytes(memory[0]), DeviceMemoryException.bytes(memory[1]),
                        DeviceMemoryException.bytes(streamWork), streamRows,
                        DeviceMemoryException.bytes(StreamedRows.bytesFor(streamRows, streamedRowBytes))), 0);
            }
            String chunk = DeviceMemoryException.bytes(streamRows * (rowBytes + sideBytes));
            String why = fits
                    ? String.format(Locale.ROOT, "above -D%s=%d", MAX_RESIDENT_BYTES_PROPERTY,
                    streaming.maxResidentBytes())
                    : DeviceMemoryException.bytes(memory[0]) + " free on the device";
            this.residency = String.format(Locale.ROOT, "data set is %s, %s: streaming it in chunks of %s (%d rows) "
                            + "from pinned host memory (each evaluation copies the data again)",
                    DeviceMemoryException.bytes(dataBytes), why, chunk, streamRows);
        } else {
            this.residency = "resident on the device";
        }
        StreamedRows made = null;
        try {
            if (stream) {
                rows = null;
                labels = null;
                exampleWeights = null;
                order = null;
            } else {
                rows = add("rows (" + numExamples + " x " + rowBytes + " bytes)", numExamples * rowBytes);
                labels = add("labels (" + numExamples + " ints)", (long) numExamples * Sizeof.INT);
                exampleWeights = exampleWeightsHost == null ? null
                        : add("example weights (" + numExamples + " floats)", (long) numExamples * Sizeof.FLOAT);
                order = fused ? add("batch order (" + numExamples + " ints)", (long) numExamples * Sizeof.INT) : null;
            }
            weights = add("weights (" + numClasses + "x" + numFeatures + " floats)",
                    (long) numClasses * numFeatures * Sizeof.FLOAT);
            bias = add("bias (" + numClasses + " floats)", (long) numClasses * Sizeof.FLOAT);
            out = add("sums (" + width + " doubles)", (long) width * Sizeof.DOUBLE);
            logits = add("logits (" + chunkRows + "x" + numClasses + " floats)",
                    (long) chunkRows * numClasses * Sizeof.FLOAT);
            long partialRows = fused ? kernels.fusedGridSize() + (stream ? 1L : 0L) : maxChunks;
            partials = add("partial sums (" + partialRows + "x" + width + " doubles)",
                    partialRows * width * Sizeof.DOUBLE);
            if (stream) {
                // The rows and labels stay on the host: StreamedRows, allocated last, copies them per evaluation.
            } else if (binary) {
                long[] words = ((BinaryDataset) data).words();
                rows.upload(Pointer.to(words), 0, (long) words.length * Sizeof.LONG);
                labels.upload(Pointer.to(((BinaryDataset) data).labels()), 0, (long) numExamples * Sizeof.INT);
            } else {
                float[] values = ((DenseDataset) data).values();
                rows.upload(Pointer.to(values), 0, (long) values.length * Sizeof.FLOAT);
                labels.upload(Pointer.to(((DenseDataset) data).labels()), 0, (long) numExamples * Sizeof.INT);
            }
            if (exampleWeights != null) {
                exampleWeights.upload(Pointer.to(exampleWeightsHost), 0, (long) numExamples * Sizeof.FLOAT);
            }
            if (fused) {
                rowLogLikelihood = null;
                rowCorrect = null;
                chunkCorrect = null;
                chunkCorrectHost = null;
            } else {
                // Unused slots of the chunk partials (the count column) must not hold NaN bit patterns.
                partials.fill32(0);
                rowLogLikelihood = add("row log-likelihoods (" + chunkRows + " doubles)",
                        (long) chunkRows * Sizeof.DOUBLE);
                rowCorrect = add("row hits (" + chunkRows + " ints)", (long) chunkRows * Sizeof.INT);
                chunkCorrect = add("chunk hits (" + maxChunks + " longs)", (long) maxChunks * Sizeof.LONG);
                chunkCorrectHost = new long[maxChunks];
            }
            if (fused || stream) {
                stagingRows = null;
                stagingLabels = null;
                stagingWeights = null;
                stagingDense = null;
                stagingWords = null;
                stagingLabelsHost = null;
                stagingWeightsHost = null;
            } else {
                stagingRows = add("batch rows (" + chunkRows + " rows)", chunkRows * rowBytes);
                stagingLabels = add("batch labels (" + chunkRows + " ints)", (long) chunkRows * Sizeof.INT);
                stagingWeights = exampleWeightsHost == null ? null
                        : add("batch example weights (" + chunkRows + " floats)", (long) chunkRows * Sizeof.FLOAT);
                stagingDense = binary ? null : new float[chunkRows * numFeatures];
                stagingWords = binary ? new long[chunkRows * wordsPerRow] : null;
                stagingLabelsHost = new int[chunkRows];
                stagingWeightsHost = exampleWeightsHost == null ? null : new float[chunkRows];
            }
            if (useCublas) {
                ones = add("ones (" + chunkRows + " floats)", (long) chunkRows * Sizeof.FLOAT);
                ones.fill32(Float.floatToRawIntBits(1f));
                cublas = CublasGemm.create();
            } else {
                ones = null;
                cublas = null;
            }
            if (stream) {
                made = new StreamedRows(data, exampleWeightsHost, streamRows);
            }
            streamed = made;
            outHost = new double[width];
        } catch (RuntimeException | Error e) {
            try {
                if (made != null) {
                    made.close();
                }
                closeBuffers();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        if (stream) {
            notices.accept(residency);
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

    /**
     * Rows per streamed chunk of the fused path: {@code chunkBytes} of rows and labels (when 0,
     * {@value #DEFAULT_STREAM_CHUNK_BYTES} but at most a sixteenth of {@code totalMemory}), at least one row, at most
     * N rows and less than 2 GiB. Depends only on the device and the data's shape, so that the results do too.
     */
    static int streamRowsPerChunk(long chunkBytes, long totalMemory, long rowBytes, int numExamples) {
        long target = chunkBytes > 0 ? chunkBytes : Math.min(DEFAULT_STREAM_CHUNK_BYTES, totalMemory / 16);
        long perRow = rowBytes + Sizeof.INT;
        long rows = Math.max(1, target / perRow);
        rows = Math.min(rows, Math.max(1, (Integer.MAX_VALUE - 8) / perRow));
        rows = Math.min(rows, Math.max(1, numExamples));
        return (int) rows;
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
        return (fused ? "fused kernels" : "unfused kernels" + (cublas != null ? " (logits by cuBLAS)" : ""))
                + (streamed != null ? ", streamed in chunks of " + streamed.rowsPerChunk() + " rows" : "");
    }

    /** Whether the rows stay in host memory and are copied to the device chunk by chunk at every evaluation. */
    public boolean streaming() {
        return streamed != null;
    }

    /** Rows per streamed chunk; 0 when the data is resident. */
    int streamedRowsPerChunk() {
        return streamed == null ? 0 : streamed.rowsPerChunk();
    }

    /** "resident on the device", or the line that was given to the notices when the data is streamed. */
    public String residency() {
        return residency;
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
        Evaluator.checkBatch(numExamples, examples, from, to);
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
        if (streamed != null) {
            return streamedSums(w, b, examples, from, to);
        }
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
            // Weights are indexed like the labels, by the row's data index: the batch's order applies to both.
            CUdeviceptr weightsPointer = exampleWeights == null ? null : exampleWeights.pointer();
            if (binary) {
                kernels.fusedBinary(rows.pointer(), wordsPerRow, labels.pointer(), weightsPointer, orderPointer,
                        start, count, w, b, numFeatures, numClasses, partials.pointer());
            } else {
                kernels.fusedDense(rows.pointer(), labels.pointer(), weightsPointer, orderPointer, start, count, w, b,
                        numFeatures, numClasses, partials.pointer());
            }
            kernels.reducePartials(partials.pointer(), kernels.fusedGridSize(), width, out.pointer());
            return -1;
        }
        int chunks = Math.max(1, (count + chunkRows - 1) / chunkRows);
        for (int chunk = 0; chunk < chunks; chunk++) {
            int first = from + chunk * chunkRows;
            int size = Math.min(chunkRows, to - first);
            if (examples == null) {
                unfusedChunk(chunk, size, rows.at(first * rowBytes), labels.at((long) first * Sizeof.INT),
                        exampleWeights == null ? null : exampleWeights.at((long) first * Sizeof.FLOAT), w, b);
            } else {
                gather(examples, first, size);
                unfusedChunk(chunk, size, stagingRows.pointer(), stagingLabels.pointer(),
                        stagingWeights == null ? null : stagingWeights.pointer(), w, b);
            }
        }
        return unfusedTotal(chunks);
    }

    /**
     * The streamed version of {@link #sums}: chunk c's rows arrive through {@link StreamedRows} while chunk c-1 is
     * computed on. Fused: partials row 0 carries the total of the chunks before (zeros for the first), rows 1..grid
     * get the chunk's blocks, and {@code reduce_partials_kernel} adds all of them, in order, into {@link #out}, which
     * is copied back to row 0 for the next chunk. Unfused: the chunks are those of resident data.
     */
    private long streamedSums(CUdeviceptr w, CUdeviceptr b, int[] examples, int from, int to) {
        int count = to - from;
        int perChunk = streamed.rowsPerChunk();
        int chunks = Math.max(1, (count + perChunk - 1) / perChunk);
        int grid = kernels.fusedGridSize();
        long rowBytesOfPartials = (long) width * Sizeof.DOUBLE;
        if (fused) {
            Driver.check("cuMemsetD32Async(running total)", JCudaDriver.cuMemsetD32Async(partials.pointer(), 0,
                    rowBytesOfPartials / 4, StreamedRows.DEFAULT_STREAM));
        }
        streamed.prefetch(0, examples, from, Math.min(perChunk, count));
        for (int chunk = 0; chunk < chunks; chunk++) {
            int first = from + chunk * perChunk;
            int size = Math.min(perChunk, to - first);
            streamed.awaitOnDevice(chunk);
            if (fused) {
                if (binary) {
                    kernels.fusedBinary(streamed.rows(chunk), wordsPerRow, streamed.labels(chunk),
                            streamed.weights(chunk), null, 0, size, w, b, numFeatures, numClasses,
                            partials.at(rowBytesOfPartials));
                } else {
                    kernels.fusedDense(streamed.rows(chunk), streamed.labels(chunk), streamed.weights(chunk), null, 0,
                            size, w, b, numFeatures, numClasses, partials.at(rowBytesOfPartials));
                }
                kernels.reducePartials(partials.pointer(), grid + 1, width, out.pointer());
                if (chunk + 1 < chunks) {
                    Driver.check("cuMemcpyDtoDAsync(running total)", JCudaDriver.cuMemcpyDtoDAsync(
                            partials.pointer(), out.pointer(), rowBytesOfPartials, StreamedRows.DEFAULT_STREAM));
                }
            } else {
                unfusedChunk(chunk, size, streamed.rows(chunk), streamed.labels(chunk), streamed.weights(chunk), w,
                        b);
            }
            streamed.release(chunk);
            if (chunk + 1 < chunks) {
                int next = first + perChunk;
                streamed.prefetch(chunk + 1, examples, next, Math.min(perChunk, to - next));
            }
        }
        return fused ? -1 : unfusedTotal(chunks);
    }

    /**
     * The unfused kernels on one chunk of {@code size} rows, into row {@code chunk} of the partials.
     *
     * @param chunkWeights the chunk's example weights, row for row with its labels, or null for none
     */
    private void unfusedChunk(int chunk, int size, CUdeviceptr chunkRowsPointer, CUdeviceptr chunkLabels,
                              CUdeviceptr chunkWeights, CUdeviceptr w, CUdeviceptr b) {
        int gradientSize = numClasses * numFeatures;
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
            kernels.softmaxResidual(z, chunkLabels, chunkWeights, rowLogLikelihood.pointer(), rowCorrect.pointer(),
                    size, numClasses);
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

    /** Sums the unfused path's {@code chunks} rows of partials into {@link #out}; returns the number correct. */
    private long unfusedTotal(int chunks) {
        kernels.reducePartials(partials.pointer(), chunks, width, out.pointer());
        chunkCorrect.download(Pointer.to(chunkCorrectHost), 0, (long) chunks * Sizeof.LONG);
        long correct = 0;
        for (int chunk = 0; chunk < chunks; chunk++) {
            correct += chunkCorrectHost[chunk];
        }
        return correct;
    }

    /**
     * Copies rows {@code examples[first..first+size)}, their labels and their weights to the staging buffers, on the
     * host and then the device.
     */
    private void gather(int[] examples, int first, int size) {
        if (binary) {
            long[] words = ((BinaryDataset) data).words();
            for (int i = 0; i < size; i++) {
                int n = examples[first + i];
                System.arraycopy(words, n * wordsPerRow, stagingWords, i * wordsPerRow, wordsPerRow);
                stagingLabelsHost[i] = data.label(n);
            }
            stagingRows.upload(Pointer.to(stagingWords), 0, size * rowBytes);
        } else {
            float[] values = ((DenseDataset) data).values();
            for (int i = 0; i < size; i++) {
                int n = examples[first + i];
                System.arraycopy(values, n * numFeatures, stagingDense, i * numFeatures, numFeatures);
                stagingLabelsHost[i] = data.label(n);
            }
            stagingRows.upload(Pointer.to(stagingDense), 0, size * rowBytes);
        }
        stagingLabels.upload(Pointer.to(stagingLabelsHost), 0, (long) size * Sizeof.INT);
        if (stagingWeights != null) {
            for (int i = 0; i < size; i++) {
                stagingWeightsHost[i] = exampleWeightsHost[examples[first + i]];
            }
            stagingWeights.upload(Pointer.to(stagingWeightsHost), 0, (long) size * Sizeof.FLOAT);
        }
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
        if (streamed != null) {
            streamedProbabilities(probabilities);
            return;
        }
        for (int first = 0; first < numExamples; first += chunkRows) {
            probabilitiesOf(rows.at(first * rowBytes), first, Math.min(chunkRows, numExamples - first),
                    probabilities);
        }
    }

    /** The streamed version of {@link #probabilities}: each streamed chunk in pieces of {@link #chunkRows}. */
    private void streamedProbabilities(float[] probabilities) {
        int perChunk = streamed.rowsPerChunk();
        int chunks = (numExamples + perChunk - 1) / perChunk;
        if (chunks == 0) {
            return;
        }
        streamed.prefetch(0, null, 0, Math.min(perChunk, numExamples));
        for (int chunk = 0; chunk < chunks; chunk++) {
            int first = chunk * perChunk;
            int size = Math.min(perChunk, numExamples - first);
            streamed.awaitOnDevice(chunk);
            if (chunk + 1 < chunks) {
                // Its stage was released after chunk - 1, so the copy can run while this chunk is computed on.
                int next = first + perChunk;
                streamed.prefetch(chunk + 1, null, next, Math.min(perChunk, numExamples - next));
            }
            for (int row = 0; row < size; row += chunkRows) {
                probabilitiesOf(streamed.rows(chunk, row), first + row, Math.min(chunkRows, size - row),
                        probabilities);
            }
            streamed.release(chunk);
        }
    }

    /** Probabilities of {@code size} rows at {@code chunk} (examples from {@code first} on) into the host array. */
    private void probabilitiesOf(CUdeviceptr chunk, int first, int size, float[] probabilities) {
        CUdeviceptr z = logits.pointer();
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

    /**
     * Starts a run of ascent steps whose W and b stay on the device: each {@link DeviceTraining#step} evaluates and
     * updates there and reads back only the log-likelihood. The evaluator's own {@link #evaluate} calls stay usable
     * meanwhile (they use their own parameter buffers). Close the returned object to free its two buffers.
     *
     * @param start   initial parameters (not modified)
     * @param fitBias false: b stays at {@code start}'s bias (a model without a bias), see {@link #ascend}
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
        start.checkShape(numClasses, numFeatures);
        device.makeCurrent();
        return new DeviceTraining(this, start, fitBias);
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

    /**
     * Evaluates at (w, b) on the rows, applies the ascent update to (w, b), returns L before the update. With
     * {@code fitBias} false, ∂L/∂b is zeroed on the device (in stream order, between the sums and the update) before
     * the update kernel reads it, so b += step·0 leaves b as it was: the kernel stays the one of the biased model.
     */
    double ascend(DeviceBuffer w, DeviceBuffer b, int[] examples, int from, int to, double learningRate,
                  double lambda, boolean fitBias) {
        checkOpen();
        Evaluator.checkBatch(numExamples, examples, from, to);
        device.makeCurrent();
        int count = to - from;
        sums(w.pointer(), b.pointer(), examples, from, to);
        int gradientSize = numClasses * numFeatures;
        double step = learningRate / count;
        double lambdaShare = lambda * count / numExamples;
        if (!fitBias) {
            Driver.check("cuMemsetD32Async(bias gradient)", JCudaDriver.cuMemsetD32Async(
                    out.at((long) gradientSize * Sizeof.DOUBLE), 0, (long) numClasses * Sizeof.DOUBLE / 4,
                    StreamedRows.DEFAULT_STREAM));
        }
        kernels.ascentUpdate(w.pointer(), b.pointer(), out.pointer(), out.at((long) gradientSize * Sizeof.DOUBLE),
                step, lambdaShare, numClasses, numFeatures);
        double[] logLikelihood = new double[1];
        out.download(Pointer.to(logLikelihood), (long) (gradientSize + numClasses) * Sizeof.DOUBLE, Sizeof.DOUBLE);
        return logLikelihood[0];
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
            if (device.unusableReason() != null) {
                buffers.clear();
                return;
            }
            device.makeCurrent();
            closeBuffers();
        }
    }

    private void closeBuffers() {
        RuntimeException first = null;
        if (streamedOrNull() != null) {
            try {
                // First: it waits for the device to finish with every buffer before anything is freed.
                streamed.close();
            } catch (RuntimeException e) {
                first = e;
            }
        }
        if (cublasOrNull() != null) {
            try {
                cublas.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
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

    /** Null when resident, or while the constructor has not set it yet. */
    private StreamedRows streamedOrNull() {
        return streamed;
    }
}
