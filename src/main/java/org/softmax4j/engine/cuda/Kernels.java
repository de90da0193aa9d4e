package org.softmax4j.engine.cuda;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * Typed launches of the kernels of cuda/README.md (the contract: names, argument order, what each computes). One method
 * per kernel, arguments in the kernel's order; the launch shape is chosen here:
 *
 * <table>
 * <caption>Launch shapes (1-D; blocks of {@link #BLOCK_SIZE} threads, no dynamic shared memory)</caption>
 * <tr><th>kernel</th><th>threads</th></tr>
 * <tr><td>logits_*</td><td>one per logit, N·K (index n·K + k)</td></tr>
 * <tr><td>softmax_residual, softmax_rows</td><td>one per row, N</td></tr>
 * <tr><td>gradient_*</td><td>one per gradient entry, K·D (index k·D + j)</td></tr>
 * <tr><td>bias_gradient</td><td>one block per class, K blocks</td></tr>
 * <tr><td>sum_doubles, sum_ints</td><td>one block</td></tr>
 * <tr><td>reduce_partials</td><td>one per column, width</td></tr>
 * <tr><td>ascent_update</td><td>one per weight, K·D (threads k &lt; K also update b[k])</td></tr>
 * <tr><td>ascent_sums</td><td>one block per class, K blocks</td></tr>
 * <tr><td>momentum_update</td><td>one per parameter, K·D + K</td></tr>
 * <tr><td>fused_*</td><td>{@link CudaDevice#fusedGridSize()} blocks, fixed per device, each looping over its rows</td></tr>
 * </table>
 * Kernels check their own bounds, so the rounding up of the grid is safe.
 *
 * <p>Launches are asynchronous: a kernel's fault is reported by the next call that waits for the device, usually a
 * copy. With {@value #SYNC_LAUNCHES_PROPERTY}{@code =true} (read once, by the probe) every launch is followed by
 * cuCtxSynchronize, and a fault names the kernel and its shape: "kernel fused_binary_kernel (528x256) failed:
 * CUDA_ERROR_ILLEGAL_ADDRESS". Slower; for finding a fault, not for production.
 */
final class Kernels {
    /** Threads per block of every launch. */
    static final int BLOCK_SIZE = 256;
    /**
     * The largest K the fused kernels take: {@code MAX_FUSED_CLASSES} of cuda/softmax4j.cuh. Must equal the header's
     * value; KernelContractTest compares them when the header is present.
     */
    static final int MAX_FUSED_CLASSES = 32;
    /** System property: synchronise after every launch, so that a kernel's fault names that kernel. */
    static final String SYNC_LAUNCHES_PROPERTY = "softmax4j.cuda.syncLaunches";
    /**
     * Fused blocks per multiprocessor when the driver cannot say (cuOccupancyMaxActiveBlocksPerMultiprocessor answers
     * CUDA_ERROR_NOT_SUPPORTED): at sm_90 the fused kernels' registers (92 and 89 per thread, cuda/build-report.txt)
     * leave room for 2 blocks of 256 threads per multiprocessor, fewer than any other target allows.
     */
    static final int FALLBACK_FUSED_BLOCKS_PER_SM = 2;
    /**
     * Every kernel of the contract (cuda/README.md's kernel table), by its CUDA name and the kinds of its parameters,
     * in order: {@code p} a pointer, {@code i} an int, {@code d} a double. The host launches a kernel only through its
     * constant: the typed methods below fill its {@link Arguments} and call {@link Kernels#launch}, which looks the
     * function up by {@link #ordinal()}. To add a kernel: a constant here, a typed method below, a row in cuda/README.md's table
     * (KernelContractTest checks the name, the kinds against the declaration and that the method launches this
     * constant), and a row in cuda/emu/kernels.cpp (cuda/emu/test/run.sh checks it).
     */
    enum Kernel {
        LOGITS_DENSE("logits_dense_kernel", "ppppiii"),
        LOGITS_BINARY("logits_binary_kernel", "pipppiii"),
        SOFTMAX_RESIDUAL("softmax_residual_kernel", "pppppii"),
        SOFTMAX_ROWS("softmax_rows_kernel", "pii"),
        GRADIENT_DENSE("gradient_dense_kernel", "pppiii"),
        GRADIENT_BINARY("gradient_binary_kernel", "ppipiii"),
        BIAS_GRADIENT("bias_gradient_kernel", "ppii"),
        SUM_DOUBLES("sum_doubles_kernel", "pip"),
        SUM_INTS("sum_ints_kernel", "pip"),
        REDUCE_PARTIALS("reduce_partials_kernel", "piip"),
        ASCENT_UPDATE("ascent_update_kernel", "ppppddii"),
        ASCENT_SUMS("ascent_sums_kernel", "pppppppppddddiiip"),
        MOMENTUM_UPDATE("momentum_update_kernel", "pppppppddddiii"),
        FUSED_BINARY("fused_binary_kernel", "pipppiippiip"),
        FUSED_DENSE("fused_dense_kernel", "ppppiippiip");

        /** The fused kernels, whose grid is one occupancy-sized wave ({@link #fusedBlocksPerSm}). */
        static final Set<Kernel> FUSED = Collections.unmodifiableSet(EnumSet.of(FUSED_BINARY, FUSED_DENSE));

        private final String cudaName;
        private final String kinds;

        Kernel(String cudaName, String kinds) {
            this.cudaName = cudaName;
            this.kinds = kinds;
        }

        /** The {@code extern "C"} name in cuda/*.cu and in the loaded module. */
        String cudaName() {
            return cudaName;
        }

        /** The parameters' kinds, in order: p (pointer), i (int), d (double). */
        String kinds() {
            return kinds;
        }
    }

    /**
     * The argument slots of one kernel, made once per thread and refilled for each launch, so that a launch allocates
     * nothing: each slot is a one-element array that the driver reads (a pointer travels as its raw 64-bit address;
     * 0 is NULL). Filled in parameter order; the kind of each value is checked against {@link Kernel#kinds()}.
     */
    static final class Arguments {
        private final Kernel kernel;
        private final long[][] pointers;
        private final int[][] ints;
        private final double[][] doubles;
        private final Pointer parameters;
        private int next;

        Arguments(Kernel kernel) {
            this.kernel = kernel;
            int count = kernel.kinds().length();
            this.pointers = new long[count][];
            this.ints = new int[count][];
            this.doubles = new double[count][];
            Pointer[] slots = new Pointer[count];
            for (int i = 0; i < count; i++) {
                switch (kernel.kinds().charAt(i)) {
                    case 'p' -> slots[i] = Pointer.to(pointers[i] = new long[1]);
                    case 'i' -> slots[i] = Pointer.to(ints[i] = new int[1]);
                    case 'd' -> slots[i] = Pointer.to(doubles[i] = new double[1]);
                    default -> throw new IllegalStateException(kernel + ": parameter kind " + kernel.kinds().charAt(i));
                }
            }
            this.parameters = Pointer.to(slots);
        }

        /** The next parameter, a device address (0 for NULL). */
        Arguments p(long address) {
            slot('p')[0] = address;
            return this;
        }

        /** The next parameter, an int. */
        Arguments i(int value) {
            ints[take('i')][0] = value;
            return this;
        }

        /** The next parameter, a double. */
        Arguments d(double value) {
            doubles[take('d')][0] = value;
            return this;
        }

        private long[] slot(char kind) {
            return pointers[take(kind)];
        }

        private int take(char kind) {
            if (next >= kernel.kinds().length() || kernel.kinds().charAt(next) != kind) {
                int at = next;
                next = 0;
                throw new IllegalStateException(kernel.cudaName() + ": parameter " + at + " is not of kind " + kind
                        + " (kinds " + kernel.kinds() + ")");
            }
            return next++;
        }

        /** The filled slots, for the launch; starts the next filling. */
        private Pointer filled() {
            if (next != kernel.kinds().length()) {
                int filled = next;
                next = 0;
                throw new IllegalStateException(kernel.cudaName() + ": " + filled + " of "
                        + kernel.kinds().length() + " parameters given");
            }
            next = 0;
            return parameters;
        }
    }

    /** Per thread (a device is shared by the evaluators of every thread): the argument slots of every kernel. */
    private static final ThreadLocal<Arguments[]> ARGUMENTS = ThreadLocal.withInitial(() -> {
        Arguments[] all = new Arguments[Kernel.values().length];
        for (Kernel kernel : Kernel.values()) {
            all[kernel.ordinal()] = new Arguments(kernel);
        }
        return all;
    });

    /** Indexed by {@link Kernel#ordinal()}. */
    private final CUfunction[] functions = new CUfunction[Kernel.values().length];
    private final int fusedBlocksPerSm;
    private final int fusedGridSize;
    private final boolean syncLaunches;

    /**
     * Looks up every kernel in {@code module} (fails naming the first one missing) and sizes the fused grid from the
     * occupancy the fused kernels get on this device. Needs the module's context current.
     *
     * @param syncLaunches whether to wait for every launch and report its fault (see {@link #SYNC_LAUNCHES_PROPERTY})
     */
    Kernels(CUmodule module, int multiprocessors, boolean syncLaunches) {
        for (Kernel kernel : Kernel.values()) {
            functions[kernel.ordinal()] = function(module, kernel.cudaName());
        }
        this.fusedBlocksPerSm = fusedBlocksPerSm((kernel, blocks) -> JCudaDriver
                .cuOccupancyMaxActiveBlocksPerMultiprocessor(blocks, functions[kernel.ordinal()], BLOCK_SIZE, 0));
        this.fusedGridSize = Math.multiplyExact(fusedBlocksPerSm, Math.max(1, multiprocessors));
        this.syncLaunches = syncLaunches;
    }

    /** What {@link #fusedBlocksPerSm} asks the driver: cuOccupancyMaxActiveBlocksPerMultiprocessor of one kernel. */
    @FunctionalInterface
    interface Occupancy {
        /** Writes the resident blocks of {@link #BLOCK_SIZE} threads per multiprocessor to blocks[0]; a CUresult. */
        int maxActiveBlocks(Kernel kernel, int[] blocks);
    }

    /**
     * Blocks per multiprocessor of every fused launch: the fewest that any fused kernel can keep resident (at least
     * 1), so the grid is one wave for both. A property of the device and the loaded image, never of timing, so the
     * grid (and with it the order of the sums) is fixed per device and results stay bitwise repeatable.
     * {@value #FALLBACK_FUSED_BLOCKS_PER_SM} when the driver answers CUDA_ERROR_NOT_SUPPORTED; other errors throw.
     */
    static int fusedBlocksPerSm(Occupancy occupancy) {
        int fewest = Integer.MAX_VALUE;
        for (Kernel kernel : Kernel.FUSED) {
            int[] blocks = new int[1];
            int result = occupancy.maxActiveBlocks(kernel, blocks);
            if (result == CUresult.CUDA_ERROR_NOT_SUPPORTED) {
                return FALLBACK_FUSED_BLOCKS_PER_SM;
            }
            Driver.check("cuOccupancyMaxActiveBlocksPerMultiprocessor(" + kernel.cudaName() + ", " + BLOCK_SIZE
                            + " threads)",
                    result);
            fewest = Math.min(fewest, blocks[0]);
        }
        return Math.max(1, fewest);
    }

    /** Whether {@value #SYNC_LAUNCHES_PROPERTY} asks for a wait after every launch: "true", any case. */
    static boolean syncLaunchesRequested(String propertyValue) {
        return propertyValue != null && Boolean.parseBoolean(propertyValue.strip());
    }

    private static CUfunction function(CUmodule module, String name) {
        CUfunction function = new CUfunction();
        Driver.check("cuModuleGetFunction(" + name + ")", JCudaDriver.cuModuleGetFunction(function, module, name));
        return function;
    }

    int fusedGridSize() {
        return fusedGridSize;
    }

    int fusedBlocksPerSm() {
        return fusedBlocksPerSm;
    }

    boolean syncLaunches() {
        return syncLaunches;
    }

    /** This thread's argument slots of {@code kernel}, to fill in parameter order. */
    private static Arguments arguments(Kernel kernel) {
        return ARGUMENTS.get()[kernel.ordinal()];
    }

    // Pointers are raw device addresses (DeviceBuffer.address); 0 is NULL, only where the kernel takes NULL.

    void logitsDense(long x, long w, long b, long z, int n, int d, int k) {
        launch(Kernel.LOGITS_DENSE, blocks((long) n * k), arguments(Kernel.LOGITS_DENSE)
                .p(x).p(w).p(b).p(z).i(n).i(d).i(k));
    }

    void logitsBinary(long x, int wordsPerRow, long w, long b, long z, int n, int d, int k) {
        launch(Kernel.LOGITS_BINARY, blocks((long) n * k), arguments(Kernel.LOGITS_BINARY)
                .p(x).i(wordsPerRow).p(w).p(b).p(z).i(n).i(d).i(k));
    }

    /** @param weights ω of each of the n rows (floats), or 0 for every ω = 1 */
    void softmaxResidual(long z, long labels, long weights, long rowLogLikelihood, long rowCorrect, int n, int k) {
        launch(Kernel.SOFTMAX_RESIDUAL, blocks(n), arguments(Kernel.SOFTMAX_RESIDUAL)
                .p(z).p(labels).p(weights).p(rowLogLikelihood).p(rowCorrect).i(n).i(k));
    }

    void softmaxRows(long z, int n, int k) {
        launch(Kernel.SOFTMAX_ROWS, blocks(n), arguments(Kernel.SOFTMAX_ROWS).p(z).i(n).i(k));
    }

    void gradientDense(long r, long x, long g, int n, int d, int k) {
        launch(Kernel.GRADIENT_DENSE, blocks((long) k * d), arguments(Kernel.GRADIENT_DENSE)
                .p(r).p(x).p(g).i(n).i(d).i(k));
    }

    void gradientBinary(long r, long x, int wordsPerRow, long g, int n, int d, int k) {
        launch(Kernel.GRADIENT_BINARY, blocks((long) k * d), arguments(Kernel.GRADIENT_BINARY)
                .p(r).p(x).i(wordsPerRow).p(g).i(n).i(d).i(k));
    }

    void biasGradient(long r, long gradBias, int n, int k) {
        // One block per class (the kernel loops over classes by block and over rows by thread).
        launch(Kernel.BIAS_GRADIENT, k, arguments(Kernel.BIAS_GRADIENT).p(r).p(gradBias).i(n).i(k));
    }

    void sumDoubles(long values, int count, long out) {
        launch(Kernel.SUM_DOUBLES, 1, arguments(Kernel.SUM_DOUBLES).p(values).i(count).p(out));
    }

    void sumInts(long values, int count, long out) {
        launch(Kernel.SUM_INTS, 1, arguments(Kernel.SUM_INTS).p(values).i(count).p(out));
    }

    void reducePartials(long partials, int numBlocks, int width, long out) {
        launch(Kernel.REDUCE_PARTIALS, blocks(width), arguments(Kernel.REDUCE_PARTIALS)
                .p(partials).i(numBlocks).i(width).p(out));
    }

    void ascentUpdate(long w, long b, long gradW, long gradBias, double step, double lambdaShare, int k, int d) {
        launch(Kernel.ASCENT_UPDATE, blocks((long) k * d), arguments(Kernel.ASCENT_UPDATE)
                .p(w).p(b).p(gradW).p(gradBias).d(step).d(lambdaShare).i(k).i(d));
    }

    /**
     * @param means        μ (D doubles), or 0 for the uncentred direction
     * @param classSums    S (K×D doubles), or 0 (with featureSums and classWeights) for no duality-gap sums
     * @param fitBias      1, or 0 for a model without a bias
     */
    void ascentSums(long w, long b, long sums, long point, long previous, long means, long classSums,
                    long featureSums, long classWeights, double totalWeight, double lambda, double step,
                    double biasRatio, int fitBias, int k, int d, long out) {
        // One block per class (the kernel loops over classes by block and over features by thread).
        launch(Kernel.ASCENT_SUMS, k, arguments(Kernel.ASCENT_SUMS)
                .p(w).p(b).p(sums).p(point).p(previous).p(means).p(classSums).p(featureSums).p(classWeights)
                .d(totalWeight).d(lambda).d(step).d(biasRatio).i(fitBias).i(k).i(d).p(out));
    }

    /** @param means μ (D doubles), or 0 for the uncentred direction */
    void momentumUpdate(long w, long b, long point, long previous, long sums, long ascentSums, long means,
                        double lambda, double step, double beta, double biasRatio, int fitBias, int k, int d) {
        launch(Kernel.MOMENTUM_UPDATE, blocks((long) k * d + k), arguments(Kernel.MOMENTUM_UPDATE)
                .p(w).p(b).p(point).p(previous).p(sums).p(ascentSums).p(means).d(lambda).d(step).d(beta)
                .d(biasRatio).i(fitBias).i(k).i(d));
    }

    /**
     * @param weights ω per row of x, indexed like labels (by the row's index in x), or 0 for every ω = 1
     * @param order   0 for rows start..start+count-1 in order
     */
    void fusedBinary(long x, int wordsPerRow, long labels, long weights, long order, int start, int count, long w,
                     long b, int d, int k, long partials) {
        launch(Kernel.FUSED_BINARY, fusedGridSize, arguments(Kernel.FUSED_BINARY)
                .p(x).i(wordsPerRow).p(labels).p(weights).p(order).i(start).i(count).p(w).p(b).i(d).i(k)
                .p(partials));
    }

    /**
     * @param weights ω per row of x, indexed like labels (by the row's index in x), or 0 for every ω = 1
     * @param order   0 for rows start..start+count-1 in order
     */
    void fusedDense(long x, long labels, long weights, long order, int start, int count, long w, long b, int d, int k,
                    long partials) {
        launch(Kernel.FUSED_DENSE, fusedGridSize, arguments(Kernel.FUSED_DENSE)
                .p(x).p(labels).p(weights).p(order).i(start).i(count).p(w).p(b).i(d).i(k).p(partials));
    }

    private static int blocks(long threads) {
        long blocks = Math.max(1, (threads + BLOCK_SIZE - 1) / BLOCK_SIZE);
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(threads + " threads is more than one launch can have");
        }
        return (int) blocks;
    }

    /**
     * The one launch: {@code arguments} filled in the kernel's parameter order, blocks of {@link #BLOCK_SIZE} threads,
     * on the default stream. Allocates nothing unless it fails.
     */
    private void launch(Kernel kernel, int gridSize, Arguments arguments) {
        int result = JCudaDriver.cuLaunchKernel(functions[kernel.ordinal()], gridSize, 1, 1, BLOCK_SIZE, 1, 1, 0,
                (CUstream) null, arguments.filled(), null);
        if (result != CUresult.CUDA_SUCCESS) {
            Driver.check("cuLaunchKernel(" + kernel.cudaName() + ", " + gridSize + "x" + BLOCK_SIZE + ")", result);
        }
        if (syncLaunches) {
            result = JCudaDriver.cuCtxSynchronize();
            if (result != CUresult.CUDA_SUCCESS) {
                Driver.check(launchCall(kernel.cudaName(), gridSize), result);
            }
        }
    }

    /** "kernel fused_binary_kernel (528x256)": how a synchronised launch's failure names it. */
    static String launchCall(String name, int gridSize) {
        return "kernel " + name + " (" + gridSize + "x" + BLOCK_SIZE + ")";
    }
}
