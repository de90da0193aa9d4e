package org.softmax4j.engine.cpu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.softmax4j.engine.Engine;
import org.softmax4j.engine.EvaluatorContractTest;

/**
 * The contract on the CPU engine's SIMD paths ({@link VectorBinaryEvaluator} up to {@code 4 · LANES} classes,
 * {@link VectorDenseEvaluator}), two threads. Weighted examples and more classes go to the scalar paths, as the engine
 * chooses: the contract holds for whatever it chooses.
 */
class SimdEvaluatorContractTest extends EvaluatorContractTest {
    @Override
    protected Engine openEngine() {
        assumeTrue(Vectors.available(), "no SIMD here: " + Vectors.describe());
        return new CpuEngine(2, true);
    }

    @Override
    protected String path() {
        return "cpu simd";
    }
}
