package org.softmax4j.engine.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * The rows, labels and example weights of a {@link CudaEvaluator}, handed to the kernels chunk by chunk: either
 * {@link ResidentRows} (uploaded once at bind) or {@link StreamedRows} (kept in host memory and copied per chunk).
 * A kernel path ({@link KernelPath}) launches its kernels on each chunk without knowing which. The evaluator's
 * {@link DeviceAllocations} own and free what a source allocates.
 */
interface RowSource {
    /**
     * Visits the rows {@code from..to} of the data (when {@code examples} is null) or the rows
     * {@code examples[from..to)} (a batch, indices already checked), in order, in chunks. At least one chunk is visited,
     * empty when {@code from == to}. A chunk's rows are on the device, for kernels launched on the default stream,
     * while the visitor runs; they may be overwritten once it has returned and the kernels it launched have run.
     */
    void forEachChunk(int[] examples, int from, int to, ChunkVisitor visitor);

    /** Receives each chunk of {@link #forEachChunk}. */
    @FunctionalInterface
    interface ChunkVisitor {
        void visit(Chunk chunk);
    }

    /**
     * One chunk on the device: rows {@code order[i]} (or {@code i} when {@code order} is null) for i &lt; count of the
     * arrays at {@code rows}, {@code labels} and {@code weights}, as the kernels take them.
     *
     * @param index   0, 1, ... in visiting order; chunks of the unfused path write partials row {@code index}
     * @param last    whether no chunk follows
     * @param offset  rows of the batch (or of from..to) before this chunk
     * @param count   rows in this chunk
     * @param weights example weights, indexed like labels, or null for every ω = 1
     * @param order   indices into the arrays, or null for rows 0..count-1 in order
     */
    record Chunk(int index, boolean last, int offset, int count, CUdeviceptr rows, CUdeviceptr labels,
                 CUdeviceptr weights, CUdeviceptr order) {
        /** The address of row {@code row} (of a chunk without an order), {@code rowBytes} per row. */
        CUdeviceptr rowsFrom(int row, long rowBytes) {
            if (order != null) {
                throw new IllegalStateException("a chunk with an order has no contiguous rows");
            }
            return rows.withByteOffset(row * rowBytes);
        }
    }
}
