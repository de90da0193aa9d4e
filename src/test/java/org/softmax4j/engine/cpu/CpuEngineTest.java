package org.softmax4j.engine.cpu;

import static org.softmax4j.EngineAssertions.assertMatchesReference;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.softmax4j.TestData;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;

class CpuEngineTest {

    /** Evaluates with a fresh engine of {@code threads} threads, SIMD paths allowed. */
    private static Evaluation evaluate(Dataset data, Parameters parameters, int threads) {
        return evaluate(data, parameters, threads, true);
    }

    private static Evaluation evaluate(Dataset data, Parameters parameters, int threads, boolean simd) {
        Evaluation out = new Evaluation(data.numClasses(), data.numFeatures());
        try (CpuEngine engine = new CpuEngine(threads, simd); Evaluator evaluator = engine.bind(data)) {
            evaluator.evaluate(parameters, out);
        }
        return out;
    }

    @Test
    void theSimdPathIsInUseInTheseTests() {
        // Surefire starts the JVM with --add-modules jdk.incubator.vector (pom.xml): without it the SIMD tests below
        // would quietly test the scalar path twice.
        assertTrue(Vectors.available(), Vectors.describe());
        try (CpuEngine engine = new CpuEngine(1)) {
            assertTrue(engine.bind(TestData.randomBinary(3, 64, 10, 1)) instanceof VectorBinaryEvaluator);
            // Up to four registers of classes; one more class goes to the scalar path.
            int most = 4 * Vectors.floatLanes();
            assertTrue(engine.bind(TestData.randomBinary(3, 64, most, 1)) instanceof VectorBinaryEvaluator);
            assertTrue(engine.bind(TestData.randomBinary(3, 64, most + 1, 1)) instanceof BinaryEvaluator);
        }
        try (CpuEngine engine = new CpuEngine(1, false)) {
            assertTrue(engine.bind(TestData.randomBinary(3, 64, 10, 1)) instanceof BinaryEvaluator);
            assertTrue(engine.bind(TestData.randomDense(3, 64, 10, 1)) instanceof DenseEvaluator);
        }
        try (CpuEngine engine = new CpuEngine(1)) {
            assertTrue(engine.bind(TestData.randomDense(3, 64, 10, 1)) instanceof VectorDenseEvaluator);
        }
    }

    private int scalarTurn;

    @Test
    void handComputedTwoExamples() {
        // x1 = (1, 0) of class 0, x2 = (0, 1) of class 1; W = [[1, 0], [0, 0]], b = 0.
        // Example 1: logits (1, 0), p = (e/(e+1), 1/(e+1)) = (0.7310586, 0.2689414); ln p_0 = -0.3132617.
        // Example 2: logits (0, 0), p = (0.5, 0.5); ln p_1 = -0.6931472. L = -1.0064089.
        // r1 = (0.2689414, -0.2689414), r2 = (-0.5, 0.5): G = r1 x1ᵀ + r2 x2ᵀ, g_b = r1 + r2.
        DenseDataset dense = new DenseDataset(new float[] {1, 0, 0, 1}, new int[] {0, 1}, 2, List.of("a", "b"), "hand");
        Parameters parameters = new Parameters(2, 2, new float[] {1, 0, 0, 0}, new float[] {0, 0});
        double q = 1 / (Math.E + 1);
        double expectedLogLikelihood = Math.log(Math.E / (Math.E + 1)) + Math.log(0.5);
        for (Dataset data : List.of(dense, BinaryDataset.pack(dense), BinaryDataset.pack(dense))) {
            Evaluation out = evaluate(data, parameters, 1, data != dense && scalarTurn++ == 0);
            assertEquals(-1.0064089, expectedLogLikelihood, 1e-7);
            assertEquals(expectedLogLikelihood, out.logLikelihood(), 1e-6);
            assertArrayEquals(new double[] {q, -0.5, -q, 0.5}, out.gradWeights(), 1e-6);
            assertArrayEquals(new double[] {q - 0.5, 0.5 - q}, out.gradBias(), 1e-6);
            // Example 1 is classified right (logit 1 > 0); example 2 is a tie, and ties go to class 0: wrong.
            assertEquals(1, out.numCorrect());
            assertEquals(2, out.numExamples());
        }
    }

