package org.softmax4j.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.softmax4j.data.Dataset;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;

/**
 * One training run, as {@code train} does it, without the command line: the inputs (the training set, with its
 * validation share split off and its sample and class weights folded into one weight per example; a test set; a
 * starting point) go in, and a {@link Report} comes out, whose one {@link Report#metrics() metrics map} is what the
 * CLI prints, writes into its JSON, and records in the model file.
 */
public final class TrainingRun {
    private TrainingRun() {
    }

    /**
     * What a run trains on.
     *
     * @param train          the training set (after the validation share was split off)
     * @param validation     the validation set for early stopping, or null
     * @param test           the test set, or null
     * @param exampleWeights ω_n = s_n · c_{y_n} for each training example, or null for all 1
     * @param start          the starting point (zeros, or a warm start)
     * @param penaltyFactors the per-feature penalty factors ({@link PenaltyFactors#none()} for the plain penalty)
     */
    public record Inputs(Dataset train, Dataset validation, Dataset test, double[] exampleWeights, Parameters start,
                         PenaltyFactors penaltyFactors) {
        public Inputs {
            java.util.Objects.requireNonNull(penaltyFactors, "penaltyFactors");
            penaltyFactors.checkFeatures(train.numFeatures());
        }

        /** Without penalty factors. */
        public Inputs(Dataset train, Dataset validation, Dataset test, double[] exampleWeights, Parameters start) {
            this(train, validation, test, exampleWeights, start, PenaltyFactors.none());
        }

        /**
         * These inputs with per-feature penalty factors.
         *
         * @throws IllegalArgumentException unless there is one factor per feature
         */
        public Inputs withPenaltyFactors(PenaltyFactors factors) {
            return new Inputs(train, validation, test, exampleWeights, start, factors);
        }

        /**
         * Splits {@code validationFraction} of {@code data} off (stratified, by {@code seed + 1}: not the seed of the
         * train/test split), with the sample weights of the rows that stay, and folds the class weights in.
         *
         * @param sampleWeights s_n for each row of {@code data}, or null
         * @param classWeights  the class weights, or null
         * @param start         the starting point, or null for zeros
         * @throws IllegalArgumentException for a fraction outside [0, 1), class weights naming a class the data does
         *                                  not have, or weights whose combination is not usable
         */
        public static Inputs of(Dataset data, double[] sampleWeights, ClassWeights classWeights,
                                double validationFraction, long seed, Dataset test, Parameters start) {
            checkValidationFraction(validationFraction);
            Dataset train = data;
            Dataset validation = null;
            double[] trainWeights = sampleWeights;
            if (validationFraction > 0) {
                int[][] parts = Splits.stratifiedIndices(data, validationFraction, seed + 1);
                validation = data.select(parts[1]);
                trainWeights = ExampleWeights.select(sampleWeights, parts[0]);
                train = data.select(parts[0]);
            }
            double[] exampleWeights = ExampleWeights.combine(train, trainWeights,
                    classWeights == null ? null : classWeights.of(train));
            Parameters first = start != null ? start : new Parameters(train.numClasses(), train.numFeatures());
            return new Inputs(train, validation, test, exampleWeights, first);
        }
    }

    /** The share of the training data held out for early stopping: in [0, 1). */
    public static void checkValidationFraction(double validationFraction) {
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction is " + validationFraction
                    + ", expected a number in [0, 1)");
        }
    }

    /**
     * What a run gives: the training result, the test set's log-likelihood and accuracy (NaN without one), and the
     * metrics of the best iteration in one map, in the order they are reported: log_likelihood, objective,
     * gradient_max_abs, gradient_norm_per_example, validation_log_likelihood (only with a validation set),
     * train_accuracy, test_log_likelihood, test_accuracy.
     */
    public record Report(TrainingResult result, Inputs inputs, Map<String, Double> metrics) {
        public Report {
            metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        }

        public double testLogLikelihood() {
            return metrics.get("test_log_likelihood");
        }

        public double testAccuracy() {
            return metrics.get("test_accuracy");
        }
    }

    /**
     * Binds the sets on {@code engine}, trains (the double-precision polish, if any, is the engine's), evaluates the
     * best parameters on the test set, and closes what it bound.
     *
     * @throws UnsupportedOperationException when the engine cannot weight examples
     */
    public static Report run(Engine engine, TrainingOptions options, Inputs inputs, TrainingListener listener) {
        return run(engine, options, inputs, listener, null);
    }

    /**
     * Watches the evaluations training makes: gives the trainer the evaluators {@code tap} returns (which must pass
     * everything through) instead of the ones bound here; those are still closed here.
     */
    public interface EvaluatorTap {
        /** The training evaluator to give the trainer. */
        Evaluator training(Evaluator evaluator, TrainingOptions options);

        /** The validation evaluator to give the trainer. */
        Evaluator validation(Evaluator evaluator);
    }

    /** As {@link #run(Engine, TrainingOptions, Inputs, TrainingListener)}, the evaluators watched by {@code tap}. */
    public static Report run(Engine engine, TrainingOptions options, Inputs inputs, TrainingListener listener,
                             EvaluatorTap tap) {
        TrainingResult result;
        try (Evaluator evaluator = engine.bind(inputs.train(), inputs.exampleWeights());
             Evaluator validation = inputs.validation() == null ? null : engine.bind(inputs.validation())) {
            Evaluator trained = tap == null ? evaluator : tap.training(evaluator, options);
            Evaluator watched = tap == null || validation == null ? validation : tap.validation(validation);
            result = new Trainer(options).withPenaltyFactors(inputs.penaltyFactors()).train(engine, trained,
                    inputs.exampleWeights(), watched, inputs.start(), listener);
        }
        double testLogLikelihood = Double.NaN;
        double testAccuracy = Double.NaN;
        Dataset test = inputs.test();
        if (test != null && test.numExamples() > 0) {
            Evaluation evaluation = new Evaluation(test.numClasses(), test.numFeatures());
            try (Evaluator evaluator = engine.bind(test)) {
                evaluator.evaluate(result.parameters(), evaluation);
            }
            testLogLikelihood = evaluation.logLikelihood();
            testAccuracy = evaluation.accuracy();
        }
        IterationRecord best = result.best();
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("log_likelihood", best.logLikelihood());
        metrics.put("objective", best.objective());
        // Two gradient sizes, each under its own name: max|dF| (what lbfgs and owlqn stop on) and ||dF||/N.
        metrics.put("gradient_max_abs", best.gradientMaxAbs());
        metrics.put("gradient_norm_per_example", best.gradientNorm());
        if (inputs.validation() != null) {
            metrics.put("validation_log_likelihood", best.validationLogLikelihood());
        }
        metrics.put("train_accuracy", best.trainAccuracy());
        metrics.put("test_log_likelihood", testLogLikelihood);
        metrics.put("test_accuracy", testAccuracy);
        return new Report(result, inputs, metrics);
    }
}
