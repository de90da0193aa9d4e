package org.softmax4j.engine.cuda;

import jcuda.Pointer;
import jcuda.Sizeof;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;

/**
 * Rows, labels and example weights uploaded once, at bind. Rows in data order come as chunks of
 * {@link DevicePlan#residentChunkRows()} (one chunk for the fused kernels, which loop over any number of rows). A
 * batch ({@code examples[from..to)}) goes the way the kernel path reads it ({@link Batches}): the fused kernels take
 * the batch's indices (uploaded to an order buffer) and read the rows in place; the unfused kernels read contiguous
 * rows, so the batch's rows are gathered on the host, chunk by chunk, and uploaded to staging buffers.
 */
final class ResidentRows implements RowSource {
    private final DeviceBuffer rows;
    private final DeviceBuffer labels;
    /** ω_n as floats, or null: the data has no example weights (the kernels then take NULL, every ω = 1). */
    private final DeviceBuffer weights;
    private final long rowBytes;
    private final int chunkRows;
    private final Batches batches;
    private final Chunk chunk = new Chunk();

    /**
     * Allocates (through {@code allocations}) and uploads the rows, labels and weights, then the buffers for batches.
     *
     * @param exampleWeights ω_n as floats (not kept), or null
     */
    ResidentRows(DeviceAllocations allocations, Dataset data, float[] exampleWeights, DevicePlan plan) {
        DevicePlan.Shape shape = plan.shape();
        int numExamples = shape.numExamples();
        this.rowBytes = shape.rowBytes();
        this.chunkRows = plan.residentChunkRows();
        this.rows = allocations.buffer("rows (" + numExamples + " x " + rowBytes + " bytes)", numExamples * rowBytes);
        this.labels = allocations.buffer("labels (" + numExamples + " ints)", (long) numExamples * Sizeof.INT);
        this.weights = exampleWeights == null ? null
                : allocations.buffer("example weights (" + numExamples + " floats)", (long) numExamples * Sizeof.FLOAT);
        this.batches = plan.fused() ? new IndexedBatches(allocations, numExamples)
                : new GatheredBatches(allocations, data, exampleWeights, plan);
        if (data instanceof BinaryDataset binary) {
            long[] words = binary.words();
            rows.upload(Pointer.to(words), 0, (long) words.length * Sizeof.LONG);
            labels.upload(Pointer.to(binary.labels()), 0, (long) numExamples * Sizeof.INT);
        } else {
            float[] values = ((DenseDataset) data).values();
            rows.upload(Pointer.to(values), 0, (long) values.length * Sizeof.FLOAT);
            labels.upload(Pointer.to(((DenseDataset) data).labels()), 0, (long) numExamples * Sizeof.INT);
        }
        if (weights != null) {
            weights.upload(Pointer.to(exampleWeights), 0, (long) numExamples * Sizeof.FLOAT);
        }
    }

    @Override
    public void forEachChunk(int[] examples, int from, int to, ChunkVisitor visitor) {
        if (examples != null) {
            batches.forEachChunk(examples, from, to, visitor);
            return;
        }
        int count = to - from;
        int chunks = Math.max(1, (count + chunkRows - 1) / chunkRows);
        for (int index = 0; index < chunks; index++) {
            int offset = index * chunkRows;
            int first = from + offset;
            visitor.visit(chunk.set(index, index + 1 == chunks, offset, Math.min(chunkRows, to - first), rows,
                    first * rowBytes, labels, (long) first * Sizeof.INT, weights, (long) first * Sizeof.FLOAT,
                    null));
        }
    }

    /** How a batch reaches the kernels. */
    private interface Batches {
        void forEachChunk(int[] examples, int from, int to, ChunkVisitor visitor);
    }

    /**
     * For the fused kernels: the batch's indices, copied to a host array (so that their upload needs no new pointer
     * object) and uploaded; the rows are read in place. One chunk.
     */
    private final class IndexedBatches implements Batches {
        private final DeviceBuffer order;
        private final int[] orderHost;
        private final Pointer orderHostPointer;

        IndexedBatches(DeviceAllocations allocations, int numExamples) {
            this.order = allocations.buffer("batch order (" + numExamples + " ints)", (long) numExamples * Sizeof.INT);
            this.orderHost = new int[numExamples];
            this.orderHostPointer = Pointer.to(orderHost);
        }

        @Override
        public void forEachChunk(int[] examples, int from, int to, ChunkVisitor visitor) {
            int count = to - from;
            System.arraycopy(examples, from, orderHost, 0, count);
            order.upload(orderHostPointer, 0, (long) count * Sizeof.INT);
            // Weights are indexed like the labels, by the row's data index: the batch's order applies to both.
            visitor.visit(chunk.set(0, true, 0, count, rows, 0, labels, 0, weights, 0, order));
        }
    }

