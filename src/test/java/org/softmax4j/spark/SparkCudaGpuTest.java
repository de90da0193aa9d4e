package org.softmax4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.engine.cuda.CudaDevice;
import org.softmax4j.engine.cuda.GpuTests;

/**
 * The estimator with {@code backend cuda}: each partition evaluated by the CUDA engine on the executor (local[2]: the
 * driver's JVM, the emulator's device under the build's emulator runs), its rows uploaded once per fit and kept on the
 * device between evaluations, everything freed when the fit ends. Needs a GPU or the emulator; see {@link GpuTests}.
 */
@Tag("gpu")
class SparkCudaGpuTest {
    private static final BinaryDataset DIGITS = BuiltinDigits.load();

    private static SoftmaxClassifier classifier(String backend) {
        return new SoftmaxClassifier().setRegParam(1.0 / DIGITS.numExamples()).setStandardization(false)
                .setTol(1e-8).setMaxIter(1000).setBackend(backend);
    }

    /** lbfgs: float evaluations on the device, then the double polish on the executor's CPU: the CPU's optimum. */
    @Test
    void reachesTheCpuOptimumOnTheDevice() {
        GpuTests.device();
        Dataset<Row> frame = SparkTests.frame(DIGITS, 2);
        double cpu = classifier("cpu").fit(frame).trainingInfo().metric("objective");
        SoftmaxClassificationModel cuda = classifier("cuda").fit(frame);
        assertEquals("converged", cuda.trainingInfo().stopReason());
        assertEquals(cpu, cuda.trainingInfo().metric("objective"), 1e-10 * Math.abs(cpu));
        assertEquals(0, PartitionWorkers.size(), "executor-side workers left after the fit");
        GpuTests.assertNothingLeft("a fit on cuda");
    }

    /**
     * The rows stay on the device between evaluations: 5 and 25 iterations of full-batch ascent (one evaluation each)
     * make the same number of device allocations, and none is left when the fit ends.
     */
    @Test
    void keepsTheRowsOnTheDeviceBetweenEvaluations() {
        CudaDevice device = GpuTests.device();
        Dataset<Row> frame = SparkTests.frame(DIGITS, 2);
        long[] allocations = new long[2];
        int[] iterations = {5, 25};
        for (int i = 0; i < 2; i++) {
            SoftmaxClassifier ascent = classifier("cuda").setSolver("ascent").setLearningRate(0.5).setTol(0)
                    .setMaxIter(iterations[i]);
            long before = GpuTests.allocationCalls(device);
            SoftmaxClassificationModel model = ascent.fit(frame);
            allocations[i] = GpuTests.allocationCalls(device) - before;
            assertEquals(iterations[i], model.trainingInfo().iterations());
            GpuTests.assertNothingLeft("a fit of " + iterations[i] + " iterations on cuda");
        }
        assertEquals(allocations[0], allocations[1], "device allocations of a fit of 5 and of 25 iterations");
        assertEquals(0, PartitionWorkers.size(), "executor-side workers left after the fits");
    }
}
