package org.softmax4j.engine.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;

/**
 * The rows and labels (and the example weights, when there are any) of a data set that stays in host memory, copied
 * to the device one chunk of {@link #rowsPerChunk()} rows at a time, for {@link CudaEvaluator} when the data does not
 * fit on the device. A chunk's weights travel beside its labels, in the same order.
 *
 * <p>{@value #STAGES} stages, each a pinned host buffer (cuMemHostAlloc) and a device buffer of one chunk. Chunk c uses
 * stage c % {@value #STAGES}. The copies run on a stream of their own (non-blocking); the kernels run on the legacy
 * default stream, where {@link Kernels} launches them. Two events per stage order the streams:
 * <ul>
 * <li>{@code copied[s]}, recorded on the copy stream after the chunk's host-to-device copies: the kernels wait for it
 * ({@link #awaitOnDevice}), and the host waits for it before it writes the pinned buffer again;</li>
 * <li>{@code consumed[s]}, recorded on the default stream after the kernels that read the chunk ({@link #release}):
 * the next copy into that device buffer waits for it.</li>
 * </ul>
 * {@link #forEachChunk} runs the loop: {@code prefetch(0)}; for each chunk c: {@code awaitOnDevice(c)},
 * {@code prefetch(c + 1)}, the visitor's kernels on chunk c, {@code release(c)}. The host fills the pinned buffer of
 * chunk c+1 (gathering batch rows there) while the device still works on chunk c-1 and copies chunk c; its copy then
 * runs while the kernels work on chunk c. The stage of chunk c+1 was last used by chunk c-1, released before.
 *
 * <p>Only the order of work changes with timing, never which rows a chunk holds or how a kernel sums them: results are
 * as repeatable as on resident data. Not thread-safe; the caller makes the context current.
 */
final class StreamedRows implements RowSource, AutoCloseable {
    /** Chunks in flight: one being copied while the previous one is being computed on. */
    static final int STAGES = 2;
    /** The legacy default stream, on which {@link Kernels} launches. */
    static final CUstream DEFAULT_STREAM = new CUstream();

    private final Dataset data;
    /** ω_n as floats, or null (no weights: nothing to copy, {@link #weights} answers null). */
    private final float[] exampleWeights;
    private final boolean binary;
    private final int numExamples;
    /** 64-bit words (binary) or floats (dense) per row. */
    private final int valuesPerRow;
    private final long rowBytes;
    private final int rowsPerChunk;

    private final Pointer[] pinnedRows = new Pointer[STAGES];
    private final Pointer[] pinnedLabels = new Pointer[STAGES];
    private final LongBuffer[] pinnedWords = new LongBuffer[STAGES];
    private final FloatBuffer[] pinnedFloats = new FloatBuffer[STAGES];
    private final IntBuffer[] pinnedLabelValues = new IntBuffer[STAGES];
    private final Pointer[] pinnedWeights = new Pointer[STAGES];
    private final FloatBuffer[] pinnedWeightValues = new FloatBuffer[STAGES];
    private final DeviceBuffer[] deviceRows = new DeviceBuffer[STAGES];
    private final DeviceBuffer[] deviceLabels = new DeviceBuffer[STAGES];
    private final DeviceBuffer[] deviceWeights = new DeviceBuffer[STAGES];
    private final CUevent[] copied = new CUevent[STAGES];
    private final CUevent[] consumed = new CUevent[STAGES];
    private final Chunk chunk = new Chunk();
    private CUstream copyStream;
    private boolean closed;

