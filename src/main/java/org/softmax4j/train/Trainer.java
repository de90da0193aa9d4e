package org.softmax4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;

/**
 * The ascent loop. Each iteration moves the parameters (one full-batch step, or one epoch of shuffled mini-batches),
 * then evaluates F, ‖∇F‖ and the accuracy on the whole training set, and asks the {@link StoppingRule}. The objective,
 * the update rule and the stopping rule are separate pieces, so other solvers can replace the update rule alone.
 */
public final class Trainer {
    private final TrainingOptions options;
    private final UpdateRule updateRule;

    public Trainer(TrainingOptions options) {
        this(options, new GradientAscent(options.learningRate()));
    }

    public Trainer(TrainingOptions options, UpdateRule updateRule) {
        this.options = options;
        this.updateRule = updateRule;
    }

    /** Trains from zero weights. */
    public TrainingResult train(Evaluator evaluator, TrainingListener listener) {
        var data = evaluator.data();
        return train(evaluator, new Parameters(data.numClasses(), data.numFeatures()), listener);
    }

    /** Trains from {@code start} (not modified). */
    public TrainingResult train(Evaluator evaluator, Parameters start, TrainingListener listener) {
        var data = evaluator.data();
        int numExamples = data.numExamples();
        int numClasses = data.numClasses();
        int numFeatures = data.numFeatures();
        if (numExamples == 0) {
            throw new IllegalArgumentException("the training set has no examples");
        }
        start.checkShape(numClasses, numFeatures);
        PenalizedLogLikelihood objective = new PenalizedLogLikelihood(evaluator, options.lambda());
        StoppingRule stoppingRule = new StoppingRule(options.tolerance(), options.maxIterations(), numExamples,
                numClasses);
        Parameters parameters = start.copy();
        Parameters best = start.copy();
        Evaluation evaluation = new Evaluation(numClasses, numFeatures);
        int batchSize = options.batchSize() == 0 ? numExamples : Math.min(options.batchSize(), numExamples);
        boolean miniBatches = batchSize < numExamples;
        int[] order = miniBatches ? identity(numExamples) : null;
        SplittableRandom random = new SplittableRandom(options.seed());
        List<IterationRecord> history = new ArrayList<>();

        long started = System.nanoTime();
        IterationRecord current = record(0, objective, parameters, evaluation, started);
        IterationRecord bestRecord = current;
        history.add(current);
        listener.onIteration(current, options.maxIterations());
        StoppingRule.Decision decision = stoppingRule.check(current, null, bestRecord, parameters.isFinite());
        while (decision.reason() == null) {
            if (miniBatches) {
                shuffle(order, random);
                for (int from = 0; from < numExamples; from += batchSize) {
                    int to = Math.min(numExamples, from + batchSize);
                    objective.evaluate(parameters, order, from, to, evaluation);
                    updateRule.ascend(parameters, evaluation, to - from);
                }
            } else {
                // The evaluation of the last record holds ∇F at the current parameters.
                updateRule.ascend(parameters, evaluation, numExamples);
            }
            IterationRecord previous = current;
            current = record(previous.iteration() + 1, objective, parameters, evaluation, started);
            history.add(current);
            listener.onIteration(current, options.maxIterations());
            boolean finite = parameters.isFinite();
            decision = stoppingRule.check(current, previous, bestRecord, finite);
            if (finite && current.objective() > bestRecord.objective()) {
                bestRecord = current;
                best.copyFrom(parameters);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new TrainingResult(best, bestRecord, history, decision.reason(), decision.detail(), seconds);
    }

    private static IterationRecord record(int iteration, PenalizedLogLikelihood objective, Parameters parameters,
                                          Evaluation evaluation, long started) {
        double value = objective.evaluate(parameters, evaluation);
        double gradientNorm = PenalizedLogLikelihood.gradientNorm(evaluation) / objective.numExamples();
        return new IterationRecord(iteration, value, evaluation.logLikelihood(), gradientNorm,
                evaluation.accuracy(), (System.nanoTime() - started) / 1e9);
    }

    private static int[] identity(int n) {
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
