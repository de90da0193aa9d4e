package org.softmax4j.engine;

/**
 * An evaluator that can run the automatic step's ascent (train.SafeguardedAscent: centred steps, Nesterov momentum
 * with restarts, a safeguard that returns to the best point) with every vector of it in its own memory (the CUDA
 * engine: the point y that is evaluated, the previous step's end x_k and the best point, on the device for the whole
 * run). The caller makes every decision from the per-class {@link Session#sums() sums} that come back after each
 * evaluation: F, the gradient's size, the duality gap's sums and the restart test's slope; the parameters come back
 * only when asked for.
 * <p>
 * With ∇F = (∂L/∂W − λW, ∂L/∂b) at y and, when {@link Geometry#means} μ are given, the centred direction
 * r = ∇_W F − (∂L/∂b)μᵀ, d_b = ratio·∂L/∂b − r·μ per class (else d = ∇F), a step with s and β is
 * <pre>
 *   x_{k+1} = y + s·d,   y ← x_{k+1} + β·(x_{k+1} − x_k),   x_k ← x_{k+1}
 * </pre>
 * and the sums after it are those at the new y, the slope taken for the next step with the same s.
 */
public interface ResidentSafeguardedAscent extends ResidentAscent {
    /** Doubles per class in {@link Session#sums()}. */
    int ROW = 12;
    /** Column of Σ_j W_kj². */
    int WEIGHT_SQUARES = 0;
    /** Column of Σ_j (∂F/∂W_kj)². */
    int GRADIENT_SQUARES = 1;
    /** Column of max_j |∂F/∂W_kj|. */
    int GRADIENT_MAX = 2;
    /** Columns of Σ u², Σ u·v, Σ v² of the duality gap (train.DualityGap), u, v over the class's weights. */
    int GAP_UU = 3;
    int GAP_UV = 4;
    int GAP_VV = 5;
    /** Column of Σ_j S_kj W_kj (S the class sums of the data). */
    int CLASS_SUM_WEIGHTS = 6;
    /** Column of Σ_j s_j W_kj (s the feature sums). */
    int FEATURE_SUM_WEIGHTS = 7;
    /** Column of the class's part of ∇F·(x_{k+1} − x_k). */
    int SLOPE = 8;
    /** Column of r·μ, the centring's shift of the class's bias direction. */
    int SHIFT = 9;
    /** Column of ∂L/∂b_k (0 without a bias). */
    int BIAS_GRADIENT = 10;
    /** Column of b_k. */
    int BIAS = 11;

    /**
     * What the steps and the sums need besides the data.
     *
     * @param lambda       λ of the penalty (λ/2)‖W‖²
     * @param fitBias      false: b stays at the start's (zero) bias and ∂L/∂b counts as 0
     * @param means        μ (D) of the centred direction, or null for d = ∇F
     * @param biasRatio    the bias's step relative to W's in the centred coordinates
     * @param classSums    S = Σ ω y xᵀ (K×D) of the duality gap, or null (no gap: λ = 0); with it featureSums
     *                     s = Σ ω x (D), classWeights c = Σ ω y (K) and totalWeight Ω = Σ ω
     */
    record Geometry(double lambda, boolean fitBias, double[] means, double biasRatio, double[] classSums,
                    double[] featureSums, double[] classWeights, double totalWeight) {
    }

    /** Uploads {@code start} (not modified) as y, x_k and the best point, evaluates it and makes its sums. */
    Session startSafeguardedAscent(Parameters start, Geometry geometry, double step);

    /** Ascent in progress; close it to free its memory. */
    interface Session extends AutoCloseable {
        /**
         * The sums at y after the last call: K rows of {@link #ROW} (the columns above), then L and the number
         * correct. Live: overwritten by the next call.
         */
        double[] sums();

        /** One step with s = {@code step} and momentum β = {@code beta} (0: a plain step), then the new sums. */
        void step(double step, double beta);

        /** Makes y the best point. */
        void keepBest();

        /** y and x_k back to the best point, evaluated, its sums taken with {@code step}. */
        void restoreBest(double step);

        /** y rounded to float, copied to the host. */
        Parameters download();

        /** The best point rounded to float, copied to the host. */
        Parameters downloadBest();

        /**
         * y, x_k and the best point in double, copied to the host (a checkpoint's vectors), each W's K·D entries then
         * b's K.
         */
        void downloadVectors(double[] point, double[] previous, double[] best);

        /**
         * In place of the start: y, x_k and the best point from the host (as {@link #downloadVectors} laid them out),
         * W and b and the best's float copies rounded from them, y evaluated and its sums taken with {@code step}.
         */
        void uploadVectors(double[] point, double[] previous, double[] best, double step);

        @Override
        void close();
    }
}