    /**
     * For the unfused kernels: each chunk's rows, labels and weights copied on the host into staging arrays, then to
     * the device. The same chunks as rows in data order, so results do not depend on how the rows were reached.
     */
    private final class GatheredBatches implements Batches {
        private final Dataset data;
        private final float[] exampleWeights;
        private final int chunkRows;
        private final int valuesPerRow;
        private final long rowBytes;
        private final DeviceBuffer stagingRows;
        private final DeviceBuffer stagingLabels;
        /** Null exactly when {@code exampleWeights} is. */
        private final DeviceBuffer stagingWeights;
        /** Host staging: longs for binary rows, floats for dense ones. */
        private final Object stagingValues;
        private final int[] stagingLabelsHost;
        private final float[] stagingWeightsHost;
        /** Made once: a step allocates nothing. */
        private final Pointer stagingValuesPointer;
        private final Pointer stagingLabelsPointer;
        private final Pointer stagingWeightsPointer;

        GatheredBatches(DeviceAllocations allocations, Dataset data, float[] exampleWeights, DevicePlan plan) {
            DevicePlan.Shape shape = plan.shape();
            this.data = data;
            this.exampleWeights = exampleWeights;
            this.chunkRows = plan.chunkRows();
            this.valuesPerRow = shape.binary() ? shape.wordsPerRow() : shape.numFeatures();
            this.rowBytes = shape.rowBytes();
            this.stagingRows = allocations.buffer("batch rows (" + chunkRows + " rows)", chunkRows * rowBytes);
            this.stagingLabels = allocations.buffer("batch labels (" + chunkRows + " ints)",
                    (long) chunkRows * Sizeof.INT);
            this.stagingWeights = exampleWeights == null ? null
                    : allocations.buffer("batch example weights (" + chunkRows + " floats)",
                    (long) chunkRows * Sizeof.FLOAT);
            long[] words = shape.binary() ? new long[chunkRows * valuesPerRow] : null;
            float[] values = shape.binary() ? null : new float[chunkRows * valuesPerRow];
            this.stagingValues = words != null ? words : values;
            this.stagingValuesPointer = words != null ? Pointer.to(words) : Pointer.to(values);
            this.stagingLabelsHost = new int[chunkRows];
            this.stagingLabelsPointer = Pointer.to(stagingLabelsHost);
            this.stagingWeightsHost = exampleWeights == null ? null : new float[chunkRows];
            this.stagingWeightsPointer = exampleWeights == null ? null : Pointer.to(stagingWeightsHost);
        }

        @Override
        public void forEachChunk(int[] examples, int from, int to, ChunkVisitor visitor) {
            int count = to - from;
            int chunks = Math.max(1, (count + chunkRows - 1) / chunkRows);
            for (int index = 0; index < chunks; index++) {
                int offset = index * chunkRows;
                int size = Math.min(chunkRows, count - offset);
                gather(examples, from + offset, size);
                visitor.visit(chunk.set(index, index + 1 == chunks, offset, size, stagingRows, 0, stagingLabels, 0,
                        stagingWeights, 0, null));
            }
        }

        /** Rows {@code examples[first..first+size)}, their labels and weights, to the staging buffers. */
        private void gather(int[] examples, int first, int size) {
            if (stagingValues instanceof long[] words) {
                long[] source = ((BinaryDataset) data).words();
                for (int i = 0; i < size; i++) {
                    System.arraycopy(source, examples[first + i] * valuesPerRow, words, i * valuesPerRow,
                            valuesPerRow);
                }
                stagingRows.upload(stagingValuesPointer, 0, size * rowBytes);
            } else {
                float[] values = (float[]) stagingValues;
                float[] source = ((DenseDataset) data).values();
                for (int i = 0; i < size; i++) {
                    System.arraycopy(source, examples[first + i] * valuesPerRow, values, i * valuesPerRow,
                            valuesPerRow);
                }
                stagingRows.upload(stagingValuesPointer, 0, size * rowBytes);
            }
            for (int i = 0; i < size; i++) {
                stagingLabelsHost[i] = data.label(examples[first + i]);
            }
            stagingLabels.upload(stagingLabelsPointer, 0, (long) size * Sizeof.INT);
            if (stagingWeights != null) {
                for (int i = 0; i < size; i++) {
                    stagingWeightsHost[i] = exampleWeights[examples[first + i]];
                }
                stagingWeights.upload(stagingWeightsPointer, 0, (long) size * Sizeof.FLOAT);
            }
        }
    }
}