    static Stream<Arguments> awkwardSizes() {
        Stream.Builder<Arguments> sizes = Stream.builder();
        for (int n : new int[] {1, 7, 1025}) {
            for (int d : new int[] {1, 63, 64, 65, 130}) {
                for (int k : new int[] {2, 10}) {
                    sizes.add(Arguments.of(n, d, k));
                }
            }
        }
        sizes.add(Arguments.of(CpuEngine.CHUNK_SIZE * 2 + 3, 64, 10));
        sizes.add(Arguments.of(33, 17, 17));
        sizes.add(Arguments.of(1025, 65, 16));
        sizes.add(Arguments.of(31, 130, 33));
        return sizes.build();
    }

    @ParameterizedTest(name = "N={0} D={1} K={2}")
    @MethodSource("awkwardSizes")
    void matchesDoubleReferenceAtAwkwardSizes(int n, int d, int k) {
        long seed = 1000L * n + 10L * d + k;
        Parameters parameters = Parameters.random(k, d, 0.5, seed);
        DenseDataset dense = TestData.randomDense(n, d, k, seed);
        assertMatchesReference(dense, parameters, evaluate(dense, parameters, 2, true), "dense, SIMD");
        assertMatchesReference(dense, parameters, evaluate(dense, parameters, 2, false), "dense, scalar");
        BinaryDataset binary = TestData.randomBinary(n, d, k, seed);
        assertMatchesReference(binary, parameters, evaluate(binary, parameters, 2, true), "binary, SIMD");
        assertMatchesReference(binary, parameters, evaluate(binary, parameters, 2, false), "binary, scalar");
    }

    @Test
    void denseAndBitPackedPathsAgree() {
        BinaryDataset binary = TestData.randomBinary(3000, 130, 10, 7);
        DenseDataset dense = binary.unpack();
        Parameters parameters = Parameters.random(10, 130, 0.3, 8);
        Evaluation fromBinary = evaluate(binary, parameters, 2);
        Evaluation fromScalar = evaluate(binary, parameters, 2, false);
        assertEquals(fromScalar.logLikelihood(), fromBinary.logLikelihood(), 1e-6 * Math.abs(fromDense(dense,
                parameters).logLikelihood()));
        assertArrayEquals(fromScalar.gradWeights(), fromBinary.gradWeights(), 1e-3);
        Evaluation fromDense = evaluate(dense, parameters, 2);
        assertEquals(fromDense.logLikelihood(), fromBinary.logLikelihood(), 1e-6 * Math.abs(fromDense.logLikelihood()));
        assertArrayEquals(fromDense.gradWeights(), fromBinary.gradWeights(), 1e-3);
        assertArrayEquals(fromDense.gradBias(), fromBinary.gradBias(), 1e-3);
        assertEquals(fromDense.numCorrect(), fromBinary.numCorrect());
    }

    private static Evaluation fromDense(DenseDataset dense, Parameters parameters) {
        return evaluate(dense, parameters, 1);
    }

    @Test
    void bitwiseIdenticalWithOneAndFourThreads() {
        int n = CpuEngine.CHUNK_SIZE * 3 + 17;
        for (boolean simd : new boolean[] {true, false}) {
            for (Dataset data : List.of(TestData.randomDense(n, 65, 10, 3), TestData.randomDense(n + 1, 7, 3, 3),
                    TestData.randomBinary(n, 65, 10, 3),
                    TestData.randomBinary(n, 64, 17, 3))) {
                assertThreadCountInvariant(data, simd);
            }
        }
    }

    private static void assertThreadCountInvariant(Dataset data, boolean simd) {
        Parameters parameters = Parameters.random(data.numClasses(), data.numFeatures(), 0.4, 4);
        Evaluation one = evaluate(data, parameters, 1, simd);
        Evaluation four = evaluate(data, parameters, 4, simd);
        assertEquals(Double.doubleToRawLongBits(one.logLikelihood()),
                Double.doubleToRawLongBits(four.logLikelihood()), "log-likelihood bits");
        assertArrayEquals(one.gradWeights(), four.gradWeights(), 0.0);
        assertArrayEquals(one.gradBias(), four.gradBias(), 0.0);
        assertEquals(one.numCorrect(), four.numCorrect());
    }

