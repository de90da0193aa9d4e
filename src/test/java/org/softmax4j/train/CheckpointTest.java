package org.softmax4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.softmax4j.InputException;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.Split;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Backend;
import org.softmax4j.engine.Engine;

/**
 * Checkpoints continue a run bit for bit: for every solver, a run stopped after iteration k1, resumed from its
 * checkpoint, stopped again after k2 (so a restored state is saved again) and resumed to its end gives exactly the
 * weights, records, stop reason and detail of the run never stopped. And a checkpoint refuses a run with other data,
 * other settings, or a damaged file.
 */
class CheckpointTest {
    private static final Split DIGITS = Splits.stratified(BuiltinDigits.load(), 0.2, 1);
    private static final Engine ENGINE = Backend.CPU.open(2);

    @TempDir
    Path dir;

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    /** name, options, validation fraction, whether the examples are weighted, k1, k2. */
    static Stream<Arguments> runs() {
        TrainingOptions base = TrainingOptions.defaults().withMaxIterations(30);
        TrainingOptions sgd = base.withSolver(SolverType.SGD).withBatchSize(100).withMaxIterations(12);
        return Stream.of(
                Arguments.of("ascent, fixed eta", base.withLearningRate(0.5), 0.0, false, 4, 11),
                Arguments.of("ascent, auto step with Nesterov", base, 0.0, false, 4, 11),
                Arguments.of("ascent, auto step, plain", base.withAcceleration(Acceleration.NONE), 0.0, false, 4, 11),
                Arguments.of("ascent, auto step, weighted", base.withLambda(0.1), 0.0, true, 4, 11),
                Arguments.of("lbfgs in double", base.withSolver(SolverType.LBFGS), 0.0, false, 3, 9),
                Arguments.of("lbfgs in float", base.withSolver(SolverType.LBFGS).withPrecision(Precision.ENGINE),
                        0.0, false, 3, 9),
                Arguments.of("lbfgs, no bias, weighted", base.withSolver(SolverType.LBFGS).withNoBias(true), 0.0,
                        true, 3, 9),
                // Stopped inside the Hessian's refreshes (3) and after them (9): the resumed run retakes H where it was.
                Arguments.of("newton, weighted", base.withSolver(SolverType.NEWTON).withLambda(0.1), 0.0, true, 3, 9),
                Arguments.of("owlqn", base.withSolver(SolverType.OWLQN).withAlpha(0.5).withHistory(3), 0.0, false,
                        5, 13),
                Arguments.of("sgd, Nesterov momentum, cosine", sgd.withMomentum(0.9, true)
                        .withSchedule(Schedule.COSINE).withLearningRate(0.05), 0.0, false, 2, 7),
                Arguments.of("sgd, momentum, inverse time, weighted", sgd.withSchedule(Schedule.INVERSE_TIME), 0.0,
                        true, 2, 7),
                Arguments.of("adam", base.withSolver(SolverType.ADAM).withBatchSize(64).withMaxIterations(10), 0.0,
                        false, 2, 7),
                Arguments.of("sgd with early stopping", sgd.withLearningRate(2).withPatience(2).withMaxIterations(40),
                        0.25, false, 1, 3),
                Arguments.of("lbfgs with validation", base.withSolver(SolverType.LBFGS), 0.25, true, 3, 9));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void aRunStoppedTwiceAndResumedEndsAsTheRunNeverStopped(String name, TrainingOptions options,
                                                              double validationFraction, boolean weighted, int first,
                                                              int second) {
        TrainingRun.Inputs inputs = inputs(validationFraction, weighted);
        TrainingResult whole = TrainingRun.run(ENGINE, options, inputs, TrainingListener.NONE).result();
        assertTrue(whole.iterations() > second, name + " ran only " + whole.iterations() + " iterations");
        if (name.contains("early stopping")) {
            assertEquals(StopReason.EARLY_STOPPING, whole.stopReason(), "the case must reach early stopping");
        }

        Path file = dir.resolve("run.s4jc");
        Checkpoint.Writing writing = new Checkpoint.Writing(file, 1e9);
        TrainingResult stopped = TrainingRun.run(ENGINE, options, inputs, new StopAfter(first), null, writing, null)
                .result();
        assertEquals(StopReason.INTERRUPTED, stopped.stopReason());
        assertEquals(first, Checkpoint.read(file).iteration());
        TrainingResult stoppedAgain = TrainingRun.run(ENGINE, options, inputs, new StopAfter(second), null, writing,
                Checkpoint.read(file)).result();
        assertEquals(StopReason.INTERRUPTED, stoppedAgain.stopReason());
        assertEquals(second, Checkpoint.read(file).iteration());
        TrainingResult resumed = TrainingRun.run(ENGINE, options, inputs, TrainingListener.NONE, null, null,
                Checkpoint.read(file)).result();
        assertSameRun(whole, resumed);
    }

    @Test
    void aCheckpointEveryIterationResumesFromAnyOfThem() throws Exception {
        TrainingOptions options = TrainingOptions.defaults().withSolver(SolverType.SGD).withBatchSize(50)
                .withMaxIterations(6);
        TrainingRun.Inputs inputs = inputs(0, false);
        TrainingResult whole = TrainingRun.run(ENGINE, options, inputs, TrainingListener.NONE).result();
        Path file = dir.resolve("every.s4jc");
        TrainingListener copyEach = new TrainingListener() {
            @Override
            public void onIteration(IterationRecord record, int maxIterations) {
            }
        };
        TrainingRun.run(ENGINE, options, inputs, copyEach, null, new Checkpoint.Writing(file, 0), null);
        // The last checkpoint is after the last iteration that went on: one before the end.
        Checkpoint last = Checkpoint.read(file);
        assertEquals(whole.iterations() - 1, last.iteration());
        assertSameRun(whole, TrainingRun.run(ENGINE, options, inputs, TrainingListener.NONE, null, null, last)
                .result());
    }

    @Test
    void aLowerIterationLimitOnResumeStopsAtOnce() {
        TrainingOptions options = TrainingOptions.defaults().withMaxIterations(30);
        TrainingRun.Inputs inputs = inputs(0, false);
        Path file = dir.resolve("limit.s4jc");
        TrainingRun.run(ENGINE, options, inputs, new StopAfter(8), null, new Checkpoint.Writing(file, 1e9), null);
        TrainingResult result = TrainingRun.run(ENGINE, options.withMaxIterations(5), inputs, TrainingListener.NONE,
                null, null, Checkpoint.read(file)).result();
        assertEquals(StopReason.MAX_ITERATIONS, result.stopReason());
        assertEquals(8, result.iterations());
    }

    @Test
    void otherDataOrSettingsAreRefused() {
        TrainingOptions options = TrainingOptions.defaults().withSolver(SolverType.LBFGS).withMaxIterations(30);
        TrainingRun.Inputs inputs = inputs(0, false);
        Path file = dir.resolve("refuse.s4jc");
        TrainingRun.run(ENGINE, options, inputs, new StopAfter(2), null, new Checkpoint.Writing(file, 1e9), null);
        Checkpoint checkpoint = Checkpoint.read(file);

        String lambda = refusal(options.withLambda(0.5), inputs, checkpoint);
        assertEquals("cannot resume from checkpoint " + file + ": it was written with lambda 1.0, this run has 0.5; "
                + "resume with the same options (" + Checkpoint.MAY_CHANGE + ")", lambda);
        assertTrue(refusal(options.withSolver(SolverType.OWLQN), inputs, checkpoint)
                .contains("written with solver lbfgs, this run has owlqn"));
        assertTrue(refusal(options.withTolerance(1e-3), inputs, checkpoint)
                .contains("written with tolerance 1.0E-6, this run has 0.001"));
        assertTrue(refusal(options, inputs(0, true), checkpoint).contains("written for other training data"));
        assertTrue(refusal(options, inputs(0.1, false), checkpoint).contains("written for other training data"));
        Dataset changed = DIGITS.train().select(reversed(DIGITS.train().numExamples()));
        TrainingRun.Inputs reordered = TrainingRun.Inputs.of(changed, null, null, 0, 1, null, null);
        assertTrue(refusal(options, reordered, checkpoint).contains("written for other training data"));
        double[] factors = new double[DIGITS.train().numFeatures()];
        java.util.Arrays.fill(factors, 2);
        assertTrue(refusal(options, inputs.withPenaltyFactors(PenaltyFactors.same(factors)), checkpoint)
                .contains("written with penalty_factors unset, this run has "));
        // The iteration limit may change (it only ends the loop).
        TrainingRun.run(ENGINE, options.withMaxIterations(4), inputs, TrainingListener.NONE, null, null, checkpoint);
    }

    private static String refusal(TrainingOptions options, TrainingRun.Inputs inputs, Checkpoint checkpoint) {
        return assertThrows(InputException.class, () -> TrainingRun.run(ENGINE, options, inputs,
                TrainingListener.NONE, null, null, checkpoint)).getMessage();
    }

    @Test
    void aDamagedFileIsRefusedNamingTheProblem() throws Exception {
        Path file = dir.resolve("damaged.s4jc");
        TrainingRun.run(ENGINE, TrainingOptions.defaults().withMaxIterations(10), inputs(0, false), new StopAfter(2),
                null, new Checkpoint.Writing(file, 1e9), null);
        byte[] good = Files.readAllBytes(file);
        int headerEnd = indexOf(good, (byte) '\n');

        byte[] flipped = good.clone();
        flipped[headerEnd + 40] ^= 1;
        assertTrue(message(flipped).contains("checksum mismatch: the checkpoint is corrupted"));
        assertTrue(message(Arrays.copyOf(good, good.length - 100)).contains("truncated checkpoint: expected "
                + (good.length - headerEnd - 1) + " bytes after the header, found " + (good.length - headerEnd - 101)));
        assertTrue(message(Arrays.copyOf(good, 10)).contains("not a softmax4j checkpoint"));
        assertTrue(message("{\"format\": \"softmax4j-model\"}".getBytes()).contains("not a softmax4j checkpoint"));
        byte[] otherVersion = good.clone();
        otherVersion["softmax4j-checkpoint ".length()] = '7';
        assertTrue(message(otherVersion).contains("checkpoint format version 7 is not supported, expected 1"));
        assertEquals(dir.resolve("none") + ": no such checkpoint file", assertThrows(InputException.class,
                () -> Checkpoint.read(dir.resolve("none"))).getMessage());
    }

    private String message(byte[] content) throws Exception {
        Path file = dir.resolve("bad.s4jc");
        Files.write(file, content);
        String message = assertThrows(InputException.class, () -> Checkpoint.read(file)).getMessage();
        assertTrue(message.startsWith(file + ": ") && !message.contains("\n"), message);
        return message;
    }

    private static int indexOf(byte[] bytes, byte value) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static int[] reversed(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = n - 1 - i;
        }
        return order;
    }

