package org.softmax4j.engine.cuda;

import org.junit.jupiter.api.Tag;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.EvaluatorContractTest;

/**
 * The contract on the CUDA engine preferring its fused kernels (which take at most 32 classes: K = 33 goes to the
 * unfused ones, as the engine chooses). Runs on a GPU or the emulator; skipped with the probe's reason elsewhere.
 */
@Tag("gpu")
class CudaFusedContractTest extends EvaluatorContractTest {
    @Override
    protected Engine openEngine() {
        return new CudaEngine(GpuTests.device(), true);
    }

    @Override
    protected String path() {
        return "cuda fused on the " + (GpuTests.device().emulated() ? "emulator" : "GPU");
    }

    @Override
    protected void afterClose(String what) {
        GpuTests.assertNothingLeft(what);
    }
}
