package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.softmax4j.TestData;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.cpu.CpuEngine;
import org.softmax4j.train.Acceleration;
import org.softmax4j.train.Trainer;
import org.softmax4j.train.TrainingListener;
import org.softmax4j.train.TrainingOptions;
import org.softmax4j.train.TrainingResult;

/**
 * {@code --learning-rate auto} on the CUDA engine (the device loop: y, x_k and the best point stay on the device, and a
 * step reads back only the per-class sums) against the CPU engine: the same η, the same number of iterations and the
 * same model within float rounding; on the built-in digits with the library's defaults, converged in at most 500
 * iterations on both.
 */
@Tag("gpu")
class AutoStepGpuTest {

    @AfterEach
    void nothingIsLeft(TestInfo test) {
        GpuTests.assertNothingLeft(test.getDisplayName());
    }

    private static TrainingResult train(Evaluator evaluator, TrainingOptions options) {
        return new Trainer(options).train(evaluator, TrainingListener.NONE);
    }

    private static TrainingResult[] assertSameRun(Dataset data, TrainingOptions options) {
        return assertSameRun(data, options, 0);
    }

    /**
     * @param iterationsApart how far the iteration counts may differ: 0 but where a stop on the duality gap is tested,
     *                        whose gradients in float32 differ by rounding between the engines
     */
    private static TrainingResult[] assertSameRun(Dataset data, TrainingOptions options, int iterationsApart) {
        CudaDevice device = GpuTests.device();
        TrainingResult cpu;
        try (CpuEngine engine = new CpuEngine(); Evaluator evaluator = engine.bind(data)) {
            cpu = train(evaluator, options);
        }
        TrainingResult cuda;
        try (CudaEngine engine = new CudaEngine(device, true); Evaluator evaluator = engine.bind(data)) {
            cuda = train(evaluator, options);
        }
        assertEquals(cpu.step().chosen(), cuda.step().chosen(), "the step comes from the host data on both");
        assertTrue(Math.abs(cpu.iterations() - cuda.iterations()) <= iterationsApart, "iterations: cpu "
                + cpu.iterations() + " (" + cpu.stopDetail() + "), cuda " + cuda.iterations() + " (" + cuda.stopDetail()
                + ")");
        assertEquals(cpu.stopReason(), cuda.stopReason());
        double f = cpu.best().objective();
        assertTrue(Math.abs(cuda.best().objective() - f) <= 1e-5 * Math.abs(f), "F cpu " + f + ", cuda "
                + cuda.best().objective());
        float[] a = cpu.parameters().weights();
        float[] b = cuda.parameters().weights();
        double scale = 0;
        for (float w : a) {
            scale = Math.max(scale, Math.abs(w));
        }
        for (int i = 0; i < a.length; i++) {
            assertTrue(Math.abs(a[i] - b[i]) <= 1e-3 * scale, "weight " + i + ": cpu " + a[i] + ", cuda " + b[i]);
        }
        return new TrainingResult[] {cpu, cuda};
    }

    /**
     * The digits with the library's defaults: 300 steps without a stop test give the same iterates on both engines
     * within float rounding; then the full default run converges within 500 iterations on both. Its stop compares the
     * duality gap with the tolerance; near the end the accelerated iterates make the gap fall by a quarter in one step
     * or rise again, and the two engines' float32 gradients (rounding about 10⁻⁵ of Σ|r·x| per entry, large against a
     * gradient near the optimum) can put one of them past the threshold one iteration earlier (measured on the
     * emulator: cpu 483, cuda 482): the counts may differ by one or two.
     */
    @Test
    void digitsWithTheDefaultsWithinFiveHundredIterations() {
        Dataset all = org.softmax4j.data.BuiltinDigits.load();
        Dataset train = all.select(org.softmax4j.data.Splits.stratifiedIndices(all, 0.2, 1)[0]);
        TrainingResult[] fixed = assertSameRun(train, TrainingOptions.defaults().withTolerance(0).withMaxIterations(300));
        assertEquals(300, fixed[0].iterations());
        for (TrainingResult result : assertSameRun(train, TrainingOptions.defaults(), 2)) {
            assertEquals(org.softmax4j.train.StopReason.CONVERGED, result.stopReason(), result.stopDetail());
            assertTrue(result.iterations() <= 500, result.iterations() + " iterations: " + result.stopDetail());
        }
    }

    /**
     * What comes back from the device per step of the default run, counted by the emulator: one copy of K·12 + 2
     * doubles (the per-class sums, L and the count) per evaluation (the start, each step, and each return to the best
     * point after a fall), and the parameters only three times (at the start for the loop's record, the best point and
     * y at the end). The host loop would read back the whole gradient, K·D + K + 2 doubles, per step.
     */
    @Test
    void aStepReadsBackOnlyTheSums() {
        CudaDevice device = GpuTests.device();
        GpuTests.copiesBack(device);  // aborts on a GPU
        Dataset all = org.softmax4j.data.BuiltinDigits.load();
        int numClasses = all.numClasses();
        int numFeatures = all.numFeatures();
        try (CudaEngine engine = new CudaEngine(device, true); Evaluator evaluator = engine.bind(all)) {
            long[] before = GpuTests.copiesBack(device);
            TrainingResult result = train(evaluator, TrainingOptions.defaults().withMaxIterations(60));
            long[] copied = GpuTests.copiedBackSince(device, before);
            int iterations = result.iterations();
            int evaluations = 1 + iterations + result.step().falls();
            int parameterCopies = result.stopReason() == org.softmax4j.train.StopReason.CONVERGED ? 3 : 2;
            long sumsBytes = ((long) numClasses * 12 + 2) * Double.BYTES;
            long parameterBytes = ((long) numClasses * numFeatures + numClasses) * Float.BYTES;
            String what = iterations + " iterations, " + result.step().falls() + " falls, " + result.stopReason()
                    + ": " + copied[0] + " copies back, " + copied[1] + " bytes (host loop: "
                    + ((long) numClasses * numFeatures + numClasses + 2) * Double.BYTES + " bytes per step)";
            assertEquals(60, iterations, what);
            assertEquals(evaluations + 2L * parameterCopies, copied[0], what);
            assertEquals(evaluations * sumsBytes + parameterCopies * parameterBytes, copied[1], what);
        }
    }

    @Test
    void binaryDataNesterov() {
        TrainingOptions options = TrainingOptions.defaults().withLearningRate(TrainingOptions.AUTO_LEARNING_RATE)
                .withMaxIterations(300);
        assertSameRun(TestData.randomBinary(400, 40, 4, 9), options);
    }

    @Test
    void unscaledDensePlain() {
        DenseDataset data = TestData.randomDense(300, 5, 3, 4);
        float[] values = data.values();
        for (int i = 0; i < values.length; i++) {
            values[i] = 5 + 3 * values[i];
        }
        TrainingOptions options = TrainingOptions.defaults().withLearningRate(TrainingOptions.AUTO_LEARNING_RATE)
                .withAcceleration(Acceleration.NONE).withMaxIterations(200);
        assertSameRun(data, options);
    }
}
