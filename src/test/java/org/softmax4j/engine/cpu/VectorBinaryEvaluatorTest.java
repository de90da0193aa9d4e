package org.softmax4j.engine.cpu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * The float32 SIMD path of bit-packed rows: what its evaluations allocate (its results are checked against the
 * reference by {@link CpuEngineTest} and {@link SimdEvaluatorContractTest}).
 */
class VectorBinaryEvaluatorTest {
    /**
     * 3,000 rows: more than a tile ({@link VectorBinaryEvaluator#TILE}) and groups cut short at the end of each chunk.
     * At 10^6 rows the path once allocated 9 to 18 MB per evaluation in some of the JIT's compiled forms (a mask of a
     * size the JIT does not know, SPECIES.indexInRange, built on the heap per group); a form that boxes vectors
     * (planted with -XX:CompileCommand=dontinline,...VectorSoftmax::log1p: 3.6 MB per 100 evaluations) fails here.
     */
    @Test
    void anEvaluationAllocatesNothing() {
        assumeTrue(Vectors.available(), "no SIMD here: " + Vectors.describe());
        DoubleSimdChecks.assertAnEvaluationAllocatesNothing("binary-float", 3000, 64, 10, 11, 12);
    }
}
