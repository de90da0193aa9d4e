package org.softmax4j.engine.cuda;

import java.util.Locale;

import jcuda.Sizeof;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;

/**
 * What a {@link CudaEvaluator} allocates and runs, decided once at bind: the kernel path (fused when K ≤
 * {@link Kernels#MAX_FUSED_CLASSES} and asked for, else unfused), whether cuBLAS computes the dense logits, the rows
 * per chunk, and whether the rows stay on the device or are streamed from host memory (and in chunks of how many rows).
 * A pure function of the data's shape, the device's memory and fused grid, and the {@link Streaming} settings: no CUDA
 * call, so DevicePlanTest and StreamingRuleTest check it without a GPU. Chunk sizes depend only on the shape and the
 * device's total memory (never on timing or the free memory), so that the order of the sums, and with it the results,
 * is fixed per device.
 *
 * @param shape         the data's shape
 * @param fused         the fused kernels (one pass per chunk), else the unfused ones (logits, softmax, gradient, sums)
 * @param cublas        cuBLAS computes the logits (unfused path, dense rows, cuBLAS usable)
 * @param width         doubles per row of partial sums: K·D gradient, K bias gradient, log-likelihood, number correct
 * @param chunkRows     rows per chunk of the unfused path, of the logits buffer and of {@code probabilities}
 * @param maxChunks     chunks of {@code chunkRows} that N rows make (rows of the unfused path's partials)
 * @param fusedGridSize blocks of every fused launch on this device
 * @param streamed      the rows stay in host memory and are copied per evaluation
 * @param streamRows    rows per streamed chunk (0 when resident)
 * @param residency     "resident on the device", or the notice that says why and how the data is streamed
 */
