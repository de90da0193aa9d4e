package org.softmax4j.engine.cuda;

import static org.softmax4j.EngineAssertions.assertProbabilitiesClose;
import static org.softmax4j.EngineAssertions.assertMatchesReference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.softmax4j.TestData;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.Split;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.cpu.CpuEngine;
import org.softmax4j.engine.cpu.DoubleReference;
import org.softmax4j.train.GradientAscent;
import org.softmax4j.train.PenalizedLogLikelihood;
import org.softmax4j.train.SolverType;
import org.softmax4j.train.StopReason;
import org.softmax4j.train.Trainer;
import org.softmax4j.train.TrainingListener;
import org.softmax4j.train.TrainingOptions;
import org.softmax4j.train.TrainingResult;

/** The CUDA engine against the double reference and the CPU engine. Needs a GPU; see {@link GpuTests}. */
@Tag("gpu")
class CudaEngineGpuTest {

    @AfterEach
    void nothingIsLeft(TestInfo test) {
        GpuTests.assertNothingLeft(test.getDisplayName());
    }


    static Stream<Arguments> shapes() {
        List<Arguments> shapes = new ArrayList<>();
        for (int n : new int[]{1, 31, 33, 1025}) {
            for (int d : new int[]{1, 63, 64, 65, 130}) {
                for (int k : new int[]{2, 10, 17}) {
                    shapes.add(Arguments.of(n, d, k));
                }
            }
        }
        return shapes.stream();
    }

    @ParameterizedTest(name = "N={0} D={1} K={2}")
    @MethodSource("shapes")
    void everyPathMatchesTheReference(int n, int d, int k) {
        CudaDevice device = GpuTests.device();
        long seed = 1000L * n + 10L * d + k;
        Parameters parameters = Parameters.random(k, d, 0.5, seed);
        for (Dataset data : List.of(TestData.randomDense(n, d, k, seed), TestData.randomBinary(n, d, k, seed))) {
            Evaluation cpu = new Evaluation(k, d);
            try (CpuEngine engine = new CpuEngine(1); Evaluator evaluator = engine.bind(data)) {
                evaluator.evaluate(parameters, cpu);
            }
            float[] cpuProbabilities = new float[n * k];
            try (CpuEngine engine = new CpuEngine(1); Evaluator evaluator = engine.bind(data)) {
                evaluator.probabilities(parameters, cpuProbabilities);
            }
            int[] order = TestData.shuffled(n, seed);
            int from = n / 3;
            int to = n;
            Dataset batch = data.select(java.util.Arrays.copyOfRange(order, from, to));
            for (boolean fused : new boolean[]{true, false}) {
                String what = (data instanceof BinaryDataset ? "binary" : "dense") + (fused ? " fused" : " unfused")
                        + " N=" + n + " D=" + d + " K=" + k;
                try (CudaEngine engine = new CudaEngine(device, fused); CudaEvaluator evaluator = engine.bind(data)) {
                    Evaluation out = new Evaluation(k, d);
                    evaluator.evaluate(parameters, out);
                    assertMatchesReference(data, parameters, out, what);
                    assertTrue(Math.abs(out.numCorrect() - cpu.numCorrect()) <= 1, what + ": correct "
                            + out.numCorrect() + ", cpu " + cpu.numCorrect());
                    assertEquals(n, out.numExamples());

                    Evaluation batchOut = new Evaluation(k, d);
                    evaluator.evaluate(parameters, order, from, to, batchOut);
                    assertMatchesReference(batch, parameters, batchOut, what + " batch");
                    assertEquals(to - from, batchOut.numExamples());

                    float[] probabilities = new float[n * k];
                    evaluator.probabilities(parameters, probabilities);
                    assertProbabilitiesClose(cpuProbabilities, probabilities, k, 2e-6, what);
                }
            }
        }
    }

    @Test
    void resultsAreBitwiseRepeatable() {
        CudaDevice device = GpuTests.device();
        // On the emulator (which runs the blocks on the CPU) fewer rows: still several tiles per fused block.
        int n = device.emulated() ? 20_003 : 100_003;
        int d = 130;
        for (int k : new int[]{10, 40}) {
            Parameters parameters = Parameters.random(k, d, 0.3, k);
            for (Dataset data : List.of(TestData.randomDense(n, d, k, 7), TestData.randomBinary(n, d, k, 7))) {
                try (CudaEngine engine = new CudaEngine(device, true); CudaEvaluator evaluator = engine.bind(data)) {
                    Evaluation first = new Evaluation(k, d);
                    evaluator.evaluate(parameters, first);
                    for (int run = 0; run < 2; run++) {
                        Evaluation again = new Evaluation(k, d);
                        evaluator.evaluate(parameters, again);
                        String what = evaluator.kernelPath() + ", run " + (run + 2);
                        assertEquals(first.logLikelihood(), again.logLikelihood(), 0.0, what);
                        assertArrayEquals(first.gradWeights(), again.gradWeights(), 0.0, what);
                        assertArrayEquals(first.gradBias(), again.gradBias(), 0.0, what);
                        assertEquals(first.numCorrect(), again.numCorrect(), what);
                    }
                }
            }
        }
    }

