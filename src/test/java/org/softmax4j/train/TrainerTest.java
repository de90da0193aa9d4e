package org.softmax4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.softmax4j.TestData;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.Split;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.cpu.CpuEngine;

class TrainerTest {

    private static TrainingResult train(Dataset data, TrainingOptions options, int threads) {
        try (CpuEngine engine = new CpuEngine(threads); Evaluator evaluator = engine.bind(data)) {
            return new Trainer(options).train(evaluator, TrainingListener.NONE);
        }
    }

    @Test
    void shortRunOnTheDigitsReachesNinetyPercentOnTheTestSplit() {
        Split split = Splits.stratified(BuiltinDigits.load(BuiltinDigits.DEFAULT_THRESHOLD), 0.2, 1);
        TrainingResult result = train(split.train(), TrainingOptions.defaults().withLearningRate(1.0).withMaxIterations(200), 2);
        Evaluation test = new Evaluation(10, 64);
        try (CpuEngine engine = new CpuEngine(2); Evaluator evaluator = engine.bind(split.test())) {
            evaluator.evaluate(result.parameters(), test);
        }
        assertTrue(test.accuracy() >= 0.90, "test accuracy " + test.accuracy());
        assertEquals(StopReason.MAX_ITERATIONS, result.stopReason());
        assertTrue(result.stopDetail().contains("before the tolerance"), result.stopDetail());
    }

    @Test
    void smallAscentStepsNeverLowerTheObjective() {
        Dataset data = TestData.randomDense(500, 12, 4, 21);
        TrainingResult result = train(data, TrainingOptions.defaults().withLearningRate(0.05)
                .withMaxIterations(100).withTolerance(0), 1);
        List<IterationRecord> history = result.history();
        assertEquals(101, history.size());
        for (int i = 1; i < history.size(); i++) {
            assertTrue(history.get(i).objective() >= history.get(i - 1).objective(),
                    "F fell at iteration " + i + ": " + history.get(i - 1).objective() + " -> "
                            + history.get(i).objective());
        }
        assertEquals(history.get(100), result.best());
    }

    @Test
    void stopsWhenTheRelativeChangeFallsUnderTheTolerance() {
        Dataset data = TestData.randomBinary(400, 20, 3, 22);
        TrainingResult result = train(data, TrainingOptions.defaults().withLearningRate(1.0).withTolerance(1e-4), 1);
        assertEquals(StopReason.CONVERGED, result.stopReason());
        List<IterationRecord> history = result.history();
        IterationRecord last = history.get(history.size() - 1);
        IterationRecord previous = history.get(history.size() - 2);
        double change = Math.abs(last.objective() - previous.objective()) / Math.max(Math.abs(last.objective()), 1);
        assertTrue(change < 1e-4 || last.gradientNorm() < 1e-4, result.stopDetail());
        assertTrue(result.iterations() < TrainingOptions.DEFAULT_MAX_ITERATIONS);
    }

    @Test
    void divergenceStopsAndKeepsTheBestWeights() {
        Dataset data = TestData.randomDense(300, 10, 3, 23);
        TrainingResult result = train(data, TrainingOptions.defaults().withLearningRate(1e6).withLambda(0)
                .withMaxIterations(100), 1);
        assertEquals(StopReason.DIVERGED, result.stopReason());
        assertTrue(result.stopDetail().contains("smaller --learning-rate"), result.stopDetail());
        assertTrue(result.parameters().isFinite());
        double bestSeen = result.history().stream().mapToDouble(IterationRecord::objective)
                .filter(Double::isFinite).max().orElseThrow();
        assertEquals(bestSeen, result.best().objective());
        // The returned weights are those of the best record: re-evaluating them gives its objective.
        Evaluation check = new Evaluation(3, 10);
        try (CpuEngine engine = new CpuEngine(1); Evaluator evaluator = engine.bind(data)) {
            double value = new PenalizedLogLikelihood(evaluator, 0).evaluate(result.parameters(), check);
            assertEquals(result.best().objective(), value, 0.0);
        }
    }

    @Test
    void anOverflowingFirstStepDivergesAtOnce() {
        // Weights so large that the first step overflows float: F becomes -Infinity or NaN.
        Dataset data = TestData.randomDense(50, 4, 2, 24);
        TrainingResult result = train(data, TrainingOptions.defaults().withLearningRate(1e38).withLambda(0), 1);
        assertEquals(StopReason.DIVERGED, result.stopReason());
        assertEquals(0, result.best().iteration());
        assertTrue(result.parameters().isFinite());
    }

    @Test
    void trainingIsBitwiseTheSameForOneAndFourThreads() {
        Dataset data = TestData.randomBinary(CpuEngine.CHUNK_SIZE * 2 + 100, 64, 5, 25);
        TrainingOptions options = TrainingOptions.defaults().withLearningRate(1.0).withMaxIterations(5);
        TrainingResult one = train(data, options, 1);
        TrainingResult four = train(data, options, 4);
        assertArrayEquals(one.parameters().weights(), four.parameters().weights(), 0f);
        assertEquals(one.best().objective(), four.best().objective(), 0.0);
    }

    @Test
    void miniBatchesAreShuffledBySeedAndReproducible() {
        Dataset data = TestData.randomDense(1000, 8, 3, 26);
        TrainingOptions options = TrainingOptions.defaults().withBatchSize(64).withMaxIterations(3)
                .withLearningRate(0.5);
        TrainingResult first = train(data, options, 2);
        TrainingResult again = train(data, options, 1);
        TrainingResult otherSeed = train(data, options.withSeed(2), 2);
        assertArrayEquals(first.parameters().weights(), again.parameters().weights(), 0f);
        assertNotEquals(first.best().objective(), otherSeed.best().objective());
        assertTrue(first.best().objective() > first.history().get(0).objective());
    }

    @Test
    void penaltyEntersTheObjectiveAndItsGradient() {
        Dataset data = TestData.randomDense(40, 5, 3, 27);
        Parameters parameters = Parameters.random(3, 5, 0.5, 28);
        Evaluation plain = new Evaluation(3, 5);
        Evaluation penalized = new Evaluation(3, 5);
        try (CpuEngine engine = new CpuEngine(1); Evaluator evaluator = engine.bind(data)) {
            double f0 = new PenalizedLogLikelihood(evaluator, 0).evaluate(parameters, plain);
            double f2 = new PenalizedLogLikelihood(evaluator, 2).evaluate(parameters, penalized);
            assertEquals(f0 - parameters.weightsSquaredNorm(), f2, 1e-9 * Math.abs(f0));
            for (int i = 0; i < 15; i++) {
                assertEquals(plain.gradWeights()[i] - 2 * parameters.weights()[i], penalized.gradWeights()[i], 1e-12);
            }
            assertArrayEquals(plain.gradBias(), penalized.gradBias(), 0.0);
        }
    }
}