record DevicePlan(Shape shape, boolean fused, boolean cublas, int width, int chunkRows, int maxChunks,
                  int fusedGridSize, boolean streamed, int streamRows, String residency) {
    /**
     * Rows of the unfused path's chunks and of {@code probabilities} are sized for about this many bytes of rows (or
     * logits): big enough that a launch keeps the GPU busy, small enough that the logits buffer stays small.
     */
    static final long CHUNK_BYTES = 16L << 20;
    /** At most this many chunks, so that the per-chunk partials (one row of K·D + K + 2 doubles each) stay small. */
    static final int MAX_CHUNKS = 1024;
    /**
     * Streamed chunk size of the fused path unless set, capped at a sixteenth of the device's total memory: large
     * enough that the per-chunk launch and copy overheads vanish, small enough for two stages on any device.
     */
    static final long DEFAULT_STREAM_CHUNK_BYTES = 1L << 30;
    /**
     * Device memory left free beside everything the evaluator allocates, for the driver and the kernels' own needs: 64
     * MiB, or a sixteenth of the device's memory on a device smaller than 1 GiB (as the CUDA emulator can pretend to
     * be, to exercise the streamed path).
     */
    static final long MARGIN_BYTES = 64L << 20;

    /**
     * The data's shape as the kernels see it.
     *
     * @param wordsPerRow 64-bit words per binary row; 0 for dense rows
     * @param weighted    whether example weights travel beside the labels
     */
    record Shape(int numExamples, int numFeatures, int numClasses, boolean binary, int wordsPerRow,
                 boolean weighted) {
        static Shape of(Dataset data, boolean weighted) {
            boolean binary = data instanceof BinaryDataset;
            return new Shape(data.numExamples(), data.numFeatures(), data.numClasses(), binary,
                    binary ? ((BinaryDataset) data).wordsPerRow() : 0, weighted);
        }

        /** Bytes of one row's values. */
        long rowBytes() {
            return binary ? (long) wordsPerRow * Sizeof.LONG : (long) numFeatures * Sizeof.FLOAT;
        }

        /** Bytes per row beside its values: the label, and the weight when there are weights. */
        long sideBytes() {
            return Sizeof.INT + (weighted ? Sizeof.FLOAT : 0);
        }

        /** Bytes of the rows, labels and weights. */
        long dataBytes() {
            return numExamples * (rowBytes() + sideBytes());
        }
    }

    /**
     * What the plan needs to know of the device, read once at bind.
     *
     * @param name            for messages
     * @param freeBytes       free device memory now
     * @param totalBytes      the device's memory
     * @param fusedGridSize   blocks of every fused launch
     * @param cublasAvailable whether cuBLAS loaded
     */
    record Device(String name, long freeBytes, long totalBytes, int fusedGridSize, boolean cublasAvailable) {
    }

    /**
     * The plan for {@code shape} on {@code device}.
     *
     * @param preferFused false for the unfused kernels even where the fused ones apply
     * @throws IllegalArgumentException when K·D is too large for the CUDA engine
     * @throws DeviceMemoryException    when the data does not fit on the device even streamed, with the sizes
     */
    static DevicePlan of(Shape shape, Device device, boolean preferFused, Streaming streaming) {
        int numExamples = shape.numExamples();
        int numClasses = shape.numClasses();
        boolean fused = preferFused && numClasses <= Kernels.MAX_FUSED_CLASSES;
        long rowBytes = shape.rowBytes();
        long sideBytes = shape.sideBytes();
        long widthLong = (long) numClasses * shape.numFeatures() + numClasses + 2;
        if (widthLong > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException(numClasses + " classes x " + shape.numFeatures()
                    + " features is too many parameters for the CUDA engine");
        }
        int width = (int) widthLong;
        int rowsForBytes = (int) Math.max(1, CHUNK_BYTES / Math.max(rowBytes, (long) numClasses * Sizeof.FLOAT));
        int rowsForCount = (int) ((numExamples + (long) MAX_CHUNKS - 1) / MAX_CHUNKS);
        int chunkRows = Math.max(1, Math.min(Math.max(numExamples, 1), Math.max(rowsForBytes, rowsForCount)));
        int maxChunks = Math.max(1, (numExamples + chunkRows - 1) / chunkRows);
        boolean cublas = !fused && !shape.binary() && device.cublasAvailable();
        int grid = device.fusedGridSize();

        long dataBytes = shape.dataBytes();
        long commonBytes = 2L * ((long) numClasses * shape.numFeatures() + numClasses) * Sizeof.FLOAT  // W, b
                + (long) width * Sizeof.DOUBLE                                                          // out
                + (long) chunkRows * numClasses * Sizeof.FLOAT                                          // logits
                + (fused ? 0 : (long) chunkRows * (Sizeof.DOUBLE + Sizeof.INT) + (long) maxChunks * Sizeof.LONG)
                + (cublas ? (long) chunkRows * Sizeof.FLOAT : 0);                                       // ones
        long residentWork = commonBytes
                + (long) numExamples * Sizeof.INT                                                       // order
                + (fused ? (long) grid : maxChunks) * width * Sizeof.DOUBLE                             // partials
                + (fused ? 0 : chunkRows * (rowBytes + sideBytes));                                     // staging
        long margin = Math.min(MARGIN_BYTES, device.totalBytes() / 16);
        boolean fits = dataBytes + residentWork + margin <= device.freeBytes();
        if (fits && dataBytes <= streaming.maxResidentBytes()) {
            return new DevicePlan(shape, fused, cublas, width, chunkRows, maxChunks, grid, false, 0,
                    "resident on the device");
        }
        // A row's weight is counted as part of the row: streamRowsPerChunk and bytesFor add the label's bytes.
        long streamedRowBytes = rowBytes + sideBytes - Sizeof.INT;
        int streamRows = fused
                ? streamRowsPerChunk(streaming.chunkBytes(), device.totalBytes(), streamedRowBytes, numExamples)
                : chunkRows;
        long streamWork = commonBytes
                + (fused ? grid + 1L : maxChunks) * width * Sizeof.DOUBLE                                // partials
                + StreamedRows.bytesFor(streamRows, streamedRowBytes);
        if (streamWork + margin > device.freeBytes()) {
            throw new DeviceMemoryException(String.format(
                    "the data set does not fit on %s: its rows and labels take %s and %s of %s are free; "
                            + "streaming them from host memory would still need %s on the device (two chunks "
                            + "of %d rows, %s, and work buffers), use --backend cpu",
                    device.name(), DeviceMemoryException.bytes(dataBytes),
                    DeviceMemoryException.bytes(device.freeBytes()), DeviceMemoryException.bytes(device.totalBytes()),
                    DeviceMemoryException.bytes(streamWork), streamRows,
                    DeviceMemoryException.bytes(StreamedRows.bytesFor(streamRows, streamedRowBytes))), 0);
        }
        String chunk = DeviceMemoryException.bytes(streamRows * (rowBytes + sideBytes));
        String why = fits
                ? String.format(Locale.ROOT, "above -D%s=%d", CudaEvaluator.MAX_RESIDENT_BYTES_PROPERTY,
                streaming.maxResidentBytes())
                : DeviceMemoryException.bytes(device.freeBytes()) + " free on the device";
        String residency = String.format(Locale.ROOT, "data set is %s, %s: streaming it in chunks of %s (%d rows) "
                        + "from pinned host memory (each evaluation copies the data again)",
                DeviceMemoryException.bytes(dataBytes), why, chunk, streamRows);
        return new DevicePlan(shape, fused, cublas, width, chunkRows, maxChunks, grid, true, streamRows, residency);
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

    /**
     * Rows of partial sums: fused, one per block (streamed: after a row that carries the running total of the chunks
     * before); unfused, one per chunk.
     */
    long partialRows() {
        return fused ? fusedGridSize + (streamed ? 1L : 0L) : maxChunks;
    }

    /** Rows per chunk of resident rows in data order: all for the fused kernels (one launch), else chunkRows. */
    int residentChunkRows() {
        return fused ? Math.max(1, shape.numExamples()) : chunkRows;
    }
}