    @Test
    void trainingOnTheDigitsMatchesTheCpuEngine() {
        CudaDevice device = GpuTests.device();
        Split split = Splits.stratified(BuiltinDigits.load(), 0.2, 1);
        // The default settings, run for a fixed 4,000 steps (about where they converge): on the GPU plain ascent keeps
        // W on the device and checks for convergence every 10 steps, so with a tolerance the two engines could stop a
        // few steps apart.
        TrainingOptions options = TrainingOptions.defaults().withLearningRate(1.0).withTolerance(0).withMaxIterations(4000);
        TrainingResult cpu;
        try (CpuEngine engine = new CpuEngine(); Evaluator evaluator = engine.bind(split.train())) {
            cpu = new Trainer(options).train(evaluator, TrainingListener.NONE);
        }
        TrainingResult cuda;
        try (CudaEngine engine = new CudaEngine(device, true); Evaluator evaluator = engine.bind(split.train())) {
            cuda = new Trainer(options).train(evaluator, TrainingListener.NONE);
        }
        assertEquals(4000, cuda.iterations());
        // The engines agree to float32 rounding (README: |L - L_ref| <= 1e-6 relative), not bitwise: they sum in
        // different orders, so after 4,000 steps their weights differ in the last digits and an example whose two
        // largest logits are that close can change its arg-max. At the CPU engine's weights the closest such pair is
        // 0.011 apart in log-odds on the training split (1,438 examples) and 0.013 on the test split (359), far above
        // that rounding (measured 2026-11), so a flip is unlikely; up to MAX_FLIPS examples may still change sides.
        assertTrue(Math.abs(correct(cuda.best().trainAccuracy(), split.train())
                        - correct(cpu.best().trainAccuracy(), split.train())) <= MAX_FLIPS,
                "training accuracy " + cuda.best().trainAccuracy() + ", cpu " + cpu.best().trainAccuracy());
        assertRelativelyClose(cpu.best().logLikelihood(), cuda.best().logLikelihood(), "log-likelihood");
        assertRelativelyClose(cpu.best().objective(), cuda.best().objective(), "F (penalised)");
        double cpuTest = testAccuracy(split.test(), cpu.parameters());
        double cudaTest = testAccuracy(split.test(), cuda.parameters());
        assertTrue(Math.abs(correct(cudaTest, split.test()) - correct(cpuTest, split.test())) <= MAX_FLIPS,
                "test accuracy " + cudaTest + ", cpu " + cpuTest);
    }

    /** Examples that may change their predicted class between the engines (see the digits training test). */
    private static final int MAX_FLIPS = 2;

    private static long correct(double accuracy, Dataset data) {
        return Math.round(accuracy * data.numExamples());
    }

    /** Within the README's float32 rounding of a log-likelihood: 1e-6 relative. */
    private static void assertRelativelyClose(double expected, double actual, String what) {
        double relative = Math.abs(actual - expected) / Math.abs(expected);
        assertTrue(relative <= 1e-6, what + " " + actual + ", cpu " + expected + ": relative difference "
                + relative);
    }

    /**
     * The solvers work through the engine interface only, so they run on the CUDA engine as on the CPU: L-BFGS (λ = 1)
     * and OWL-QN (λ = 1, α = 0.5) reach the same optimum (float32 engine first, then the double polish), and SGD with
     * momentum and Adam (seeded mini-batches) climb as far as on the CPU.
     */
    @Test
    void everySolverRunsOnTheGpu() {
        CudaDevice device = GpuTests.device();
        Dataset train = Splits.stratified(BuiltinDigits.load(BuiltinDigits.DEFAULT_THRESHOLD), 0.2, 1).train();
        TrainingOptions lbfgs = TrainingOptions.defaults().withSolver(SolverType.LBFGS).withMaxIterations(5000);
        List<TrainingOptions> optima = List.of(lbfgs, lbfgs.withSolver(SolverType.OWLQN).withAlpha(0.5));
        List<TrainingOptions> climbs = List.of(
                TrainingOptions.defaults().withSolver(SolverType.SGD).withBatchSize(64).withLearningRate(0.5)
                        .withMomentum(0.9, true).withMaxIterations(5).withTolerance(0),
                TrainingOptions.defaults().withSolver(SolverType.ADAM).withBatchSize(64).withLearningRate(0.01)
                        .withMaxIterations(5).withTolerance(0));
        for (TrainingOptions options : optima) {
            TrainingResult cpu = train(new CpuEngine(), train, options);
            TrainingResult cuda = train(new CudaEngine(device, true), train, options);
            String what = options.solver().id() + " on the GPU";
            assertEquals(StopReason.CONVERGED, cuda.stopReason(), what + ": " + cuda.stopDetail());
            assertTrue(cuda.best().gradientMaxAbs() <= 1e-6, what + ": max|dF| " + cuda.best().gradientMaxAbs());
            double relative = Math.abs(cuda.best().objective() - cpu.best().objective())
                    / Math.abs(cpu.best().objective());
            assertTrue(relative <= 1e-10, what + ": F " + cuda.best().objective() + ", cpu "
                    + cpu.best().objective());
        }
        for (TrainingOptions options : climbs) {
            TrainingResult cpu = train(new CpuEngine(), train, options);
            TrainingResult cuda = train(new CudaEngine(device, true), train, options);
            String what = options.solver().id() + " on the GPU";
            assertEquals(5, cuda.iterations(), what);
            assertTrue(cuda.best().objective() > cuda.history().get(0).objective(), what + " climbs");
            assertEquals(cpu.best().trainAccuracy(), cuda.best().trainAccuracy(), 0.01, what + ": training accuracy");
        }
    }

