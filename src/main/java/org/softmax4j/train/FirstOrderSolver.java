package org.softmax4j.train;

import java.util.SplittableRandom;

import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Parameters;

/**
 * Ascent by an {@link UpdateRule} on the engine: one iteration is one full-batch step, or one epoch of mini-batches
 * shuffled by the seed, followed by a full evaluation of F at the new point.
 */
final class FirstOrderSolver implements Solver {
    private final PenalizedLogLikelihood objective;
    private final UpdateRule updateRule;
    private final Parameters parameters;
    private final Evaluation evaluation;
    private final int numExamples;
    private final int batchSize;
    private final int[] order;
    private final SplittableRandom random;
    private double value;

    FirstOrderSolver(PenalizedLogLikelihood objective, UpdateRule updateRule, Parameters start, int batchSize,
                     long seed) {
        this.objective = objective;
        this.updateRule = updateRule;
        this.parameters = start.copy();
        this.evaluation = new Evaluation(start.numClasses(), start.numFeatures());
        this.numExamples = objective.numExamples();
        this.batchSize = batchSize;
        this.order = batchSize < numExamples ? identity(numExamples) : null;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public int numExamples() {
        return numExamples;
    }

    @Override
    public void start() {
        value = objective.evaluate(parameters, evaluation);
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
        value = objective.evaluate(parameters, evaluation);
        return null;
    }

    @Override
    public Parameters parameters() {
        return parameters;
    }

    @Override
    public double objective() {
        return value;
    }

    @Override
    public double logLikelihood() {
        return evaluation.logLikelihood();
    }

    @Override
    public double gradientNorm() {
        return PenalizedLogLikelihood.gradientNorm(evaluation);
    }

    @Override
    public double gradientMaxAbs() {
        return PenalizedLogLikelihood.gradientMaxAbs(evaluation);
    }

    @Override
    public double trainAccuracy() {
        return evaluation.accuracy();
    }

    static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /** Fisher–Yates, in place, from the seeded generator. */
    private static void shuffle(int[] order, SplittableRandom random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
    }
}
