package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.softmax4j.TestData;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.cpu.CpuEngine;
import org.softmax4j.train.GradientAscent;
import org.softmax4j.train.GradientCheck;
import org.softmax4j.train.PenalizedLogLikelihood;
import org.softmax4j.train.SolverType;
import org.softmax4j.train.StopReason;
import org.softmax4j.train.Trainer;
import org.softmax4j.train.TrainingListener;
import org.softmax4j.train.TrainingOptions;
import org.softmax4j.train.TrainingResult;

/**
 * The model without a bias on the CUDA engine (issue 15): the kernels are those of the biased model, bound with b = 0;
 * the trainer drops ∂L/∂b, and the device-resident ascent zeroes it on the device before its update kernel. Fused,
 * unfused, resident and streamed paths, every solver, against the CPU engine within the README's float tolerance.
 */
@Tag("gpu")
class CudaNoBiasGpuTest {
    private static final Dataset DIGITS = Splits.stratified(BuiltinDigits.load(BuiltinDigits.DEFAULT_THRESHOLD), 0.2,
            1).train();

    @AfterEach
    void nothingIsLeft(TestInfo test) {
        GpuTests.assertNothingLeft(test.getDisplayName());
    }

    private static TrainingResult train(Engine engine, Dataset data, TrainingOptions options) {
        try (engine; Evaluator evaluator = engine.bind(data)) {
            return new Trainer(options).train(evaluator, TrainingListener.NONE);
        }
    }

    private static void assertZeroBias(Parameters parameters, String what) {
        for (int k = 0; k < parameters.numClasses(); k++) {
            assertEquals(0, Float.floatToRawIntBits(parameters.bias()[k]), what + ": b[" + k + "] is "
                    + parameters.bias()[k]);
        }
    }

    /** Within the README's float32 rounding of a log-likelihood: 1e-6 relative. */
    private static void assertRelativelyClose(double expected, double actual, String what) {
        double relative = Math.abs(actual - expected) / Math.abs(expected);
        assertTrue(relative <= 1e-6, what + " " + actual + ", cpu " + expected + ": relative difference "
                + relative);
    }

    /**
     * Plain ascent, which keeps W and b on the device: b stays exactly 0 over 500 steps, fused and unfused, resident
     * and streamed, and F agrees with the CPU engine's.
     */
    @Test
    void residentAscentLeavesTheBiasAtZeroAndMatchesTheCpuEngine() {
        CudaDevice device = GpuTests.device();
        TrainingOptions options = TrainingOptions.defaults().withLearningRate(1.0).withNoBias(true).withTolerance(0).withMaxIterations(500);
        TrainingResult cpu = train(new CpuEngine(), DIGITS, options);
        assertZeroBias(cpu.parameters(), "cpu");
        for (boolean fused : new boolean[] {true, false}) {
            for (boolean streamed : new boolean[] {false, true}) {
                String what = (fused ? "fused" : "unfused") + (streamed ? ", streamed" : ", resident");
                CudaEngine engine = streamed
                        ? new CudaEngine(device, fused, new Streaming(0, 0))
                        : new CudaEngine(device, fused, Streaming.DEFAULT);
                TrainingResult cuda = train(engine, DIGITS, options);
                assertEquals(500, cuda.iterations(), what);
                assertZeroBias(cuda.parameters(), what);
                assertRelativelyClose(cpu.best().logLikelihood(), cuda.best().logLikelihood(), what + ": L");
                assertRelativelyClose(cpu.best().objective(), cuda.best().objective(), what + ": F");
            }
        }
    }

