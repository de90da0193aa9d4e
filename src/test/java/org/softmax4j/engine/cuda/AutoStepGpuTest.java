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
 * {@code --learning-rate auto} on the CUDA engine (through the host loop: the safeguarded ascent reads the gradient
 * back every step) against the CPU engine: the same η, the same number of iterations and the same model within float
 * rounding.
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

    private static void assertSameRun(Dataset data, TrainingOptions options) {
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
        assertEquals(cpu.iterations(), cuda.iterations(), "iterations; cpu " + cpu.stopDetail() + ", cuda "
                + cuda.stopDetail());
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
