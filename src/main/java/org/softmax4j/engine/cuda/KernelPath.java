package org.softmax4j.engine.cuda;

/**
 * The kernels that turn rows into ∂L/∂W, ∂L/∂b, L and the number correct: {@link FusedPath} (one fused kernel per
 * chunk, K ≤ {@link Kernels#MAX_FUSED_CLASSES}) or {@link UnfusedPath} (logits, softmax with residuals, gradient and
 * sums, one kernel each). Both read the rows through a {@link RowSource}, resident or streamed alike, and leave their
 * sums in the evaluator's {@code out} buffer: K·D gradient, K bias gradient, the log-likelihood, then a slot the fused
 * path fills with the number correct. Neither uses float atomics: results are bitwise repeatable on one GPU.
 */
interface KernelPath {
    /**
     * Launches the kernels over the rows {@code from..to} (through {@code examples} when not null) for the parameters
     * in {@code w} and {@code b}, leaving the sums in {@code out}. Asynchronous: nothing is read back. Allocates
     * nothing (the kernel arguments and the chunks are refilled objects), except on the cuBLAS logits path.
     */
    void sums(RowSource rows, DeviceBuffer w, DeviceBuffer b, int[] examples, int from, int to);

    /**
     * The number correct of the last {@link #sums}, given {@code out} as read back ({@code width} doubles). May wait
     * for the device.
     */
    long correct(double[] outHost);

    /** "fused kernels", or "unfused kernels" with how the logits are computed. */
    String description();
}
