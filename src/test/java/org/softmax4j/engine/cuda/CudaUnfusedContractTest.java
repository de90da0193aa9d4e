package org.softmax4j.engine.cuda;

import org.junit.jupiter.api.Tag;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.EvaluatorContractTest;

/**
 * The contract on the CUDA engine with its unfused kernels only (logits, softmax, gradient and reduction, one
 * launch each). Runs on a GPU or the emulator; skipped with the probe's reason elsewhere.
 */
@Tag("gpu")
class CudaUnfusedContractTest extends EvaluatorContractTest {
    @Override
    protected Engine openEngine() {
        return new CudaEngine(GpuTests.device(), false);
    }

    @Override
    protected String path() {
        return "cuda unfused on the " + (GpuTests.device().emulated() ? "emulator" : "GPU");
    }

    @Override
    protected void afterClose(String what) {
        GpuTests.assertNothingLeft(what);
    }
}
