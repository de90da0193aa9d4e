package org.softmax4j.engine.cuda;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;

/**
 * The unfused kernels, for any K: per chunk of rows the logits ({@link LogitsStep}), the softmax with residuals, the
 * gradient, the bias gradient and the chunk's log-likelihood and number correct, each chunk writing one row of partial
 * sums; {@code reduce_partials_kernel} then adds the chunks' rows in chunk order into {@code out}. Resident and
 * streamed rows come in the same chunks, so their results are bitwise the same.
 */
final class UnfusedPath implements KernelPath {
    private final Kernels kernels;
    private final DevicePlan.Shape shape;
    private final int width;
    private final LogitsStep logits;
    private final DeviceBuffer out;
    private final DeviceBuffer partials;
    private final DeviceBuffer rowLogLikelihood;
    private final DeviceBuffer rowCorrect;
    private final DeviceBuffer chunkCorrect;
    private final long[] chunkCorrectHost;
    /** Chunks of the last {@link #sums}. */
    private int chunks;

    UnfusedPath(DeviceAllocations allocations, DevicePlan plan, Kernels kernels, LogitsStep logits,
                DeviceBuffer out) {
        this.kernels = kernels;
        this.shape = plan.shape();
        this.width = plan.width();
        this.logits = logits;
        this.out = out;
        long partialRows = plan.partialRows();
        this.partials = allocations.buffer("partial sums (" + partialRows + "x" + width + " doubles)",
                partialRows * width * Sizeof.DOUBLE);
        // Unused slots of the chunk partials (the count column) must not hold NaN bit patterns.
        partials.fill32(0);
        int chunkRows = plan.chunkRows();
        this.rowLogLikelihood = allocations.buffer("row log-likelihoods (" + chunkRows + " doubles)",
                (long) chunkRows * Sizeof.DOUBLE);
        this.rowCorrect = allocations.buffer("row hits (" + chunkRows + " ints)", (long) chunkRows * Sizeof.INT);
        this.chunkCorrect = allocations.buffer("chunk hits (" + plan.maxChunks() + " longs)",
                (long) plan.maxChunks() * Sizeof.LONG);
        this.chunkCorrectHost = new long[plan.maxChunks()];
    }

    @Override
    public void sums(RowSource rows, CUdeviceptr w, CUdeviceptr b, int[] examples, int from, int to) {
        chunks = 0;
        rows.forEachChunk(examples, from, to, chunk -> {
            chunk(chunk.index(), chunk.count(), chunk.rows(), chunk.labels(), chunk.weights(), w, b);
            chunks = chunk.index() + 1;
        });
        kernels.reducePartials(partials.pointer(), chunks, width, out.pointer());
    }

    /** The kernels on one chunk of {@code size} rows, into row {@code index} of the partials. */
    private void chunk(int index, int size, CUdeviceptr rows, CUdeviceptr labels, CUdeviceptr weights, CUdeviceptr w,
                       CUdeviceptr b) {
        int numClasses = shape.numClasses();
        int numFeatures = shape.numFeatures();
        int gradientSize = numClasses * numFeatures;
        long base = (long) index * width * Sizeof.DOUBLE;
        CUdeviceptr z = logits.logits().pointer();
        if (size > 0) {
            logits.compute(rows, w, b, size);
            kernels.softmaxResidual(z, labels, weights, rowLogLikelihood.pointer(), rowCorrect.pointer(), size,
                    numClasses);
        }
        if (shape.binary()) {
            kernels.gradientBinary(z, rows, shape.wordsPerRow(), partials.at(base), size, numFeatures, numClasses);
        } else {
            kernels.gradientDense(z, rows, partials.at(base), size, numFeatures, numClasses);
        }
        kernels.biasGradient(z, partials.at(base + (long) gradientSize * Sizeof.DOUBLE), size, numClasses);
        kernels.sumDoubles(rowLogLikelihood.pointer(), size,
                partials.at(base + (long) (gradientSize + numClasses) * Sizeof.DOUBLE));
        kernels.sumInts(rowCorrect.pointer(), size, chunkCorrect.at((long) index * Sizeof.LONG));
    }

    /** Reads the chunks' counts back (this waits for the device) and adds them. */
    @Override
    public long correct(double[] outHost) {
        chunkCorrect.download(Pointer.to(chunkCorrectHost), 0, (long) chunks * Sizeof.LONG);
        long correct = 0;
        for (int chunk = 0; chunk < chunks; chunk++) {
            correct += chunkCorrectHost[chunk];
        }
        return correct;
    }

    @Override
    public String description() {
        return "unfused kernels" + logits.description();
    }
}