    private static TrainingResult train(org.softmax4j.engine.Engine engine, Dataset data, TrainingOptions options) {
        try (engine; Evaluator evaluator = engine.bind(data)) {
            return new Trainer(options).train(evaluator, TrainingListener.NONE);
        }
    }

    @Test
    void deviceTrainingStepsLikeTheHostRule() {
        CudaDevice device = GpuTests.device();
        Dataset data = Splits.stratified(BuiltinDigits.load(), 0.2, 1).train();
        int k = data.numClasses();
        int d = data.numFeatures();
        double learningRate = 1.0;
        double lambda = 1.0;
        int steps = 20;
        Parameters host = new Parameters(k, d);
        double[] hostLogLikelihoods = new double[steps];
        try (CpuEngine engine = new CpuEngine(1); Evaluator evaluator = engine.bind(data)) {
            PenalizedLogLikelihood objective = new PenalizedLogLikelihood(evaluator, lambda);
            GradientAscent rule = new GradientAscent(learningRate);
            Evaluation evaluation = new Evaluation(k, d);
            for (int s = 0; s < steps; s++) {
                objective.evaluate(host, evaluation);
                hostLogLikelihoods[s] = evaluation.logLikelihood();
                rule.ascend(host, evaluation, data.numExamples());
            }
        }
        for (boolean fused : new boolean[]{true, false}) {
            try (CudaEngine engine = new CudaEngine(device, fused); CudaEvaluator evaluator = engine.bind(data);
                 DeviceTraining training = evaluator.startDeviceTraining(new Parameters(k, d))) {
                for (int s = 0; s < steps; s++) {
                    double logLikelihood = training.step(learningRate, lambda);
                    assertEquals(hostLogLikelihoods[s], logLikelihood, 1e-5 * Math.abs(hostLogLikelihoods[s]),
                            evaluator.kernelPath() + " step " + s);
                }
                Parameters onDevice = training.download();
                for (int i = 0; i < host.weights().length; i++) {
                    assertEquals(host.weights()[i], onDevice.weights()[i], 1e-4, "weight " + i);
                }
                for (int c = 0; c < k; c++) {
                    assertEquals(host.bias()[c], onDevice.bias()[c], 1e-4, "bias " + c);
                }
            }
        }
    }

    @Test
    void closingFreesAllDeviceMemory() {
        CudaDevice device = GpuTests.device();
        int n = device.emulated() ? 5_000 : 50_000;  // the emulator counts every object anyway (nothingIsLeft)
        Dataset dense = TestData.randomDense(n, 300, 40, 3);
        Dataset binary = TestData.randomBinary(n, 300, 12, 3);
        // Once first, so that one-time driver and cuBLAS allocations are not counted.
        exercise(device, dense, binary);
        long before = device.memoryInfo()[0];
        exercise(device, dense, binary);
        assertEquals(before, device.memoryInfo()[0], "free device memory after close");
    }

    private static void exercise(CudaDevice device, Dataset... data) {
        for (Dataset set : data) {
            for (boolean fused : new boolean[]{true, false}) {
                CudaEngine engine = new CudaEngine(device, fused);
                CudaEvaluator evaluator = engine.bind(set);
                Parameters parameters = new Parameters(set.numClasses(), set.numFeatures());
                evaluator.evaluate(parameters, new Evaluation(set.numClasses(), set.numFeatures()));
                DeviceTraining training = evaluator.startDeviceTraining(parameters);
                training.step(1.0, 1.0);
                training.close();
                training.close();
                evaluator.close();
                evaluator.close();
                engine.close();
            }
        }
    }

    private static double testAccuracy(Dataset test, Parameters parameters) {
        Evaluation out = new Evaluation(test.numClasses(), test.numFeatures());
        try (CpuEngine engine = new CpuEngine(1); Evaluator evaluator = engine.bind(test)) {
            evaluator.evaluate(parameters, out);
        }
        return out.accuracy();
    }
}
