package org.softmax4j.cli;

/** The command line's exit codes. */
public final class ExitCodes {
    public static final int OK = 0;
    /** An internal error, or a check that failed (gradcheck). */
    public static final int INTERNAL = 1;
    /** Bad input: a data file, a model file or an option. */
    public static final int BAD_INPUT = 2;
    /** The back end that was asked for cannot run here. */
    public static final int BACKEND_UNAVAILABLE = 3;
    /** The GPU failed while it ran (a CUDA driver call or a kernel failed; the message names it). */
    public static final int GPU_FAILED = 4;
    /**
     * Training failed: it ended {@code diverged}, or its best weights are the starting ones. The best model and the
     * explanation were written first.
     */
    public static final int TRAINING_FAILED = 5;
    /**
     * Training was interrupted by Ctrl-C (SIGINT): it stopped after the iteration under way and wrote the best model so
     * far. 128 + 2, as a shell reports a process ended by SIGINT.
     */
    public static final int INTERRUPTED_SIGINT = 130;
    /** As {@link #INTERRUPTED_SIGINT}, for SIGTERM (128 + 15). */
    public static final int INTERRUPTED_SIGTERM = 143;

    private ExitCodes() {
    }
}
