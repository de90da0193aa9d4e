package org.softmax4j.engine.cuda;

import jcuda.Sizeof;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * The fused kernels: one launch per chunk on the device's fixed grid, each block writing one row of partial sums, then
 * {@code reduce_partials_kernel} adding the blocks in order into {@code out}. Resident rows come as one chunk. Streamed
 * rows come in several: the partials then start with a row that carries the running total of the chunks before (zeros
 * for the first), the launch writes the rows after it, the reduction adds all of them into {@code out}, and
 * {@code out} is copied back to that row for the next chunk. The total is ((t₀ + c₀) + c₁) + ... in a fixed order:
 * bitwise repeatable, equal to float rounding to the resident result, bitwise equal when there is one chunk.
 * Not thread-safe (like the evaluator): the parameters of the current {@link #sums} are held in fields, so that
 * visiting the chunks makes no object.
 */
final class FusedPath implements KernelPath, RowSource.ChunkVisitor {
    private final Kernels kernels;
    private final DevicePlan.Shape shape;
    private final int width;
    private final int grid;
    /** 1 when a running-total row precedes the blocks' rows (streamed rows), else 0. */
    private final int carryRows;
    private final DeviceBuffer partials;
    private final DeviceBuffer out;
    /** The parameters of the current {@link #sums}. */
    private DeviceBuffer w;
    private DeviceBuffer b;

    FusedPath(DeviceAllocations allocations, DevicePlan plan, Kernels kernels, DeviceBuffer out) {
        this.kernels = kernels;
        this.shape = plan.shape();
        this.width = plan.width();
        this.grid = plan.fusedGridSize();
        this.carryRows = plan.streamed() ? 1 : 0;
        this.out = out;
        long partialRows = plan.partialRows();
        this.partials = allocations.buffer("partial sums (" + partialRows + "x" + width + " doubles)",
                partialRows * width * Sizeof.DOUBLE);
    }

    @Override
    public void sums(RowSource rows, DeviceBuffer w, DeviceBuffer b, int[] examples, int from, int to) {
        if (carryRows > 0) {
            int result = JCudaDriver.cuMemsetD32Async(partials.pointer(), 0, (long) width * Sizeof.DOUBLE / 4,
                    StreamedRows.DEFAULT_STREAM);
            if (result != CUresult.CUDA_SUCCESS) {
                Driver.check("cuMemsetD32Async(running total)", result);
            }
        }
        this.w = w;
        this.b = b;
        try {
            rows.forEachChunk(examples, from, to, this);
        } finally {
            this.w = null;
            this.b = null;
        }
    }

    /** One chunk: the fused launch into the blocks' rows, the reduction, and the running total carried over. */
    @Override
    public void visit(RowSource.Chunk chunk) {
        long slotBytes = (long) width * Sizeof.DOUBLE;
        long blocks = partials.address(carryRows * slotBytes);
        if (shape.binary()) {
            kernels.fusedBinary(chunk.rows(), shape.wordsPerRow(), chunk.labels(), chunk.weights(), chunk.order(), 0,
                    chunk.count(), w.address(), b.address(), shape.numFeatures(), shape.numClasses(), blocks);
        } else {
            kernels.fusedDense(chunk.rows(), chunk.labels(), chunk.weights(), chunk.order(), 0, chunk.count(),
                    w.address(), b.address(), shape.numFeatures(), shape.numClasses(), blocks);
        }
        kernels.reducePartials(partials.address(), grid + carryRows, width, out.address());
        if (carryRows > 0 && !chunk.last()) {
            int result = JCudaDriver.cuMemcpyDtoDAsync(partials.pointer(), out.pointer(), slotBytes,
                    StreamedRows.DEFAULT_STREAM);
            if (result != CUresult.CUDA_SUCCESS) {
                Driver.check("cuMemcpyDtoDAsync(running total)", result);
            }
        }
    }

    @Override
    public long correct(double[] outHost) {
        return Math.round(outHost[width - 1]);
    }

    @Override
    public String description() {
        return "fused kernels";
    }
}