    /** DeviceTraining with fitBias false, full batch and mini-batch steps: the host rule on W, b untouched. */
    @Test
    void deviceTrainingWithoutABiasStepsLikeTheHostRule() {
        CudaDevice device = GpuTests.device();
        Dataset data = TestData.randomBinary(3_001, 64, 10, 71);
        int k = data.numClasses();
        int d = data.numFeatures();
        int[] order = TestData.shuffled(data.numExamples(), 72);
        Parameters host = Parameters.random(k, d, 0.1, 73);
        java.util.Arrays.fill(host.bias(), 0f);
        Parameters start = host.copy();
        try (CpuEngine cpuEngine = new CpuEngine(1); Evaluator evaluator = cpuEngine.bind(data)) {
            PenalizedLogLikelihood objective = new PenalizedLogLikelihood(evaluator, 0.5, true);
            GradientAscent rule = new GradientAscent(1.0);
            Evaluation evaluation = new Evaluation(k, d);
            for (int s = 0; s < 6; s++) {
                if (s % 2 == 0) {
                    objective.evaluate(host, evaluation);
                    rule.ascend(host, evaluation, data.numExamples());
                } else {
                    objective.evaluate(host, order, 100, 1_100, evaluation);
                    rule.ascend(host, evaluation, 1_000);
                }
            }
        }
        for (boolean fused : new boolean[] {true, false}) {
            String what = fused ? "fused" : "unfused";
            Parameters onDevice;
            try (CudaEngine engine = new CudaEngine(device, fused); CudaEvaluator evaluator = engine.bind(data);
                 DeviceTraining training = evaluator.startDeviceTraining(start, false)) {
                for (int s = 0; s < 6; s++) {
                    if (s % 2 == 0) {
                        training.step(1.0, 0.5);
                    } else {
                        training.step(order, 100, 1_100, 1.0, 0.5);
                    }
                }
                onDevice = training.download();
            }
            assertZeroBias(onDevice, what);
            assertArrayEquals(host.weights(), onDevice.weights(), 1e-4f, what + ": W");
        }
    }

    /**
     * L-BFGS reaches the same optimum without a bias as on the CPU (float32 engine, then the double polish); OWL-QN,
     * SGD and Adam keep b at 0 and climb as on the CPU.
     */
    @Test
    void everySolverWithoutABiasRunsOnTheGpu() {
        CudaDevice device = GpuTests.device();
        TrainingOptions lbfgs = TrainingOptions.defaults().withSolver(SolverType.LBFGS).withMaxIterations(5000)
                .withNoBias(true);
        TrainingResult cpu = train(new CpuEngine(), DIGITS, lbfgs);
        TrainingResult cuda = train(new CudaEngine(device, true), DIGITS, lbfgs);
        assertEquals(StopReason.CONVERGED, cuda.stopReason(), cuda.stopDetail());
        assertZeroBias(cuda.parameters(), "lbfgs");
        assertTrue(cuda.best().gradientMaxAbs() <= 1e-6, "max|dF| " + cuda.best().gradientMaxAbs());
        double relative = Math.abs(cuda.best().objective() - cpu.best().objective()) / Math.abs(cpu.best().objective());
        assertTrue(relative <= 1e-10, "F " + cuda.best().objective() + ", cpu " + cpu.best().objective());

        List<TrainingOptions> climbs = List.of(
                lbfgs.withSolver(SolverType.OWLQN).withAlpha(0.5).withMaxIterations(10),
                TrainingOptions.defaults().withNoBias(true).withSolver(SolverType.SGD).withBatchSize(64)
                        .withLearningRate(0.5).withMomentum(0.9, true).withMaxIterations(3).withTolerance(0),
                TrainingOptions.defaults().withNoBias(true).withSolver(SolverType.ADAM).withBatchSize(64)
                        .withLearningRate(0.01).withMaxIterations(3).withTolerance(0));
        for (TrainingOptions options : climbs) {
            String what = options.solver().id() + " on the GPU";
            TrainingResult onCpu = train(new CpuEngine(), DIGITS, options);
            TrainingResult onGpu = train(new CudaEngine(device, true), DIGITS, options);
            assertZeroBias(onGpu.parameters(), what);
            assertTrue(onGpu.best().objective() > onGpu.history().get(0).objective(), what + " climbs");
            assertEquals(onCpu.best().objective(), onGpu.best().objective(),
                    1e-4 * Math.abs(onCpu.best().objective()), what + ": F");
        }
    }

    /** gradcheck --no-bias on the CUDA engine: the formula over W at 1e-6, the engine's W gradient in float32. */
    @Test
    void gradcheckWithoutABiasPasses() {
        CudaDevice device = GpuTests.device();
        int[] rows = new int[150];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i * 9;
        }
        for (boolean fused : new boolean[] {true, false}) {
            try (CudaEngine engine = new CudaEngine(device, fused)) {
                GradientCheck.Result result = GradientCheck.run(engine, DIGITS.select(rows), 3, 2000, true);
                assertTrue(result.passed(), result.summary());
                assertEquals(640, result.numChecked());
            }
        }
    }
}