    /**
     * Allocates the pinned and device buffers of every stage, the copy stream and the events.
     *
     * @param exampleWeights ω_n per example as floats (N values, not copied: the caller keeps them unchanged), or null
     * @param rowsPerChunk   rows per chunk, at least 1; chunk bytes must stay below 2 GiB (one NIO buffer)
     * @throws DeviceMemoryException when the device or the pinned host memory is short, with the sizes
     */
    StreamedRows(Dataset data, float[] exampleWeights, int rowsPerChunk) {
        this.data = data;
        this.exampleWeights = exampleWeights;
        this.binary = data instanceof BinaryDataset;
        this.numExamples = data.numExamples();
        this.valuesPerRow = binary ? ((BinaryDataset) data).wordsPerRow() : data.numFeatures();
        this.rowBytes = binary ? (long) valuesPerRow * Sizeof.LONG : (long) valuesPerRow * Sizeof.FLOAT;
        if (rowsPerChunk < 1 || rowsPerChunk * rowBytes > Integer.MAX_VALUE
                || (long) rowsPerChunk * Sizeof.INT > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("chunks of " + rowsPerChunk + " rows of " + rowBytes
                    + " bytes: expected 1 row or more and less than 2 GiB");
        }
        this.rowsPerChunk = rowsPerChunk;
        try {
            CUstream stream = new CUstream();
            Driver.check("cuStreamCreate(copy stream)",
                    JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING));
            copyStream = stream;
            for (int s = 0; s < STAGES; s++) {
                String stage = "stage " + s;
                pinnedRows[s] = pinned("pinned rows, " + stage + " (" + rowsPerChunk + " x " + rowBytes + " bytes)",
                        rowsPerChunk * rowBytes);
                ByteBuffer rowBuffer = pinnedRows[s].getByteBuffer(0, Math.max(8, rowsPerChunk * rowBytes))
                        .order(ByteOrder.nativeOrder());
                if (binary) {
                    pinnedWords[s] = rowBuffer.asLongBuffer();
                } else {
                    pinnedFloats[s] = rowBuffer.asFloatBuffer();
                }
                pinnedLabels[s] = pinned("pinned labels, " + stage + " (" + rowsPerChunk + " ints)",
                        (long) rowsPerChunk * Sizeof.INT);
                pinnedLabelValues[s] = pinnedLabels[s].getByteBuffer(0, Math.max(8, (long) rowsPerChunk * Sizeof.INT))
                        .order(ByteOrder.nativeOrder()).asIntBuffer();
                deviceRows[s] = DeviceBuffer.allocate("streamed rows, " + stage + " (" + rowsPerChunk + " x "
                        + rowBytes + " bytes)", rowsPerChunk * rowBytes);
                deviceLabels[s] = DeviceBuffer.allocate("streamed labels, " + stage + " (" + rowsPerChunk + " ints)",
                        (long) rowsPerChunk * Sizeof.INT);
                if (exampleWeights != null) {
                    pinnedWeights[s] = pinned("pinned example weights, " + stage + " (" + rowsPerChunk + " floats)",
                            (long) rowsPerChunk * Sizeof.FLOAT);
                    pinnedWeightValues[s] = pinnedWeights[s]
                            .getByteBuffer(0, Math.max(8, (long) rowsPerChunk * Sizeof.FLOAT))
                            .order(ByteOrder.nativeOrder()).asFloatBuffer();
                    deviceWeights[s] = DeviceBuffer.allocate("streamed example weights, " + stage + " ("
                            + rowsPerChunk + " floats)", (long) rowsPerChunk * Sizeof.FLOAT);
                }
                copied[s] = event("copied, " + stage);
                consumed[s] = event("consumed, " + stage);
            }
        } catch (RuntimeException | Error e) {
            try {
                close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static Pointer pinned(String what, long bytes) {
        long size = Math.max(8, bytes);
        Pointer pointer = new Pointer();
        int result = JCudaDriver.cuMemHostAlloc(pointer, size, 0);
        if (result == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            throw new DeviceMemoryException("out of pinned host memory: " + what + " needs "
                    + DeviceMemoryException.bytes(size) + " (cuMemHostAlloc: " + CUresult.stringFor(result)
                    + "); free host memory, or use --backend cpu", result);
        }
        Driver.check("cuMemHostAlloc(" + what + ", " + DeviceMemoryException.bytes(size) + ")", result);
        return pointer;
    }

    private static CUevent event(String what) {
        CUevent event = new CUevent();
        Driver.check("cuEventCreate(" + what + ")",
                JCudaDriver.cuEventCreate(event, CUevent_flags.CU_EVENT_DISABLE_TIMING));
        return event;
    }

    int rowsPerChunk() {
        return rowsPerChunk;
    }

    @Override
    public void forEachChunk(int[] examples, int from, int to, ChunkVisitor visitor) {
        int count = to - from;
        int chunks = Math.max(1, (count + rowsPerChunk - 1) / rowsPerChunk);
        prefetch(0, examples, from, Math.min(rowsPerChunk, count));
        for (int index = 0; index < chunks; index++) {
            int offset = index * rowsPerChunk;
            int size = Math.min(rowsPerChunk, count - offset);
            awaitOnDevice(index);
            if (index + 1 < chunks) {
                int next = offset + rowsPerChunk;
                prefetch(index + 1, examples, from + next, Math.min(rowsPerChunk, count - next));
            }
            int s = index % STAGES;
            visitor.visit(chunk.set(index, index + 1 == chunks, offset, size, deviceRows[s], 0, deviceLabels[s], 0,
                    deviceWeights[s], 0, null));
            release(index);
        }
    }

    /**
     * Bytes of device memory and of pinned host memory that {@code rowsPerChunk} rows of {@code rowBytes} take (with
     * example weights, count each row's weight in {@code rowBytes}).
     */
    static long bytesFor(int rowsPerChunk, long rowBytes) {
        return STAGES * (long) rowsPerChunk * (rowBytes + Sizeof.INT);
    }

    /**
     * Fills chunk {@code chunk}'s pinned buffers with rows {@code first..first+size} (through {@code examples} when not
     * null) and starts their copy to the device. Waits (on the host) only for the copy that last used these pinned
     * buffers, two chunks back.
     */
    void prefetch(int chunk, int[] examples, int first, int size) {
        checkOpen();
        if (size < 0 || size > rowsPerChunk) {
            throw new IllegalArgumentException("chunk " + chunk + " has " + size + " rows, expected 0.."
                    + rowsPerChunk);
        }
        int s = chunk % STAGES;
        // Every check builds its message only on failure: a training step allocates nothing.
        int result = JCudaDriver.cuEventSynchronize(copied[s]);
        if (result != CUresult.CUDA_SUCCESS) {
            Driver.check("cuEventSynchronize(copied, stage " + s + ")", result);
        }
        fill(s, examples, first, size);
        result = JCudaDriver.cuStreamWaitEvent(copyStream, consumed[s], 0);
        if (result != CUresult.CUDA_SUCCESS) {
            Driver.check("cuStreamWaitEvent(copy stream, consumed, stage " + s + ")", result);
        }
        if (size > 0) {
            result = JCudaDriver.cuMemcpyHtoDAsync(deviceRows[s].pointer(), pinnedRows[s], size * rowBytes,
                    copyStream);
            if (result != CUresult.CUDA_SUCCESS) {
                Driver.check("cuMemcpyHtoDAsync(streamed rows, chunk " + chunk + ", " + size * rowBytes + " bytes)",
                        result);
            }
            result = JCudaDriver.cuMemcpyHtoDAsync(deviceLabels[s].pointer(), pinnedLabels[s],
                    (long) size * Sizeof.INT, copyStream);
            if (result != CUresult.CUDA_SUCCESS) {
                Driver.check("cuMemcpyHtoDAsync(streamed labels, chunk " + chunk + ")", result);
            }
            if (exampleWeights != null) {
                result = JCudaDriver.cuMemcpyHtoDAsync(deviceWeights[s].pointer(), pinnedWeights[s],
                        (long) size * Sizeof.FLOAT, copyStream);
                if (result != CUresult.CUDA_SUCCESS) {
                    Driver.check("cuMemcpyHtoDAsync(streamed example weights, chunk " + chunk + ")", result);
                }
            }
        }
        result = JCudaDriver.cuEventRecord(copied[s], copyStream);
        if (result != CUresult.CUDA_SUCCESS) {
            Driver.check("cuEventRecord(copied, stage " + s + ")", result);
        }
    }

    private void fill(int s, int[] examples, int first, int size) {
        IntBuffer labels = pinnedLabelValues[s];
        FloatBuffer weights = pinnedWeightValues[s];
        if (examples == null) {
            if (first < 0 || first + size > numExamples) {
                throw new IllegalArgumentException("rows [" + first + ", " + (first + size) + ") are outside the "
                        + numExamples + " examples");
            }
            long offset = (long) first * valuesPerRow;
            int count = size * valuesPerRow;
            if (binary) {
                pinnedWords[s].put(0, ((BinaryDataset) data).words(), (int) offset, count);
            } else {
                pinnedFloats[s].put(0, ((DenseDataset) data).values(), (int) offset, count);
            }
            for (int i = 0; i < size; i++) {
                labels.put(i, data.label(first + i));
            }
            if (weights != null) {
                weights.put(0, exampleWeights, first, size);
            }
            return;
        }
        // Indices were checked by the evaluator (CudaEvaluator.checkBatch).
        if (weights != null) {
            for (int i = 0; i < size; i++) {
                weights.put(i, exampleWeights[examples[first + i]]);
            }
        }
        if (binary) {
            long[] words = ((BinaryDataset) data).words();
            LongBuffer rows = pinnedWords[s];
            for (int i = 0; i < size; i++) {
                int n = examples[first + i];
                rows.put(i * valuesPerRow, words, n * valuesPerRow, valuesPerRow);
                labels.put(i, data.label(n));
            }
        } else {
            float[] values = ((DenseDataset) data).values();
            FloatBuffer rows = pinnedFloats[s];
            for (int i = 0; i < size; i++) {
                int n = examples[first + i];
                rows.put(i * valuesPerRow, values, n * valuesPerRow, valuesPerRow);
                labels.put(i, data.label(n));
            }
        }
    }

    /** Makes the default stream (the kernels' stream) wait until chunk {@code chunk}'s copy has arrived. */
    void awaitOnDevice(int chunk) {
        checkOpen();
        int s = chunk % STAGES;
        int result = JCudaDriver.cuStreamWaitEvent(DEFAULT_STREAM, copied[s], 0);
        if (result != CUresult.CUDA_SUCCESS) {
            Driver.check("cuStreamWaitEvent(default stream, copied, stage " + s + ")", result);
        }
    }

    /** Marks chunk {@code chunk}'s device buffers free once the kernels launched so far on the default stream end. */
    void release(int chunk) {
        checkOpen();
        int s = chunk % STAGES;
        int result = JCudaDriver.cuEventRecord(consumed[s], DEFAULT_STREAM);
        if (result != CUresult.CUDA_SUCCESS) {
            Driver.check("cuEventRecord(consumed, stage " + s + ")", result);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the streamed rows are closed");
        }
    }

    /**
     * Waits for every copy and kernel of the context (they may still use the buffers), then frees the events, the
     * stream, the pinned and the device buffers. Safe to call twice; the caller makes the context current.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        first = attempt(first, () -> Driver.check("cuCtxSynchronize(before freeing streamed rows)",
                JCudaDriver.cuCtxSynchronize()));
        for (int s = 0; s < STAGES; s++) {
            int stage = s;
            if (copied[s] != null) {
                first = attempt(first, () -> Driver.check("cuEventDestroy(copied, stage " + stage + ")",
                        JCudaDriver.cuEventDestroy(copied[stage])));
                copied[s] = null;
            }
            if (consumed[s] != null) {
                first = attempt(first, () -> Driver.check("cuEventDestroy(consumed, stage " + stage + ")",
                        JCudaDriver.cuEventDestroy(consumed[stage])));
                consumed[s] = null;
            }
            if (pinnedRows[s] != null) {
                first = attempt(first, () -> Driver.check("cuMemFreeHost(pinned rows, stage " + stage + ")",
                        JCudaDriver.cuMemFreeHost(pinnedRows[stage])));
                pinnedRows[s] = null;
                pinnedWords[s] = null;
                pinnedFloats[s] = null;
            }
            if (pinnedLabels[s] != null) {
                first = attempt(first, () -> Driver.check("cuMemFreeHost(pinned labels, stage " + stage + ")",
                        JCudaDriver.cuMemFreeHost(pinnedLabels[stage])));
                pinnedLabels[s] = null;
                pinnedLabelValues[s] = null;
            }
            if (deviceRows[s] != null) {
                first = attempt(first, deviceRows[s]::close);
            }
            if (deviceLabels[s] != null) {
                first = attempt(first, deviceLabels[s]::close);
            }
            if (pinnedWeights[s] != null) {
                first = attempt(first, () -> Driver.check("cuMemFreeHost(pinned example weights, stage " + stage
                        + ")", JCudaDriver.cuMemFreeHost(pinnedWeights[stage])));
                pinnedWeights[s] = null;
                pinnedWeightValues[s] = null;
            }
            if (deviceWeights[s] != null) {
                first = attempt(first, deviceWeights[s]::close);
            }
        }
        if (copyStream != null) {
            CUstream stream = copyStream;
            first = attempt(first, () -> Driver.check("cuStreamDestroy(copy stream)",
                    JCudaDriver.cuStreamDestroy(stream)));
            copyStream = null;
        }
        if (first != null) {
            throw first;
        }
    }

    private static RuntimeException attempt(RuntimeException first, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            if (first == null) {
                return e;
            }
            first.addSuppressed(e);
        }
        return first;
    }
}
