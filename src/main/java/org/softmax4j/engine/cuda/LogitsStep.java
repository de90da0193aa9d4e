package org.softmax4j.engine.cuda;

import jcuda.Sizeof;

/**
 * Z = X·Wᵀ + b for up to {@link DevicePlan#chunkRows()} rows into one logits buffer: by our logits kernels, or by
 * cuBLAS for dense rows where the plan says so ({@link DevicePlan#cublas()}). Used by the unfused path and by
 * {@code probabilities}.
 */
abstract class LogitsStep {
    private final DeviceBuffer logits;

    private LogitsStep(DeviceAllocations allocations, DevicePlan plan) {
        int numClasses = plan.shape().numClasses();
        this.logits = allocations.buffer("logits (" + plan.chunkRows() + "x" + numClasses + " floats)",
                (long) plan.chunkRows() * numClasses * Sizeof.FLOAT);
    }

    /** The step the plan asks for, its buffers allocated through {@code allocations}. */
    static LogitsStep create(DeviceAllocations allocations, DevicePlan plan, Kernels kernels) {
        if (plan.cublas()) {
            return new ByCublas(allocations, plan);
        }
        return plan.shape().binary() ? new ByKernel(allocations, plan, kernels, true)
                : new ByKernel(allocations, plan, kernels, false);
    }

    /** The logits buffer: {@code chunkRows × K} floats, row-major. */
    final DeviceBuffer logits() {
        return logits;
    }

    /** Writes the logits of {@code size} rows of {@code chunk} from its row {@code row} on to {@link #logits()}. */
    abstract void compute(RowSource.Chunk chunk, int row, int size, DeviceBuffer w, DeviceBuffer b);

    /** "" or " (logits by cuBLAS)", for {@link CudaEvaluator#kernelPath()}. */
    abstract String description();

    private static final class ByKernel extends LogitsStep {
        private final Kernels kernels;
        private final boolean binary;
        private final long rowBytes;
        private final int wordsPerRow;
        private final int numFeatures;
        private final int numClasses;

        ByKernel(DeviceAllocations allocations, DevicePlan plan, Kernels kernels, boolean binary) {
            super(allocations, plan);
            this.kernels = kernels;
            this.binary = binary;
            this.rowBytes = plan.shape().rowBytes();
            this.wordsPerRow = plan.shape().wordsPerRow();
            this.numFeatures = plan.shape().numFeatures();
            this.numClasses = plan.shape().numClasses();
        }

        @Override
        void compute(RowSource.Chunk chunk, int row, int size, DeviceBuffer w, DeviceBuffer b) {
            long rows = chunk.rowsFrom(row, rowBytes);
            if (binary) {
                kernels.logitsBinary(rows, wordsPerRow, w.address(), b.address(), logits().address(), size,
                        numFeatures, numClasses);
            } else {
                kernels.logitsDense(rows, w.address(), b.address(), logits().address(), size, numFeatures,
                        numClasses);
            }
        }

        @Override
        String description() {
            return "";
        }
    }

    private static final class ByCublas extends LogitsStep {
        private final DeviceBuffer ones;
        private final CublasGemm cublas;
        private final int numFeatures;
        private final int numClasses;
        private final long rowBytes;

        ByCublas(DeviceAllocations allocations, DevicePlan plan) {
            super(allocations, plan);
            this.numFeatures = plan.shape().numFeatures();
            this.numClasses = plan.shape().numClasses();
            this.rowBytes = plan.shape().rowBytes();
            this.ones = allocations.buffer("ones (" + plan.chunkRows() + " floats)",
                    (long) plan.chunkRows() * Sizeof.FLOAT);
            ones.fill32(Float.floatToRawIntBits(1f));
            this.cublas = allocations.own(CublasGemm.create());
        }

        /** Makes a pointer object for the rows (cuBLAS takes no raw address): the one step that allocates. */
        @Override
        void compute(RowSource.Chunk chunk, int row, int size, DeviceBuffer w, DeviceBuffer b) {
            cublas.logits(chunk.rowsPointerFrom(row, rowBytes), w.pointer(), b.pointer(), ones.pointer(),
                    logits().pointer(), size, numFeatures, numClasses);
        }

        @Override
        String description() {
            return " (logits by cuBLAS)";
        }
    }
}
