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
     * {@code examples[from..to)} (a batch, indices already checked), in order, in chunks. At least one chunk is
     * visited, empty when {@code from == to}. A chunk's rows are on the device, for kernels launched on the default
     * stream, while the visitor runs; they may be overwritten once it has returned and the kernels it launched have
     * run. The {@link Chunk} is one object per source, refilled for each chunk (a step allocates nothing): read it
     * during the visit only.
     */
    void forEachChunk(int[] examples, int from, int to, ChunkVisitor visitor);

    /** Receives each chunk of {@link #forEachChunk}. */
    @FunctionalInterface
    interface ChunkVisitor {
        void visit(Chunk chunk);
    }

    /**
     * One chunk on the device: rows {@code order[i]} (or {@code i} when there is no order) for i &lt; count of the
     * arrays that start at the rows, labels and weights addresses, as the kernels take them.
     */
    final class Chunk {
        private int index;
        private boolean last;
        private int offset;
        private int count;
        private DeviceBuffer rows;
        private long rowsOffset;
        private DeviceBuffer labels;
        private long labelsOffset;
        /** Null without example weights. */
        private DeviceBuffer weights;
        private long weightsOffset;
        /** Null for rows in order. */
        private DeviceBuffer order;

        /** Refills this chunk; offsets are in bytes into their buffers. */
        Chunk set(int index, boolean last, int offset, int count, DeviceBuffer rows, long rowsOffset,
                  DeviceBuffer labels, long labelsOffset, DeviceBuffer weights, long weightsOffset,
                  DeviceBuffer order) {
            this.index = index;
            this.last = last;
            this.offset = offset;
            this.count = count;
            this.rows = rows;
            this.rowsOffset = rowsOffset;
            this.labels = labels;
            this.labelsOffset = labelsOffset;
            this.weights = weights;
            this.weightsOffset = weightsOffset;
            this.order = order;
            return this;
        }

        /** 0, 1, ... in visiting order; chunks of the unfused path write partials row {@code index}. */
        int index() {
            return index;
        }

        /** Whether no chunk follows. */
        boolean last() {
            return last;
        }

        /** Rows of the batch (or of from..to) before this chunk. */
        int offset() {
            return offset;
        }

        /** Rows in this chunk. */
        int count() {
            return count;
        }

        long rows() {
            return rows.address(rowsOffset);
        }

        long labels() {
            return labels.address(labelsOffset);
        }

        /** Example weights, indexed like labels; 0 (NULL) for every ω = 1. */
        long weights() {
            return weights == null ? 0 : weights.address(weightsOffset);
        }

        /** Indices into the arrays; 0 (NULL) for rows 0..count-1 in order. */
        long order() {
            return order == null ? 0 : order.address();
        }

        /** The address of row {@code row}, {@code rowBytes} per row, of a chunk in order. */
        long rowsFrom(int row, long rowBytes) {
            checkInOrder();
            return rows.address(rowsOffset + row * rowBytes);
        }

        /** As {@link #rowsFrom}, as a new pointer object (for cuBLAS). */
        CUdeviceptr rowsPointerFrom(int row, long rowBytes) {
            checkInOrder();
            return rows.at(rowsOffset + row * rowBytes);
        }

        private void checkInOrder() {
            if (order != null) {
                throw new IllegalStateException("a chunk with an order has no contiguous rows");
            }
        }
    }
}
