package org.softmax4j.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.softmax4j.data.Dataset;
import org.softmax4j.engine.DoublePrecisionEvaluator;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.EvaluatorContractTest;
import org.softmax4j.engine.Parameters;

/**
 * The contract on the CPU engine's double-precision evaluator ({@link Engine#bindDoublePrecision}, two threads): every
 * row, weighted or not, against the reference. It has no batches and no probabilities: those checks are skipped.
 */
class DoublePrecisionContractTest extends EvaluatorContractTest {
    @Override
    protected Engine openEngine() {
        return new CpuEngine(2);
    }

    @Override
    protected String path() {
        return "cpu double precision";
    }

    @Override
    protected boolean hasBatches() {
        return false;
    }

    @Override
    protected Evaluation evaluateAll(Dataset data, double[] weights, Parameters parameters) {
        try (DoublePrecisionEvaluator evaluator = engine().bindDoublePrecision(data, weights)) {
            return asEvaluation(data, evaluator, parameters);
        }
    }

    @Test
    void pointsOfAnotherDimensionAreRefused() {
        Dataset data = data(7, 10, true);
        try (DoublePrecisionEvaluator evaluator = engine().bindDoublePrecision(data, null)) {
            int dimension = evaluator.dimension();
            assertThrows(IllegalArgumentException.class,
                    () -> evaluator.evaluate(new double[dimension - 1], new double[dimension]));
            assertThrows(IllegalArgumentException.class,
                    () -> evaluator.evaluate(new double[dimension], new double[dimension + 1]));
        }
        assertThrows(IllegalArgumentException.class, () -> engine().bindDoublePrecision(data, new double[6]));
    }
}
