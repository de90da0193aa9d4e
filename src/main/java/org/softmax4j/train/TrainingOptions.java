package org.softmax4j.train;

/**
 * Settings of the ascent loop.
 *
 * @param learningRate η in W ← W + (η/B)·∇F_B, where B is the batch size (N for full batch)
 * @param maxIterations iterations (full-batch steps, or epochs of mini-batches) at most
 * @param lambda λ of the L2 penalty (λ/2)‖W‖², sum form, so λ = 1/C of scikit-learn; the bias is not penalised
 * @param tolerance stop when |ΔF| / max(|F|, 1) or ‖∇F‖₂/N falls under it; 0 never stops early
 * @param batchSize examples per step; 0 means full batch
 * @param seed drives the shuffling of mini-batches
 */
public record TrainingOptions(double learningRate, int maxIterations, double lambda, double tolerance, int batchSize,
                              long seed) {
    public static final double DEFAULT_LEARNING_RATE = 1.0;
    public static final int DEFAULT_MAX_ITERATIONS = 5000;
    public static final double DEFAULT_LAMBDA = 1.0;
    public static final double DEFAULT_TOLERANCE = 1e-6;
    public static final long DEFAULT_SEED = 1;

    public TrainingOptions {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate is " + learningRate + ", expected a finite number > 0");
        }
        if (maxIterations < 0) {
            throw new IllegalArgumentException("max iterations is " + maxIterations + ", expected 0 or more");
        }
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda is " + lambda + ", expected a finite number >= 0");
        }
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("tolerance is " + tolerance + ", expected a finite number >= 0");
        }
        if (batchSize < 0) {
            throw new IllegalArgumentException("batch size is " + batchSize + ", expected 0 (full batch) or more");
        }
    }

    public static TrainingOptions defaults() {
        return new TrainingOptions(DEFAULT_LEARNING_RATE, DEFAULT_MAX_ITERATIONS, DEFAULT_LAMBDA, DEFAULT_TOLERANCE,
                0, DEFAULT_SEED);
    }

    public TrainingOptions withLearningRate(double value) {
        return new TrainingOptions(value, maxIterations, lambda, tolerance, batchSize, seed);
    }

    public TrainingOptions withMaxIterations(int value) {
        return new TrainingOptions(learningRate, value, lambda, tolerance, batchSize, seed);
    }

    public TrainingOptions withLambda(double value) {
        return new TrainingOptions(learningRate, maxIterations, value, tolerance, batchSize, seed);
    }

    public TrainingOptions withTolerance(double value) {
        return new TrainingOptions(learningRate, maxIterations, lambda, value, batchSize, seed);
    }

    public TrainingOptions withBatchSize(int value) {
        return new TrainingOptions(learningRate, maxIterations, lambda, tolerance, value, seed);
    }

    public TrainingOptions withSeed(long value) {
        return new TrainingOptions(learningRate, maxIterations, lambda, tolerance, batchSize, value);
    }
}
