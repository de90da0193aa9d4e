package org.softmax4j.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.ForwardingEvaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.ResidentAscent;
import org.softmax4j.train.IterationRecord;
import org.softmax4j.train.Precision;
import org.softmax4j.train.StepReport;
import org.softmax4j.train.TrainingListener;
import org.softmax4j.train.TrainingOptions;
import org.softmax4j.train.TrainingRun;

/**
 * The test set's log-likelihood and accuracy, and the validation set's accuracy, per iteration, for the report's
 * curves, without changing how training runs: it taps the evaluators the trainer already calls. Whenever the trainer
 * evaluates the training set in full, the same parameters are evaluated on the test set; when it evaluates the
 * validation set, its accuracy is kept. An iteration's record is then matched to those evaluations by its
 * log-likelihoods, bit for bit, so that a value is only ever shown for the parameters it belongs to; an iteration
 * with no match (a solver that evaluates elsewhere, such as the double-precision finish of lbfgs) gets NaN, a gap in
 * the curve. The training evaluator is left untapped wherever the trainer looks at its type to choose a path, so
 * that a report never changes training: an evaluator that trains on the device ({@link ResidentAscent}), and the CPU
 * engine's under lbfgs or owlqn in double precision (which then run in double from the start); those runs have the
 * final test score only. Costs one test evaluation per training evaluation, and only when a report is asked for.
 */
public final class HeldOutCurves implements TrainingListener, TrainingRun.EvaluatorTap, AutoCloseable {
    /** Evaluations remembered for matching; a solver evaluates a few times per iteration at most (line search). */
    private static final int REMEMBERED = 64;

    private final Evaluator test;
    private final Evaluation testEvaluation;
    private final TrainingListener downstream;
    private final Map<Long, double[]> testByTrainLogLikelihood = remembered();
    private final Map<Long, Double> accuracyByValidationLogLikelihood = remembered();
    private final List<Double> testLogLikelihood = new ArrayList<>();
    private final List<Double> testAccuracy = new ArrayList<>();
    private final List<Double> validationAccuracy = new ArrayList<>();

    /**
     * @param test       the test set, or null (then only the validation accuracy is kept)
     * @param downstream told of every iteration after this (the progress bar)
     */
    public HeldOutCurves(Engine engine, Dataset test, TrainingListener downstream) {
        this.test = test == null || test.numExamples() == 0 ? null : engine.bind(test);
        this.testEvaluation = this.test == null ? null : new Evaluation(test.numClasses(), test.numFeatures());
        this.downstream = downstream;
    }

    /** The training evaluator to give the trainer: tapped where that cannot change the path training takes. */
    @Override
    public Evaluator training(Evaluator evaluator, TrainingOptions options) {
        boolean typeMatters = evaluator instanceof ResidentAscent || (options.solver().isQuasiNewton()
                && options.precision() == Precision.DOUBLE && evaluator.doublePrecisionCostsTheSame());
        return test == null || typeMatters ? evaluator : new Tap(evaluator, true);
    }

    /** The validation evaluator to give the trainer (null stays null). */
    @Override
    public Evaluator validation(Evaluator evaluator) {
        return evaluator == null ? null : new Tap(evaluator, false);
    }

    @Override
    public void onIteration(IterationRecord record, int maxIterations) {
        double[] held = testByTrainLogLikelihood.get(Double.doubleToRawLongBits(record.logLikelihood()));
        testLogLikelihood.add(held == null ? Double.NaN : held[0]);
        testAccuracy.add(held == null ? Double.NaN : held[1]);
        Double accuracy = accuracyByValidationLogLikelihood.get(
                Double.doubleToRawLongBits(record.validationLogLikelihood()));
        validationAccuracy.add(accuracy == null || Double.isNaN(record.validationLogLikelihood()) ? Double.NaN
                : accuracy);
        downstream.onIteration(record, maxIterations);
    }

    @Override
    public void onStep(StepReport step) {
        downstream.onStep(step);
    }

    @Override
    public String stopRequested() {
        return downstream.stopRequested();
    }

    /**
     * The first {@code records} records of the history were made by an earlier process (a run resumed from a
     * checkpoint): their held-out values are not known.
     */
    public void unknownBefore(int records) {
        for (int i = 0; i < records; i++) {
            testLogLikelihood.add(Double.NaN);
            testAccuracy.add(Double.NaN);
            validationAccuracy.add(Double.NaN);
        }
    }

    /** Per record of the history, in order (NaN where not known), for {@link ReportInput.Curve}. */
    public ReportInput.HeldOut curves() {
        return new ReportInput.HeldOut(toArray(testLogLikelihood), toArray(testAccuracy), toArray(validationAccuracy));
    }

    @Override
    public void close() {
        if (test != null) {
            test.close();
        }
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static <V> Map<Long, V> remembered() {
        return new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, V> eldest) {
                return size() > REMEMBERED;
            }
        };
    }

    /** Passes everything through; after a full evaluation, records what the report needs. */
    private final class Tap extends ForwardingEvaluator {
        private final boolean training;

        Tap(Evaluator inner, boolean training) {
            super(inner);
            this.training = training;
        }

        @Override
        public void evaluate(Parameters parameters, Evaluation out) {
            inner.evaluate(parameters, out);
            long key = Double.doubleToRawLongBits(out.logLikelihood());
            if (training) {
                test.evaluate(parameters, testEvaluation);
                testByTrainLogLikelihood.put(key, new double[] {testEvaluation.logLikelihood(),
                        testEvaluation.accuracy()});
            } else {
                accuracyByValidationLogLikelihood.put(key, out.accuracy());
            }
        }

        @Override
        public void close() {
            // The evaluator is closed by whoever bound it (TrainingRun); a tap only watches.
        }
    }
}
