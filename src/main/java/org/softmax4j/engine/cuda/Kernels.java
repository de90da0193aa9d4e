package org.softmax4j.engine.cuda;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

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
    /**
     * Every kernel of the contract (cuda/README.md's kernel table), by its CUDA name. The host launches a kernel only
     * through its constant: {@link #launch} looks the function up by {@link #ordinal()}, so no list of names is kept in
     * step with a list of functions. To add a kernel: a constant here, a typed method below that packs its arguments in
     * the kernel's order and calls {@link #launch}, a row in cuda/README.md's table (KernelContractTest checks both),
     * and a row in cuda/emu/kernels.cpp (cuda/emu/test/run.sh checks it).
     */
    enum Kernel {
        LOGITS_DENSE("logits_dense_kernel"),
        LOGITS_BINARY("logits_binary_kernel"),
        SOFTMAX_RESIDUAL("softmax_residual_kernel"),
        SOFTMAX_ROWS("softmax_rows_kernel"),
        GRADIENT_DENSE("gradient_dense_kernel"),
        GRADIENT_BINARY("gradient_binary_kernel"),
        BIAS_GRADIENT("bias_gradient_kernel"),
        SUM_DOUBLES("sum_doubles_kernel"),
        SUM_INTS("sum_ints_kernel"),
        REDUCE_PARTIALS("reduce_partials_kernel"),
        ASCENT_UPDATE("ascent_update_kernel"),
        FUSED_BINARY("fused_binary_kernel"),
        FUSED_DENSE("fused_dense_kernel");

        /** The fused kernels, whose grid is one occupancy-sized wave ({@link #fusedBlocksPerSm}). */
        static final Set<Kernel> FUSED = Collections.unmodifiableSet(EnumSet.of(FUSED_BINARY, FUSED_DENSE));

        private final String cudaName;

        Kernel(String cudaName) {
            this.cudaName = cudaName;
        }

        /** The {@code extern "C"} name in cuda/*.cu and in the loaded module. */
        String cudaName() {
            return cudaName;
        }
    }

    private static final CUdeviceptr NULL = new CUdeviceptr();

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

    void logitsDense(CUdeviceptr x, CUdeviceptr w, CUdeviceptr b, CUdeviceptr z, int n, int d, int k) {
        launch(Kernel.LOGITS_DENSE, blocks((long) n * k), at(x), at(w), at(b), at(z), of(n), of(d), of(k));
    }

    void logitsBinary(CUdeviceptr x, int wordsPerRow, CUdeviceptr w, CUdeviceptr b, CUdeviceptr z, int n, int d,
                      int k) {
        launch(Kernel.LOGITS_BINARY, blocks((long) n * k), at(x), of(wordsPerRow), at(w), at(b), at(z), of(n), of(d),
                of(k));
    }

    /** @param weights ω of each of the n rows (floats), or null for every ω = 1 */
    void softmaxResidual(CUdeviceptr z, CUdeviceptr labels, CUdeviceptr weights, CUdeviceptr rowLogLikelihood,
                         CUdeviceptr rowCorrect, int n, int k) {
        launch(Kernel.SOFTMAX_RESIDUAL, blocks(n), at(z), at(labels), at(weights), at(rowLogLikelihood),
                at(rowCorrect), of(n), of(k));
    }

    void softmaxRows(CUdeviceptr z, int n, int k) {
        launch(Kernel.SOFTMAX_ROWS, blocks(n), at(z), of(n), of(k));
    }

    void gradientDense(CUdeviceptr r, CUdeviceptr x, CUdeviceptr g, int n, int d, int k) {
        launch(Kernel.GRADIENT_DENSE, blocks((long) k * d), at(r), at(x), at(g), of(n), of(d), of(k));
    }

    void gradientBinary(CUdeviceptr r, CUdeviceptr x, int wordsPerRow, CUdeviceptr g, int n, int d, int k) {
        launch(Kernel.GRADIENT_BINARY, blocks((long) k * d), at(r), at(x), of(wordsPerRow), at(g), of(n), of(d),
                of(k));
    }

    void biasGradient(CUdeviceptr r, CUdeviceptr gradBias, int n, int k) {
        // One block per class (the kernel loops over classes by block and over rows by thread).
        launch(Kernel.BIAS_GRADIENT, k, at(r), at(gradBias), of(n), of(k));
    }

    void sumDoubles(CUdeviceptr values, int count, CUdeviceptr out) {
        launch(Kernel.SUM_DOUBLES, 1, at(values), of(count), at(out));
    }

    void sumInts(CUdeviceptr values, int count, CUdeviceptr out) {
        launch(Kernel.SUM_INTS, 1, at(values), of(count), at(out));
    }

    void reducePartials(CUdeviceptr partials, int numBlocks, int width, CUdeviceptr out) {
        launch(Kernel.REDUCE_PARTIALS, blocks(width), at(partials), of(numBlocks), of(width), at(out));
    }

    void ascentUpdate(CUdeviceptr w, CUdeviceptr b, CUdeviceptr gradW, CUdeviceptr gradBias, double step,
                      double lambdaShare, int k, int d) {
        launch(Kernel.ASCENT_UPDATE, blocks((long) k * d), at(w), at(b), at(gradW), at(gradBias), of(step),
                of(lambdaShare), of(k), of(d));
    }

    /**
     * @param weights ω per row of x, indexed like labels (by the row's index in x), or null for every ω = 1
     * @param order   null for rows start..start+count-1 in order
     */
    void fusedBinary(CUdeviceptr x, int wordsPerRow, CUdeviceptr labels, CUdeviceptr weights, CUdeviceptr order,
                     int start, int count, CUdeviceptr w, CUdeviceptr b, int d, int k, CUdeviceptr partials) {
        launch(Kernel.FUSED_BINARY, fusedGridSize, at(x), of(wordsPerRow), at(labels), at(weights), at(order),
                of(start), of(count), at(w), at(b), of(d), of(k), at(partials));
    }

    /**
     * @param weights ω per row of x, indexed like labels (by the row's index in x), or null for every ω = 1
     * @param order   null for rows start..start+count-1 in order
     */
    void fusedDense(CUdeviceptr x, CUdeviceptr labels, CUdeviceptr weights, CUdeviceptr order, int start, int count,
                    CUdeviceptr w, CUdeviceptr b, int d, int k, CUdeviceptr partials) {
        launch(Kernel.FUSED_DENSE, fusedGridSize, at(x), at(labels), at(weights), at(order), of(start), of(count),
                at(w), at(b), of(d), of(k), at(partials));
    }

    /** A pointer argument; null is the device's NULL (only where the kernel takes NULL: the emulator checks). */
    private static Pointer at(CUdeviceptr pointer) {
        return Pointer.to(pointer == null ? NULL : pointer);
    }

    private static Pointer of(int value) {
        return Pointer.to(new int[]{value});
    }

    private static Pointer of(double value) {
        return Pointer.to(new double[]{value});
    }

    private static int blocks(long threads) {
        long blocks = Math.max(1, (threads + BLOCK_SIZE - 1) / BLOCK_SIZE);
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(threads + " threads is more than one launch can have");
        }
        return (int) blocks;
    }

    /** The one launch: {@code arguments} in the kernel's parameter order, blocks of {@link #BLOCK_SIZE} threads. */
    private void launch(Kernel kernel, int gridSize, Pointer... arguments) {
        Driver.check("cuLaunchKernel(" + kernel.cudaName() + ", " + gridSize + "x" + BLOCK_SIZE + ")",
                JCudaDriver.cuLaunchKernel(functions[kernel.ordinal()], gridSize, 1, 1, BLOCK_SIZE, 1, 1, 0,
                        (CUstream) null, Pointer.to(arguments), null));
        if (syncLaunches) {
            Driver.check(launchCall(kernel.cudaName(), gridSize), JCudaDriver.cuCtxSynchronize());
        }
    }

    /** "kernel fused_binary_kernel (528x256)": how a synchronised launch's failure names it. */
    static String launchCall(String name, int gridSize) {
        return "kernel " + name + " (" + gridSize + "x" + BLOCK_SIZE + ")";
    }
}
