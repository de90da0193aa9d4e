package org.softmax4j.spark;

import java.io.Serializable;

/**
 * What one evaluation asks of every partition; the driver broadcasts it, so θ travels to each executor once per
 * evaluation.
 *
 * @param kind     which evaluation
 * @param weights  W (K×D) in float for {@link Kind#ENGINE} and {@link Kind#PROBABILITIES}, else null
 * @param bias     b (K) likewise
 * @param point    θ = [W, b] in double for {@link Kind#DOUBLE}, else null
 * @param examples a batch for {@link Kind#ENGINE}: global row indices (partition offset + row), or null for every row
 * @param from     the batch is {@code examples[from..to)}
 * @param to       the batch's end
 */
record EvaluationRequest(Kind kind, float[] weights, float[] bias, double[] point, int[] examples, int from, int to)
        implements Serializable {

    enum Kind {
        /** The engine's evaluation (float θ, sums in double): L, ∂L/∂W, ∂L/∂b, the correct count. */
        ENGINE,
        /** The double-precision evaluation: L and ∂L/∂θ in double. */
        DOUBLE,
        /** Class probabilities of every row. */
        PROBABILITIES
    }
}
