package org.softmax4j.engine;

import org.softmax4j.data.Dataset;

/**
 * A back end that evaluates softmax regression: the CPU engine, or the CUDA engine. An engine owns long-lived resources
 * (threads, a GPU context); {@link #bind} hands it one data set, which it may copy to its own memory once.
 */
public interface Engine extends AutoCloseable {

    /** "cpu" or "cuda": the value of {@code --backend} that selects it. */
    String name();

    /** One line for people: the engine and its settings, e.g. "cpu, 2 threads". */
    String description();

    /**
     * What the engine computes on, for people and {@code --json}: "CPU, 2 threads", or the GPU's summary ("NVIDIA
     * H200 (compute capability 9.0, ...)"; "CUDA emulator (CPU), emulating compute capability 9.0, ..." for the
     * emulator). By default the description.
     */
    default String deviceSummary() {
        return description();
    }

    /**
     * What this engine adds to {@code train --json}, in order (the Spark engine of {@code softmax4j-spark}:
     * spark_master and partitions); none by default.
     */
    default java.util.Map<String, Object> settings() {
        return java.util.Map.of();
    }

    /** Prepares the engine to evaluate on {@code data}; the evaluator holds whatever it copied. */
    Evaluator bind(Dataset data);

    /**
     * As {@link #bind(Dataset)}, with a weight ω_n ≥ 0 per example (N values, in the data set's order): the evaluator
     * then computes L = Σ_n ω_n ln p_{n,y_n} and its gradient Σ_n ω_n (y_n − p_n) x_nᵀ. The trainer folds sample
     * weights and class weights into ω_n = s_n · c_{y_n}. Null means every ω_n = 1. Engines that cannot weight examples
     * yet throw {@link UnsupportedOperationException} for non-null weights.
     */
    default Evaluator bind(Dataset data, double[] exampleWeights) {
        if (exampleWeights == null) {
            return bind(data);
        }
        throw new UnsupportedOperationException("the " + name() + " engine cannot weight examples yet");
    }

    /**
     * The capability the quasi-Newton solvers finish with: an evaluator of the same log-likelihood in double precision
     * (see {@link DoublePrecisionEvaluator}) of {@code data} with {@code exampleWeights} (null: every ω_n = 1), on the
     * CPU threads this engine was opened with. The caller closes it. The CPU, CUDA and auto engines offer it; the
     * default, for engines that do not, throws {@link UnsupportedOperationException}.
     *
     * @throws IllegalArgumentException when the weights are not N finite values ≥ 0
     */
    default DoublePrecisionEvaluator bindDoublePrecision(Dataset data, double[] exampleWeights) {
        throw new UnsupportedOperationException("the " + name() + " engine has no double-precision evaluator");
    }

    /** Checks example weights for {@link #bind(Dataset, double[])}: N values, each finite and ≥ 0. */
    static void checkExampleWeights(Dataset data, double[] exampleWeights) {
        if (exampleWeights == null) {
            return;
        }
        if (exampleWeights.length != data.numExamples()) {
            throw new IllegalArgumentException("example weights has " + exampleWeights.length + " values, expected "
                    + data.numExamples() + " (one per example)");
        }
        for (int n = 0; n < exampleWeights.length; n++) {
            if (!(exampleWeights[n] >= 0) || Double.isInfinite(exampleWeights[n])) {
                throw new IllegalArgumentException("example weight " + n + " is " + exampleWeights[n]
                        + ", expected a finite number >= 0");
            }
        }
    }

    @Override
    void close();
}
