package org.softmax4j.engine.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
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
     * value; KernelsTest compares them when the header is present.
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
    /** The fused kernels, whose grid is one occupancy-sized wave. */
    static final String[] FUSED = {"fused_binary_kernel", "fused_dense_kernel"};

    /** Every kernel of the contract, by its CUDA name. */
    static final String[] NAMES = {
            "logits_dense_kernel", "logits_binary_kernel", "softmax_residual_kernel", "softmax_rows_kernel",
            "gradient_dense_kernel", "gradient_binary_kernel", "bias_gradient_kernel", "sum_doubles_kernel",
            "sum_ints_kernel", "reduce_partials_kernel", "ascent_update_kernel", "fused_binary_kernel",
            "fused_dense_kernel"};

    private static final CUdeviceptr NULL = new CUdeviceptr();

    private final CUfunction logitsDense;
    private final CUfunction logitsBinary;
    private final CUfunction softmaxResidual;
    private final CUfunction softmaxRows;
    private final CUfunction gradientDense;
    private final CUfunction gradientBinary;
    private final CUfunction biasGradient;
    private final CUfunction sumDoubles;
    private final CUfunction sumInts;
    private final CUfunction reducePartials;
    private final CUfunction ascentUpdate;
    private final CUfunction fusedBinary;
    private final CUfunction fusedDense;
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
        this.logitsDense = function(module, NAMES[0]);
        this.logitsBinary = function(module, NAMES[1]);
        this.softmaxResidual = function(module, NAMES[2]);
        this.softmaxRows = function(module, NAMES[3]);
        this.gradientDense = function(module, NAMES[4]);
        this.gradientBinary = function(module, NAMES[5]);
        this.biasGradient = function(module, NAMES[6]);
        this.sumDoubles = function(module, NAMES[7]);
        this.sumInts = function(module, NAMES[8]);
        this.reducePartials = function(module, NAMES[9]);
        this.ascentUpdate = function(module, NAMES[10]);
        this.fusedBinary = function(module, NAMES[11]);
        this.fusedDense = function(module, NAMES[12]);
        this.fusedBlocksPerSm = fusedBlocksPerSm((kernel, blocks) -> JCudaDriver
                .cuOccupancyMaxActiveBlocksPerMultiprocessor(blocks, kernel.equals(FUSED[0]) ? fusedBinary : fusedDense,
                        BLOCK_SIZE, 0));
        this.fusedGridSize = Math.multiplyExact(fusedBlocksPerSm, Math.max(1, multiprocessors));
        this.syncLaunches = syncLaunches;
    }

    /** What {@link #fusedBlocksPerSm} asks the driver: cuOccupancyMaxActiveBlocksPerMultiprocessor of one kernel. */
    @FunctionalInterface
    interface Occupancy {
        /** Writes the resident blocks of {@link #BLOCK_SIZE} threads per multiprocessor to blocks[0]; a CUresult. */
        int maxActiveBlocks(String kernel, int[] blocks);
    }

    /**
     * Blocks per multiprocessor of every fused launch: the fewest that any fused kernel can keep resident (at least
     * 1), so the grid is one wave for both. A property of the device and the loaded image, never of timing, so the
     * grid (and with it the order of the sums) is fixed per device and results stay bitwise repeatable.
     * {@value #FALLBACK_FUSED_BLOCKS_PER_SM} when the driver answers CUDA_ERROR_NOT_SUPPORTED; other errors throw.
     */
    static int fusedBlocksPerSm(Occupancy occupancy) {
        int fewest = Integer.MAX_VALUE;
        for (String kernel : FUSED) {
            int[] blocks = new int[1];
            int result = occupancy.maxActiveBlocks(kernel, blocks);
            if (result == CUresult.CUDA_ERROR_NOT_SUPPORTED) {
                return FALLBACK_FUSED_BLOCKS_PER_SM;
            }
            Driver.check("cuOccupancyMaxActiveBlocksPerMultiprocessor(" + kernel + ", " + BLOCK_SIZE + " threads)",
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

    void logitsDense(CUdeviceptr x, CUdeviceptr w, CUdeviceptr b, CUdeviceptr z, int n, int d, int k) {
        launch("logits_dense_kernel", logitsDense, blocks((long) n * k),
                args(x, w, b, z), ints(n, d, k));
    }

    void logitsBinary(CUdeviceptr x, int wordsPerRow, CUdeviceptr w, CUdeviceptr b, CUdeviceptr z, int n, int d,
                      int k) {
        launch("logits_binary_kernel", logitsBinary, blocks((long) n * k),
                Pointer.to(x), Pointer.to(new int[]{wordsPerRow}), Pointer.to(w), Pointer.to(b), Pointer.to(z),
                Pointer.to(new int[]{n}), Pointer.to(new int[]{d}), Pointer.to(new int[]{k}));
    }

    /** @param weights ω of each of the n rows (floats), or null for every ω = 1 */
    void softmaxResidual(CUdeviceptr z, CUdeviceptr labels, CUdeviceptr weights, CUdeviceptr rowLogLikelihood,
                         CUdeviceptr rowCorrect, int n, int k) {
        launch("softmax_residual_kernel", softmaxResidual, blocks(n),
                args(z, labels, orNull(weights), rowLogLikelihood, rowCorrect), ints(n, k));
    }

    void softmaxRows(CUdeviceptr z, int n, int k) {
        launch("softmax_rows_kernel", softmaxRows, blocks(n), args(z), ints(n, k));
    }

    void gradientDense(CUdeviceptr r, CUdeviceptr x, CUdeviceptr g, int n, int d, int k) {
        launch("gradient_dense_kernel", gradientDense, blocks((long) k * d), args(r, x, g), ints(n, d, k));
    }

    void gradientBinary(CUdeviceptr r, CUdeviceptr x, int wordsPerRow, CUdeviceptr g, int n, int d, int k) {
        launch("gradient_binary_kernel", gradientBinary, blocks((long) k * d),
                Pointer.to(r), Pointer.to(x), Pointer.to(new int[]{wordsPerRow}), Pointer.to(g),
                Pointer.to(new int[]{n}), Pointer.to(new int[]{d}), Pointer.to(new int[]{k}));
    }

    void biasGradient(CUdeviceptr r, CUdeviceptr gradBias, int n, int k) {
        // One block per class (the kernel loops over classes by block and over rows by thread).
        launch("bias_gradient_kernel", biasGradient, k, args(r, gradBias), ints(n, k));
    }

    void sumDoubles(CUdeviceptr values, int count, CUdeviceptr out) {
        launch("sum_doubles_kernel", sumDoubles, 1,
                Pointer.to(values), Pointer.to(new int[]{count}), Pointer.to(out));
    }

    void sumInts(CUdeviceptr values, int count, CUdeviceptr out) {
        launch("sum_ints_kernel", sumInts, 1, Pointer.to(values), Pointer.to(new int[]{count}), Pointer.to(out));
    }

    void reducePartials(CUdeviceptr partials, int numBlocks, int width, CUdeviceptr out) {
        launch("reduce_partials_kernel", reducePartials, blocks(width),
                Pointer.to(partials), Pointer.to(new int[]{numBlocks}), Pointer.to(new int[]{width}),
                Pointer.to(out));
    }

    void ascentUpdate(CUdeviceptr w, CUdeviceptr b, CUdeviceptr gradW, CUdeviceptr gradBias, double step,
                      double lambdaShare, int k, int d) {
        launch("ascent_update_kernel", ascentUpdate, blocks((long) k * d),
                Pointer.to(w), Pointer.to(b), Pointer.to(gradW), Pointer.to(gradBias),
                Pointer.to(new double[]{step}), Pointer.to(new double[]{lambdaShare}),
                Pointer.to(new int[]{k}), Pointer.to(new int[]{d}));
    }

    /**
     * @param weights ω per row of x, indexed like labels (by the row's index in x), or null for every ω = 1
     * @param order   null for rows start..start+count-1 in order
     */
    void fusedBinary(CUdeviceptr x, int wordsPerRow, CUdeviceptr labels, CUdeviceptr weights, CUdeviceptr order,
                     int start, int count, CUdeviceptr w, CUdeviceptr b, int d, int k, CUdeviceptr partials) {
        launch("fused_binary_kernel", fusedBinary, fusedGridSize,
                Pointer.to(x), Pointer.to(new int[]{wordsPerRow}), Pointer.to(labels), Pointer.to(orNull(weights)),
                Pointer.to(orNull(order)), Pointer.to(new int[]{start}), Pointer.to(new int[]{count}),
                Pointer.to(w), Pointer.to(b), Pointer.to(new int[]{d}), Pointer.to(new int[]{k}),
                Pointer.to(partials));
    }

    /**
     * @param weights ω per row of x, indexed like labels (by the row's index in x), or null for every ω = 1
     * @param order   null for rows start..start+count-1 in order
     */
    void fusedDense(CUdeviceptr x, CUdeviceptr labels, CUdeviceptr weights, CUdeviceptr order, int start, int count,
                    CUdeviceptr w, CUdeviceptr b, int d, int k, CUdeviceptr partials) {
        launch("fused_dense_kernel", fusedDense, fusedGridSize,
                Pointer.to(x), Pointer.to(labels), Pointer.to(orNull(weights)), Pointer.to(orNull(order)),
                Pointer.to(new int[]{start}), Pointer.to(new int[]{count}), Pointer.to(w), Pointer.to(b),
                Pointer.to(new int[]{d}), Pointer.to(new int[]{k}), Pointer.to(partials));
    }

    /** A nullable pointer argument: the device's NULL for null. */
    private static CUdeviceptr orNull(CUdeviceptr pointer) {
        return pointer == null ? NULL : pointer;
    }

    private static int blocks(long threads) {
        long blocks = Math.max(1, (threads + BLOCK_SIZE - 1) / BLOCK_SIZE);
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(threads + " threads is more than one launch can have");
        }
        return (int) blocks;
    }

    private static Pointer[] args(CUdeviceptr... pointers) {
        Pointer[] result = new Pointer[pointers.length];
        for (int i = 0; i < pointers.length; i++) {
            result[i] = Pointer.to(pointers[i]);
        }
        return result;
    }

    private static Pointer[] ints(int... values) {
        Pointer[] result = new Pointer[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = Pointer.to(new int[]{values[i]});
        }
        return result;
    }

    private void launch(String name, CUfunction function, int gridSize, Pointer[] pointers, Pointer[] values) {
        Pointer[] all = new Pointer[pointers.length + values.length];
        System.arraycopy(pointers, 0, all, 0, pointers.length);
        System.arraycopy(values, 0, all, pointers.length, values.length);
        launch(name, function, gridSize, all);
    }

    private void launch(String name, CUfunction function, int gridSize, Pointer... arguments) {
        Driver.check("cuLaunchKernel(" + name + ", " + gridSize + "x" + BLOCK_SIZE + ")",
                JCudaDriver.cuLaunchKernel(function, gridSize, 1, 1, BLOCK_SIZE, 1, 1, 0, (CUstream) null,
                        Pointer.to(arguments), null));
        if (syncLaunches) {
            Driver.check(launchCall(name, gridSize), JCudaDriver.cuCtxSynchronize());
        }
    }

    /** "kernel fused_binary_kernel (528x256)": how a synchronised launch's failure names it. */
    static String launchCall(String name, int gridSize) {
        return "kernel " + name + " (" + gridSize + "x" + BLOCK_SIZE + ")";
    }
}
