package org.softmax4j.train;

import org.softmax4j.engine.Parameters;

/**
 * Ascent by an {@link UpdateRule} on the engine: one iteration is one full-batch step, or one epoch of mini-batches
 * shuffled by the seed ({@link SplitMix64}), followed by a full evaluation of F at the new point.
 */
final class FirstOrderSolver extends EngineSolver {
    private final UpdateRule updateRule;
    private final Parameters parameters;
    private final int batchSize;
    private final int[] order;
    private SplitMix64 random;

    FirstOrderSolver(PenalizedLogLikelihood objective, UpdateRule updateRule, Parameters start, int batchSize,
                     long seed) {
        super(objective, start);
        this.updateRule = updateRule;
        this.parameters = start.copy();
        this.batchSize = batchSize;
        this.order = batchSize < numExamples ? identity(numExamples) : null;
        this.random = new SplitMix64(seed);
    }

    @Override
    public String iterate() {
        if (order != null) {
            shuffle(order, random);
            for (int from = 0; from < numExamples; from += batchSize) {
                int to = Math.min(numExamples, from + batchSize);
                objective.evaluate(parameters, order, from, to, evaluation);
                updateRule.ascend(parameters, evaluation, to - from);
            }
        } else {
            // The evaluation holds ∇F at the current parameters.
            updateRule.ascend(parameters, evaluation, numExamples);
        }
        evaluateCurrent();
        return null;
    }

    /** The point, the generator and the order of the last epoch (each shuffles the last), the rule's memory. */
    @Override
    public void saveState(StateFields state) {
        double[] rule = updateRule.state();
        if (rule == null) {
            throw new UnsupportedOperationException("the update rule " + updateRule.getClass().getSimpleName()
                    + " does not give its state, so it cannot be checkpointed");
        }
        state.put("parameters", parameters);
        state.put("random", random.state());
        if (order != null) {
            state.put("order", order);
        }
        state.put("rule", rule);
    }

    @Override
    public void restoreState(StateFields state) {
        state.copy("parameters", parameters);
        random = new SplitMix64(state.getLong("random"));
        if (order != null) {
            state.copy("order", order);
        }
        updateRule.restore(state.doubles("rule", updateRule.state().length));
        evaluateCurrent();
    }

    @Override
    public Parameters parameters() {
        return parameters;
    }

    static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /** Fisher–Yates, in place, from the seeded generator. */
    private static void shuffle(int[] order, SplitMix64 random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
    }
}
