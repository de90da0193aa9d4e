package org.softmax4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.softmax4j.TestData;
import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.ForwardingEvaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.ResidentAscent;
import org.softmax4j.engine.cpu.CpuEngine;

/**
 * The trainer's path for engines that keep W and b in their own memory (the CUDA engine), run here against a CPU
 * evaluator that keeps them in a host object and steps them with the same rule: it must give the plain loop's weights.
 */
class ResidentAscentTest {

    /** A CPU evaluator that also offers resident ascent, counting steps and downloads. */
    static class HostResident extends ForwardingEvaluator implements ResidentAscent {
        int steps;
        int downloads;

        HostResident(Evaluator inner) {
            super(inner);
        }

        @Override
        public Session startResidentAscent(Parameters start, boolean fitBias) {
            Parameters resident = start.copy();
            Evaluation evaluation = new Evaluation(start.numClasses(), start.numFeatures());
            return new Session() {
                @Override
                public double step(double learningRate, double lambda) {
                    steps++;
                    new PenalizedLogLikelihood(inner, lambda, !fitBias).evaluate(resident, evaluation);
                    new GradientAscent(learningRate).ascend(resident, evaluation, inner.data().numExamples());
                    return evaluation.logLikelihood();
                }

                @Override
                public Parameters download() {
                    downloads++;
                    return resident.copy();
                }

                @Override
                public void close() {
                }
            };
        }

    }

    @Test
    void residentStepsGiveThePlainLoopsWeightsAndRecordEveryTenSteps() {
        Dataset data = TestData.randomBinary(700, 64, 4, 41);
        TrainingOptions options = TrainingOptions.defaults().withLearningRate(1.0).withMaxIterations(53).withTolerance(0);
        try (CpuEngine engine = new CpuEngine(2)) {
            TrainingResult plain;
            try (Evaluator evaluator = engine.bind(data)) {
                plain = new Trainer(options).train(evaluator, TrainingListener.NONE);
            }
            HostResident resident = new HostResident(engine.bind(data));
            TrainingResult result;
            try (resident) {
                result = new Trainer(options).train(resident, TrainingListener.NONE);
            }
            assertEquals(53, resident.steps);
            assertEquals(6, resident.downloads, "one download per checkpoint");
            List<Integer> iterations = result.history().stream().map(IterationRecord::iteration).toList();
            assertEquals(List.of(0, 10, 20, 30, 40, 50, 53), iterations);
            assertEquals(StopReason.MAX_ITERATIONS, result.stopReason());
            assertEquals(53, result.iterations());
            // Monotone ascent: the best weights are the last, and bitwise the plain loop's.
            assertEquals(53, plain.best().iteration());
            assertEquals(53, result.best().iteration());
            assertArrayEquals(plain.parameters().weights(), result.parameters().weights(), 0f);
            assertArrayEquals(plain.parameters().bias(), result.parameters().bias(), 0f);
            assertEquals(plain.best().objective(), result.best().objective(), 0.0);
        }
    }

    /** Without a bias the resident session is started with fitBias false: its steps leave b at 0, as the loop's do. */
    @Test
    void residentStepsWithoutABiasLeaveTheBiasAtZero() {
        Dataset data = TestData.randomBinary(500, 64, 4, 45);
        TrainingOptions options = TrainingOptions.defaults().withLearningRate(1.0).withMaxIterations(23).withTolerance(0).withNoBias(true);
        try (CpuEngine engine = new CpuEngine(1)) {
            TrainingResult plain;
            try (Evaluator evaluator = engine.bind(data)) {
                plain = new Trainer(options).train(evaluator, TrainingListener.NONE);
            }
            TrainingResult result;
            try (HostResident resident = new HostResident(engine.bind(data))) {
                result = new Trainer(options).train(resident, TrainingListener.NONE);
                assertEquals(23, resident.steps);
            }
            assertArrayEquals(new float[4], result.parameters().bias(), 0f);
            assertArrayEquals(plain.parameters().weights(), result.parameters().weights(), 0f);
            assertEquals(plain.best().objective(), result.best().objective(), 0.0);
        }
    }

    @Test
    void convergenceIsJudgedPerStepAtCheckpoints() {
        Dataset data = TestData.randomBinary(400, 20, 3, 42);
        TrainingOptions options = TrainingOptions.defaults().withLearningRate(1.0).withTolerance(1e-4);
        try (CpuEngine engine = new CpuEngine(1); HostResident resident = new HostResident(engine.bind(data))) {
            TrainingResult result = new Trainer(options).train(resident, TrainingListener.NONE);
            assertEquals(StopReason.CONVERGED, result.stopReason(), result.stopDetail());
            assertEquals(0, result.iterations() % ResidentAscentSolver.STEPS);
            List<IterationRecord> history = result.history();
            IterationRecord last = history.get(history.size() - 1);
            IterationRecord previous = history.get(history.size() - 2);
            double perStep = Math.abs(last.objective() - previous.objective())
                    / Math.max(Math.abs(last.objective()), 1) / (last.iteration() - previous.iteration());
            assertTrue(perStep < 1e-4 || last.gradientNorm() < 1e-4, result.stopDetail());
        }
    }

    @Test
    void divergenceStopsAtTheNextCheckpointWithTheBestWeights() {
        Dataset data = TestData.randomDense(300, 10, 3, 43);
        TrainingOptions options = TrainingOptions.defaults().withLearningRate(1e6).withLambda(0).withMaxIterations(100);
        try (CpuEngine engine = new CpuEngine(1); HostResident resident = new HostResident(engine.bind(data))) {
            TrainingResult result = new Trainer(options).train(resident, TrainingListener.NONE);
            assertEquals(StopReason.DIVERGED, result.stopReason(), result.stopDetail());
            assertTrue(result.parameters().isFinite());
            assertTrue(resident.steps < 100, "stopped early: " + resident.steps + " steps");
        }
    }

    @Test
    void validationAndMiniBatchesKeepTheHostLoop() {
        Dataset data = TestData.randomDense(300, 6, 3, 44);
        try (CpuEngine engine = new CpuEngine(1); HostResident resident = new HostResident(engine.bind(data))) {
            new Trainer(TrainingOptions.defaults().withLearningRate(1.0).withBatchSize(32).withMaxIterations(3))
                    .train(resident, TrainingListener.NONE);
            assertEquals(0, resident.steps, "mini-batches step on the host");
        }
    }
}
