package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.softmax4j.TestData;
import org.softmax4j.data.Dataset;
import org.softmax4j.train.Checkpoint;
import org.softmax4j.train.IterationRecord;
import org.softmax4j.train.SolverType;
import org.softmax4j.train.StopAfter;
import org.softmax4j.train.StopReason;
import org.softmax4j.train.TrainingListener;
import org.softmax4j.train.TrainingOptions;
import org.softmax4j.train.TrainingResult;
import org.softmax4j.train.TrainingRun;

/**
 * Checkpoints on the CUDA engine: a run stopped and resumed from its checkpoint (the fixed-step ascent that keeps the
 * weights on the device restarts its device session from the checkpoint's weights; the automatic step's device loop
 * uploads the checkpoint's y, x_k and best point; the other solvers continue from the host state) ends where the run
 * never stopped does, within float rounding. Not claimed bitwise on a GPU (its
 * float32 sums need not repeat); the emulator's are, and the test says which it saw.
 */
@Tag("gpu")
class CheckpointGpuTest {
    @TempDir
    Path dir;

    @AfterEach
    void nothingIsLeft(TestInfo test) {
        GpuTests.assertNothingLeft(test.getDisplayName());
    }

    @Test
    void aRunResumedOnTheDeviceEndsWhereTheRunNeverStoppedDoes() {
        CudaDevice device = GpuTests.device();
        Dataset data = TestData.randomDense(2_000, 30, 4, 5);
        TrainingOptions base = TrainingOptions.defaults().withTolerance(0).withMaxIterations(40);
        TrainingOptions[] cases = {base.withLearningRate(0.5), base, base.withSolver(SolverType.LBFGS)
                .withMaxIterations(15), base.withSolver(SolverType.SGD).withBatchSize(256).withMaxIterations(8)};
        TrainingRun.Inputs inputs = TrainingRun.Inputs.of(data, null, null, 0, 1, null, null);
        StringBuilder bitwise = new StringBuilder();
        for (TrainingOptions options : cases) {
            CudaEngine engine = new CudaEngine(device, true, Streaming.DEFAULT);
            engine.setNotices(line -> { });
            try (engine) {
                TrainingResult whole = TrainingRun.run(engine, options, inputs, TrainingListener.NONE).result();
                Path file = dir.resolve(options.solver().id() + ".s4jc");
                TrainingResult stopped = TrainingRun.run(engine, options, inputs, new StopAfter(5), null,
                        new Checkpoint.Writing(file, 1e9), null).result();
                assertEquals(StopReason.INTERRUPTED, stopped.stopReason());
                TrainingResult resumed = TrainingRun.run(engine, options, inputs, TrainingListener.NONE, null, null,
                        Checkpoint.read(file)).result();
                String what = options.solver().id() + (options.solver() != SolverType.ASCENT ? ""
                        : options.autoLearningRate() ? " auto" : " fixed (resident)");
                assertEquals(whole.stopReason(), resumed.stopReason(), what);
                assertEquals(whole.iterations(), resumed.iterations(), what);
                float[] expected = whole.parameters().weights();
                float[] actual = resumed.parameters().weights();
                double scale = 0;
                double difference = 0;
                for (int i = 0; i < expected.length; i++) {
                    scale = Math.max(scale, Math.abs(expected[i]));
                    difference = Math.max(difference, Math.abs(expected[i] - actual[i]));
                }
                assertTrue(difference <= 1e-4 * scale, what + ": weights differ by " + difference + " of " + scale);
                IterationRecord best = whole.best();
                assertEquals(best.objective(), resumed.best().objective(), 1e-5 * Math.abs(best.objective()), what);
                bitwise.append(what).append(java.util.Arrays.equals(expected, actual) ? ": bitwise; " : ": close; ");
            }
        }
        System.out.println("CheckpointGpuTest on " + device.name() + ": " + bitwise);
    }
}
