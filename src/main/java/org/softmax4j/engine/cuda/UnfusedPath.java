package org.softmax4j.engine.cuda;

import jcuda.Pointer;
import jcuda.Sizeof;

/**
 * The unfused kernels, for any K: per chunk of rows the logits ({@link LogitsStep}), the softmax with residuals, the
 * gradient, the bias gradient and the chunk's log-likelihood and number correct, each chunk writing one row of partial
 * sums; {@code reduce_partials_kernel} then adds the chunks' rows in chunk order into {@code out}. Resident and
 * streamed rows come in the same chunks, so their results are bitwise the same. Not thread-safe (like the
 * evaluator): the parameters of the current {@link #sums} are held in fields, so that visiting the chunks makes no
 * object.
 */
final class UnfusedPath implements KernelPath, RowSource.ChunkVisitor {
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
    private final Pointer chunkCorrectPointer;
    /** Chunks of the last {@link #sums}. */
    private int chunks;
    /** The parameters of the current {@link #sums}. */
    private DeviceBuffer w;
    private DeviceBuffer b;

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
        this.chunkCorrectPointer = Pointer.to(chunkCorrectHost);
    }

    @Override
    public void sums(RowSource rows, DeviceBuffer w, DeviceBuffer b, int[] examples, int from, int to) {
        chunks = 0;
        this.w = w;
        this.b = b;
        try {
            rows.forEachChunk(examples, from, to, this);
        } finally {
            this.w = null;
            this.b = null;
        }
        kernels.reducePartials(partials.address(), chunks, width, out.address());
    }

    /** The kernels on one chunk, into row {@code chunk.index()} of the partials. */
    @Override
    public void visit(RowSource.Chunk chunk) {
        int size = chunk.count();
        int numClasses = shape.numClasses();
        int numFeatures = shape.numFeatures();
        int gradientSize = numClasses * numFeatures;
        long base = (long) chunk.index() * width * Sizeof.DOUBLE;
        long z = logits.logits().address();
        long rows = chunk.rows();
        if (size > 0) {
            logits.compute(chunk, 0, size, w, b);
            kernels.softmaxResidual(z, chunk.labels(), chunk.weights(), rowLogLikelihood.address(),
                    rowCorrect.address(), size, numClasses);
        }
        if (shape.binary()) {
            kernels.gradientBinary(z, rows, shape.wordsPerRow(), partials.address(base), size, numFeatures,
                    numClasses);
        } else {
            kernels.gradientDense(z, rows, partials.address(base), size, numFeatures, numClasses);
        }
        kernels.biasGradient(z, partials.address(base + (long) gradientSize * Sizeof.DOUBLE), size, numClasses);
        kernels.sumDoubles(rowLogLikelihood.address(), size,
                partials.address(base + (long) (gradientSize + numClasses) * Sizeof.DOUBLE));
        kernels.sumInts(rowCorrect.address(), size, chunkCorrect.address((long) chunk.index() * Sizeof.LONG));
        chunks = chunk.index() + 1;
    }

    /** Reads the chunks' counts back (this waits for the device) and adds them. */
    @Override
    public long correct(double[] outHost) {
        chunkCorrect.download(chunkCorrectPointer, 0, (long) chunks * Sizeof.LONG);
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
