package org.softmax4j.engine;

/**
 * An evaluator that can run gradient ascent with W and b kept in its own memory (the CUDA engine: on the device for the
 * whole run). A step evaluates L at the current parameters and moves them, where they live, along the gradient of
 * F = L − (λ/2)‖W‖² with a fixed step: W ← W + (η/N)·(∂L/∂W − λW), b ← b + (η/N)·∂L/∂b (the bias is not penalised),
 * handing back only L.
 */
public interface ResidentAscent {

    /** Uploads {@code start} (not modified) and returns the session that steps it, W and b. */
    default Session startResidentAscent(Parameters start) {
        return startResidentAscent(start, true);
    }

    /**
     * As {@link #startResidentAscent(Parameters)}; with {@code fitBias} false the steps update W alone and leave b at
     * {@code start}'s bias (0 for a model without a bias): the rule's b step is dropped.
     */
    Session startResidentAscent(Parameters start, boolean fitBias);

    /** Ascent in progress; close it to free the parameters' memory. */
    interface Session extends AutoCloseable {
        /**
         * One full-batch step.
         *
         * @return L, the log-likelihood without the penalty, at the parameters before the step
         */
        double step(double learningRate, double lambda);

        /** The current parameters, copied to the host. */
        Parameters download();

        @Override
        void close();
    }
}
