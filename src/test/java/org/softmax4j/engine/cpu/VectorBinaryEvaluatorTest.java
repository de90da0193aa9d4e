package org.softmax4j.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.softmax4j.TestData;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Parameters;

/**
 * The float32 SIMD path of bit-packed rows: what its evaluations allocate (its results are checked against the
 * reference by {@link CpuEngineTest} and {@link SimdEvaluatorContractTest}).
 */
class VectorBinaryEvaluatorTest {
    @BeforeAll
    static void needsSimd() {
        assumeTrue(Vectors.available(), "no SIMD here: " + Vectors.describe());
    }

    /**
     * 3,000 rows: more than a tile ({@link VectorBinaryEvaluator#TILE}) and groups cut short at the end of each chunk.
     * At 10^6 rows the path once allocated 9 to 18 MB per evaluation in some of the JIT's compiled forms (a mask of a
     * size the JIT does not know, SPECIES.indexInRange, built on the heap per group); a form that boxes vectors
     * (planted with -XX:CompileCommand=dontinline,...VectorSoftmax::exp: 36 MB per 100 evaluations) fails here.
     */
    @Test
    void anEvaluationAllocatesNothing() {
        assumeTrue(Vectors.available(), "no SIMD here: " + Vectors.describe());
        DoubleSimdChecks.assertAnEvaluationAllocatesNothing("binary-float", 3000, 64, 10, 11, 12);
    }

    /**
     * Where the JIT does not inline log1p into its caller (a call made once per call of the caller, which it may judge
     * not hot): the former {@code log1p(FloatVector)} then boxed its argument and result, 3,609,600 bytes per 100
     * evaluations of this shape; log1p now goes from an array to an array.
     */
    @Test
    void anEvaluationAllocatesNothingWhereLog1pIsNotInlined() {
        assumeTrue(Vectors.available(), "no SIMD here: " + Vectors.describe());
        DoubleSimdChecks.assertAnEvaluationAllocatesNothing("binary-float", 3000, 64, 10, 11, 12,
                "-XX:CompileCommand=quiet", "-XX:CompileCommand=dontinline,org.softmax4j.engine.cpu.VectorSoftmax::log1p");
    }

    /**
     * The float32 engine on bit-packed rows after dense vector code in the same JVM (the probe's dense float and double
     * evaluations first): it takes the plain softmax, which allocates nothing. With the SIMD softmax (main's engine
     * classes before this test) this probe allocated 336 MB to 1.06 GB per 100 evaluations (3 of 3 fresh JVMs), and 0 in
     * a binary-only JVM.
     */
    @Test
    void anEvaluationAfterDenseEvaluationsAllocatesNothing() {
        DoubleSimdChecks.assertAnEvaluationAllocatesNothing("binary-after-dense-float", 3000, 64, 10, 11, 12);
    }

    /**
     * Both softmaxes, on one register of classes and on two (K = 20), one word per row and four (D = 200), a group cut
     * short at the end of each tile and chunk, and logits far apart (exps near the underflow, sums near 1): the same
     * log-likelihood, gradient and count of correct predictions, bit for bit.
     */
    @Test
    void theVectorAndThePlainSoftmaxGiveTheSameBits() {
        int[][] shapes = {{VectorBinaryEvaluator.TILE * 2 + 37, 64, 10}, {2500, 200, 20}, {1000, 64, 3}};
        long seed = 40;
        for (int[] shape : shapes) {
            int n = shape[0];
            int d = shape[1];
            int k = shape[2];
            BinaryDataset data = TestData.randomBinary(n, d, k, seed++);
            double[] point = DoubleSimdChecks.randomPoint(k * d + k, seed++);
            if (!VectorBinaryEvaluator.supports(k)) {
                // Four registers of 4 floats (128-bit vectors) take at most 16 classes: K = 20 is the scalar path's.
                continue;
            }
            Parameters parameters = new Parameters(k, d);
            for (int i = 0; i < k * d; i++) {
                parameters.weights()[i] = (float) (i % 7 == 0 ? 40 * point[i] : point[i]);
            }
            for (int i = 0; i < k; i++) {
                parameters.bias()[i] = (float) point[k * d + i];
            }
            Evaluation[] outs = {new Evaluation(k, d), new Evaluation(k, d)};
            try (WorkerPool pool = new WorkerPool(2)) {
                for (int run = 0; run < 2; run++) {
                    VectorBinaryEvaluator.create(pool, data, run == 0).evaluate(parameters, outs[run]);
                }
            }
            String shapeName = "N = " + n + ", D = " + d + ", K = " + k + ": ";
            assertEquals(Double.doubleToRawLongBits(outs[0].logLikelihood()),
                    Double.doubleToRawLongBits(outs[1].logLikelihood()), shapeName + "the log-likelihood, vector "
                            + outs[0].logLikelihood() + " against plain " + outs[1].logLikelihood());
            assertEquals(outs[0].numCorrect(), outs[1].numCorrect(), shapeName + "correct predictions");
            for (int i = 0; i < k * d; i++) {
                assertEquals(Double.doubleToRawLongBits(outs[0].gradWeights()[i]),
                        Double.doubleToRawLongBits(outs[1].gradWeights()[i]), shapeName + "gradient entry " + i);
            }
            for (int i = 0; i < k; i++) {
                assertEquals(Double.doubleToRawLongBits(outs[0].gradBias()[i]),
                        Double.doubleToRawLongBits(outs[1].gradBias()[i]), shapeName + "bias gradient " + i);
            }
        }
    }