    /** The digits' training split, with a validation share and random sample weights and balanced classes if asked. */
    private static TrainingRun.Inputs inputs(double validationFraction, boolean weighted) {
        Dataset train = DIGITS.train();
        double[] sampleWeights = null;
        if (weighted) {
            SplittableRandom random = new SplittableRandom(3);
            sampleWeights = new double[train.numExamples()];
            for (int i = 0; i < sampleWeights.length; i++) {
                sampleWeights[i] = random.nextDouble(0.2, 2);
            }
        }
        return TrainingRun.Inputs.of(train, sampleWeights, weighted ? ClassWeights.parse("balanced") : null,
                validationFraction, 1, null, null);
    }

    /** Everything a run gives but the seconds, compared exactly. */
    static void assertSameRun(TrainingResult expected, TrainingResult actual) {
        assertArrayEquals(expected.parameters().weights(), actual.parameters().weights(), "weights");
        assertArrayEquals(expected.parameters().bias(), actual.parameters().bias(), "bias");
        assertEquals(expected.stopReason(), actual.stopReason());
        assertEquals(expected.stopDetail(), actual.stopDetail());
        assertEquals(expected.iterations(), actual.iterations());
        assertEquals(untimed(expected.best()), untimed(actual.best()));
        assertEquals(expected.history().stream().map(CheckpointTest::untimed).toList(),
                actual.history().stream().map(CheckpointTest::untimed).toList());
        assertEquals(expected.precision(), actual.precision());
        StepReport step = expected.step();
        if (step != null) {
            StepReport other = actual.step();
            assertEquals(List.of(step.chosen(), step.last(), step.falls(), step.halvings(), step.restarts()),
                    List.of(other.chosen(), other.last(), other.falls(), other.halvings(), other.restarts()));
        }
    }

    private static IterationRecord untimed(IterationRecord r) {
        return new IterationRecord(r.iteration(), r.objective(), r.logLikelihood(), r.gradientNorm(),
                r.trainAccuracy(), 0, r.gradientMaxAbs(), r.validationLogLikelihood(), r.optimalityGap());
    }
}
