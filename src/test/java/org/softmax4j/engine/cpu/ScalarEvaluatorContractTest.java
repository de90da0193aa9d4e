package org.softmax4j.engine.cpu;

import org.softmax4j.engine.Engine;
import org.softmax4j.engine.EvaluatorContractTest;

/** The contract on the CPU engine's scalar paths ({@link BinaryEvaluator}, {@link DenseEvaluator}), two threads. */
class ScalarEvaluatorContractTest extends EvaluatorContractTest {
    @Override
    protected Engine openEngine() {
        return new CpuEngine(2, false);
    }

    @Override
    protected String path() {
        return "cpu scalar";
    }
}