    /**
     * One to {@link VectorBinaryEvaluator#MOST_REGISTERS} registers of classes (K = 2, LANES + 1, 3·LANES − 1 and
     * 4·LANES at this JVM's width), with one word a row and three, a group and a tile cut short, 1 and 2 threads:
     * the log-likelihood, gradient and correct count of the double reference, and the same bits on both thread counts.
     * One class more than four registers is the scalar path's.
     */
    @Test
    void everyRegisterCountMatchesTheReference() {
        int lanes = Vectors.floatLanes();
        int most = VectorBinaryEvaluator.MOST_REGISTERS * lanes;
        assertTrue(VectorBinaryEvaluator.supports(most) && !VectorBinaryEvaluator.supports(most + 1), "K <= " + most);
        long seed = 60;
        for (int k : new int[] {2, lanes + 1, 3 * lanes - 1, most}) {
            for (int d : new int[] {64, 150}) {
                int n = VectorBinaryEvaluator.TILE + 3 * lanes + 5;
                BinaryDataset data = TestData.randomBinary(n, d, k, seed++);
                Parameters parameters = Parameters.random(k, d, 0.5, seed++);
                Evaluation[] outs = {new Evaluation(k, d), new Evaluation(k, d)};
                for (int threads = 1; threads <= 2; threads++) {
                    try (WorkerPool pool = new WorkerPool(threads)) {
                        VectorBinaryEvaluator.create(pool, data, true).evaluate(parameters, outs[threads - 1]);
                    }
                }
                String shape = "N = " + n + ", D = " + d + ", K = " + k + " (" + lanes + " lanes)";
                org.softmax4j.EngineAssertions.assertMatchesReference(data, parameters, outs[0], shape);
                assertEquals(Double.doubleToRawLongBits(outs[0].logLikelihood()),
                        Double.doubleToRawLongBits(outs[1].logLikelihood()), shape + ": 1 and 2 threads");
                for (int i = 0; i < k * d; i++) {
                    assertEquals(Double.doubleToRawLongBits(outs[0].gradWeights()[i]),
                            Double.doubleToRawLongBits(outs[1].gradWeights()[i]), shape + ": gradient entry " + i);
                }
            }
        }
    }

    @Test
    void anEvaluatorMadeAfterADenseEvaluationTakesThePlainSoftmax() {
        int k = 10;
        int d = 64;
        try (CpuEngine engine = new CpuEngine(1)) {
            Parameters parameters = new Parameters(k, d);
            engine.bind(TestData.randomDense(300, d, k, 51)).evaluate(parameters, new Evaluation(k, d));
            assertFalse(VectorPaths.onlyBinaryDoubleSoFar(), "a dense vector evaluation is recorded");
        }
        try (WorkerPool pool = new WorkerPool(1)) {
            BinaryDataset data = TestData.randomBinary(50, d, k, 52);
            VectorBinaryEvaluator chosen = VectorBinaryEvaluator.create(pool, data);
            assertTrue(chosen.getClass() != VectorBinaryEvaluator.class, "the plain softmax's class");
            assertEquals(VectorBinaryEvaluator.class, VectorBinaryEvaluator.create(pool, data, true).getClass(),
                    "the SIMD softmax's class when asked");
        }
    }
}