    @Test
    void batchEvaluationEqualsTheSelectedExamples() {
        int n = CpuEngine.CHUNK_SIZE + 500;
        for (Dataset data : List.of(TestData.randomDense(n, 20, 4, 5), TestData.randomBinary(n, 70, 4, 5))) {
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = (int) ((i * 7919L) % n);
            }
            int from = 100;
            int to = n - 50;
            Parameters parameters = Parameters.random(4, data.numFeatures(), 0.4, 6);
            Evaluation batch = new Evaluation(4, data.numFeatures());
            try (CpuEngine engine = new CpuEngine(2); Evaluator evaluator = engine.bind(data)) {
                evaluator.evaluate(parameters, order, from, to, batch);
            }
            Evaluation selected = evaluate(data.select(java.util.Arrays.copyOfRange(order, from, to)), parameters, 3);
            assertEquals(selected.logLikelihood(), batch.logLikelihood(), 0.0);
            assertArrayEquals(selected.gradWeights(), batch.gradWeights(), 0.0);
            assertEquals(to - from, batch.numExamples());
        }
    }

    @Test
    void softmaxIgnoresAConstantAddedToTheLogits() {
        // Weights on a 1/64 grid and a shift of 16 keep every float sum exact, so the max-subtracted logits, and
        // with them the probabilities, must be bitwise equal.
        BinaryDataset data = TestData.randomBinary(200, 64, 5, 11);
        Parameters parameters = Parameters.random(5, 64, 1.0, 12);
        float[] weights = parameters.weights();
        for (int i = 0; i < weights.length; i++) {
            weights[i] = Math.round(weights[i] * 64) / 64f;
        }
        float[] bias = parameters.bias();
        for (int k = 0; k < bias.length; k++) {
            bias[k] = Math.round(bias[k] * 64) / 64f;
        }
        Parameters shifted = parameters.copy();
        for (int k = 0; k < bias.length; k++) {
            shifted.bias()[k] += 16f;
        }
        float[] probabilities = new float[200 * 5];
        float[] shiftedProbabilities = new float[200 * 5];
        try (CpuEngine engine = new CpuEngine(1); Evaluator evaluator = engine.bind(data)) {
            evaluator.probabilities(parameters, probabilities);
            evaluator.probabilities(shifted, shiftedProbabilities);
        }
        assertArrayEquals(probabilities, shiftedProbabilities, 0f);
        assertEquals(evaluate(data, parameters, 1).logLikelihood(), evaluate(data, shifted, 1).logLikelihood(), 0.0);
    }

    @Test
    void probabilityRowsSumToOne() {
        DenseDataset data = TestData.randomDense(333, 9, 7, 13);
        Parameters parameters = Parameters.random(7, 9, 2.0, 14);
        float[] probabilities = new float[333 * 7];
        try (CpuEngine engine = new CpuEngine(2); Evaluator evaluator = engine.bind(data)) {
            evaluator.probabilities(parameters, probabilities);
        }
        for (int n = 0; n < 333; n++) {
            double sum = 0;
            for (int k = 0; k < 7; k++) {
                float p = probabilities[n * 7 + k];
                assertTrue(p >= 0 && p <= 1, "p[" + n + "][" + k + "] = " + p);
                sum += p;
            }
            assertEquals(1.0, sum, 1e-6, "row " + n);
        }
    }

    @Test
    void hugeLogitsGiveFiniteLogLikelihoodAndGradient() {
        // Logits of ±1e4: exp would overflow without the max subtraction.
        DenseDataset dense = new DenseDataset(new float[] {1, 0, 0, 1, 1, 1}, new int[] {0, 1, 1}, 2,
                List.of("a", "b"), "huge");
        Parameters parameters = new Parameters(2, 2, new float[] {1e4f, -1e4f, -1e4f, 1e4f}, new float[] {0, 0});
        for (Dataset data : List.of(dense, BinaryDataset.pack(dense))) {
            Evaluation out = evaluate(data, parameters, 1);
            assertTrue(Double.isFinite(out.logLikelihood()), "log-likelihood " + out.logLikelihood());
            // Examples 1 and 2 are certain and right (ln p = 0); example 3 is a tie: ln 0.5.
            assertEquals(Math.log(0.5), out.logLikelihood(), 1e-6);
            for (double g : out.gradWeights()) {
                assertTrue(Double.isFinite(g));
            }
            assertArrayEquals(new double[] {-0.5, -0.5, 0.5, 0.5}, out.gradWeights(), 1e-6);
        }
        Parameters wrong = new Parameters(2, 2, new float[] {-1e4f, 1e4f, 1e4f, -1e4f}, new float[] {0, 0});
        Evaluation out = evaluate(dense, wrong, 1);
        // Certain and wrong: ln p = -2e4 for examples 1 and 2, exactly, not -Infinity.
        assertEquals(-2e4 - 2e4 + Math.log(0.5), out.logLikelihood(), 1e-2);
        assertArrayEquals(new double[] {0.5, -1.5, -0.5, 1.5}, out.gradWeights(), 1e-6);
    }
}
