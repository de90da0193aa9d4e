package org.softmax4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.softmax4j.InputException;
import org.softmax4j.TestData;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.cpu.CpuEngine;
import org.softmax4j.engine.cpu.DoubleEvaluator;

/**
 * {@code --solver newton} ({@link SampledHessian} as the H₀ of {@link QuasiNewton}): the optimum of L-BFGS and of
 * Newton's method in double ({@link NewtonReference}), max|∂F| ≤ 1e-6, the softmax's null directions with λ = 0 and
 * without a bias, example weights and penalty factors, a sampled Hessian (N above {@link SampledHessian#SAMPLE_ROWS})
 * bitwise the same on 1, 2 and 3 threads, and the refusal of models with too many parameters.
 */
class NewtonSolverTest {
    private static final TrainingOptions NEWTON = TrainingOptions.defaults().withSolver(SolverType.NEWTON)
            .withMaxIterations(500);
    private static final TrainingOptions LBFGS = TrainingOptions.defaults().withSolver(SolverType.LBFGS)
            .withMaxIterations(3000);
    private static final Dataset DIGITS = Splits.stratified(BuiltinDigits.load(BuiltinDigits.DEFAULT_THRESHOLD), 0.2,
            1).train();

    private static TrainingResult train(CpuEngine engine, Dataset data, double[] weights, TrainingOptions options,
                                        PenaltyFactors factors) {
        try (Evaluator evaluator = engine.bind(data, weights)) {
            return new Trainer(options).withPenaltyFactors(factors).train(engine, evaluator, weights, null,
                    new Parameters(data.numClasses(), data.numFeatures()), TrainingListener.NONE);
        }
    }

    private static TrainingResult train(Dataset data, double[] weights, TrainingOptions options,
                                        PenaltyFactors factors) {
        try (CpuEngine engine = new CpuEngine(1)) {
            return train(engine, data, weights, options, factors);
        }
    }

    private static void assertConverged(TrainingResult result, String run) {
        assertEquals(StopReason.CONVERGED, result.stopReason(), run + ": " + result.stopDetail());
        assertEquals("double", result.precision(), run);
        assertTrue(result.best().gradientMaxAbs() <= 1e-6, run + ": max|dF| " + result.best().gradientMaxAbs());
    }

    private static void assertSameObjective(double expected, double actual, String run) {
        double relative = Math.abs(actual - expected) / Math.abs(expected);
        assertTrue(relative <= 1e-10, run + ": F " + actual + " vs " + expected + ": " + relative);
    }

    /**
     * F at θ in double: L from {@link DoubleEvaluator} (weighted as bound) less (λ/2)·Σ f2_j·w_kj², its max|∂F| over
     * W and b into {@code maxGradient[0]}.
     */
    private static double objective(Dataset data, double[] weights, double lambda, double[] l2Factors,
                                    double[] theta, double[] maxGradient) {
        double[] gradient = new double[theta.length];
        double value = new DoubleEvaluator(data, weights).evaluate(theta, gradient);
        int numFeatures = data.numFeatures();
        int numWeights = data.numClasses() * numFeatures;
        double max = 0;
        for (int i = 0; i < theta.length; i++) {
            if (i < numWeights) {
                double factor = l2Factors == null ? 1 : l2Factors[i % numFeatures];
                value -= 0.5 * lambda * factor * theta[i] * theta[i];
                gradient[i] -= lambda * factor * theta[i];
            }
            max = Math.max(max, Math.abs(gradient[i]));
        }
        maxGradient[0] = max;
        return value;
    }

    /** max|∂F/∂W| at θ = [W, 0] for λ = 1 (the bias's gradient left out: it is not a parameter without a bias). */
    private static double maxWeightGradient(Dataset data, double[] theta) {
        double[] gradient = new double[theta.length];
        new DoubleEvaluator(data, null).evaluate(theta, gradient);
        double max = 0;
        for (int i = 0; i < data.numClasses() * data.numFeatures(); i++) {
            max = Math.max(max, Math.abs(gradient[i] - theta[i]));
        }
        return max;
    }

    /**
     * λ = 0.1, 1, 10 on the digits (all 1,437 rows in the Hessian): converged to max|∂F| ≤ 1e-6, F within 1e-10 of
     * the exact optimum (Newton's method in double from Newton's point) and of L-BFGS's, in fewer iterations than
     * L-BFGS (measured: 29 / 14 / 9 against 169 / 77 / 36; each iteration costs far more: see SampledHessian).
     */
    @Test
    void reachesTheOptimumOfTheDigits() {
        for (double lambda : new double[] {0.1, 1, 10}) {
            String run = "lambda " + lambda;
            TrainingResult newton = train(DIGITS, null, NEWTON.withLambda(lambda), PenaltyFactors.none());
            assertConverged(newton, run);
            double[] optimum = NewtonReference.optimum(DIGITS, null, lambda, newton.point(), 3);
            double[] maxGradient = new double[1];
            double best = objective(DIGITS, null, lambda, null, optimum, maxGradient);
            assertTrue(maxGradient[0] < 1e-9, run + ": Newton's max|dF| " + maxGradient[0]);
            assertSameObjective(best, newton.best().objective(), run);
            TrainingResult lbfgs = train(DIGITS, null, LBFGS.withLambda(lambda), PenaltyFactors.none());
            assertSameObjective(lbfgs.best().objective(), newton.best().objective(), run + " against lbfgs");
            assertTrue(newton.iterations() < lbfgs.iterations(), run + ": " + newton.iterations() + " iterations "
                    + "against lbfgs's " + lbfgs.iterations());
        }
    }

    /**
     * λ = 0 with a bias: every column's Σ_k θ_kj is a null direction (random labels, 3,000 rows: an optimum exists).
     * The optimum of L-BFGS, and the iterates stay where F is seen: Σ_k w_kj = 0 and Σ_k b_k = 0 (they start at 0 and
     * each direction is projected off the null space).
     */
    @Test
    void withoutAPenaltyTheNullDirectionsAreLeftAlone() {
        Dataset data = TestData.randomBinary(3000, 12, 4, 11);
        TrainingResult newton = train(data, null, NEWTON.withLambda(0), PenaltyFactors.none());
        assertConverged(newton, "lambda 0");
        TrainingResult lbfgs = train(data, null, LBFGS.withLambda(0), PenaltyFactors.none());
        assertConverged(lbfgs, "lbfgs, lambda 0");
        assertSameObjective(lbfgs.best().objective(), newton.best().objective(), "lambda 0");
        double[] theta = newton.point();
        int numClasses = 4;
        for (int j = 0; j <= 12; j++) {
            double sum = 0;
            double size = 0;
            for (int k = 0; k < numClasses; k++) {
                double value = j < 12 ? theta[k * 12 + j] : theta[numClasses * 12 + k];
                sum += value;
                size += Math.abs(value);
            }
            assertTrue(Math.abs(sum) <= 1e-12 * Math.max(1, size), "column " + j + ": sum over classes " + sum);
        }
    }

    /**
     * λ = 0 with a feature that is never on and two identical features: H is singular beyond the softmax's null
     * directions, the pivots that fall to rounding are replaced (see {@link SampledHessian}), and F still reaches
     * L-BFGS's optimum.
     */
    @Test
    void singularFeaturesWithoutAPenaltyStillConverge() {
        DenseDataset random = TestData.randomBinary(3000, 12, 4, 14).unpack();
        float[] values = random.values().clone();
        for (int n = 0; n < 3000; n++) {
            values[n * 12 + 11] = 0;
            values[n * 12 + 10] = values[n * 12 + 9];
        }
        Dataset data = BinaryDataset.pack(new DenseDataset(values, random.labels(), 12, TestData.classNames(4),
                "singular"));
        TrainingResult newton = train(data, null, NEWTON.withLambda(0), PenaltyFactors.none());
        assertConverged(newton, "singular, lambda 0");
        TrainingResult lbfgs = train(data, null, LBFGS.withLambda(0), PenaltyFactors.none());
        assertSameObjective(lbfgs.best().objective(), newton.best().objective(), "singular, lambda 0");
    }

    /** Without a bias, at λ = 1 (definite) and λ = 0 (W's columns null along 1_K), against L-BFGS and Newton's. */
    @Test
    void reachesTheOptimumWithoutABias() {
        Dataset digits = DIGITS;
        TrainingResult newton = train(digits, null, NEWTON.withLambda(1).withNoBias(true), PenaltyFactors.none());
        assertConverged(newton, "no bias, lambda 1");
        double[] weights = TestData.toDouble(newton.parameters().weights());
        double[] optimum = NewtonReference.optimumWithoutBias(digits, null, 1, newton.point(), 3);
        double[] full = new double[optimum.length + 10];
        System.arraycopy(optimum, 0, full, 0, optimum.length);
        double[] maxGradient = new double[1];
        double best = objective(digits, null, 1, null, full, maxGradient);
        assertSameObjective(best, newton.best().objective(), "no bias, lambda 1");
        assertEquals(weights.length, newton.point().length);
        assertTrue(maxWeightGradient(digits, full) < 1e-9, "Newton's max|dF/dW| without a bias");
        for (float b : newton.parameters().bias()) {
            assertEquals(0f, b);
        }

        Dataset random = TestData.randomBinary(3000, 12, 4, 12);
        TrainingOptions none = NEWTON.withLambda(0).withNoBias(true);
        TrainingResult unpenalised = train(random, null, none, PenaltyFactors.none());
        assertConverged(unpenalised, "no bias, lambda 0");
        TrainingResult lbfgs = train(random, null, LBFGS.withLambda(0).withNoBias(true), PenaltyFactors.none());
        assertSameObjective(lbfgs.best().objective(), unpenalised.best().objective(), "no bias, lambda 0");
    }

    /**
     * Example weights (in [0.5, 2)) and L2 penalty factors (0.5, 1 and 3) on the digits: Newton's optimum in double
     * and L-BFGS's; then factors 0 for some features (their columns join the null space) on rows with random labels
     * (on the digits a pixel seen in one class alone would have no finite optimum unpenalised).
     */
    @Test
    void honoursExampleWeightsAndPenaltyFactors() {
        double[] weights = randomWeights(DIGITS.numExamples(), 5);
        double[] l2 = new double[DIGITS.numFeatures()];
        for (int j = 0; j < l2.length; j++) {
            l2[j] = j % 7 == 0 ? 0.5 : j % 3 == 0 ? 3 : 1;
        }
        PenaltyFactors factors = PenaltyFactors.of(l2, l2.clone());
        TrainingResult newton = train(DIGITS, weights, NEWTON.withLambda(2), factors);
        assertConverged(newton, "weights and factors");
        double[] optimum = NewtonReference.optimum(DIGITS, weights, 2, l2, newton.point(), 3);
        double[] maxGradient = new double[1];
        double best = objective(DIGITS, weights, 2, l2, optimum, maxGradient);
        assertTrue(maxGradient[0] < 1e-9, "Newton's max|dF| " + maxGradient[0]);
        assertSameObjective(best, newton.best().objective(), "weights and factors");
        TrainingResult lbfgs = train(DIGITS, weights, LBFGS.withLambda(2), factors);
        assertSameObjective(lbfgs.best().objective(), newton.best().objective(), "weights and factors, lbfgs");

        Dataset random = TestData.randomBinary(3000, 12, 4, 13);
        double[] randomWeights = randomWeights(3000, 6);
        double[] someZero = {0, 1, 2, 0, 1, 1, 0.5, 1, 0, 1, 1, 4};
        PenaltyFactors zeros = PenaltyFactors.of(someZero, someZero.clone());
        TrainingResult unpenalised = train(random, randomWeights, NEWTON.withLambda(3), zeros);
        assertConverged(unpenalised, "factors 0");
        double[] reference = NewtonReference.optimum(random, randomWeights, 3, someZero, unpenalised.point(), 3);
        assertSameObjective(objective(random, randomWeights, 3, someZero, reference, maxGradient),
                unpenalised.best().objective(), "factors 0");
        assertTrue(maxGradient[0] < 1e-9, "Newton's max|dF| with factors 0: " + maxGradient[0]);
    }

    /** Example weights uniform in [0.5, 2). */
    static double[] randomWeights(int count, long seed) {
        double[] weights = new double[count];
        SplittableRandom random = new SplittableRandom(seed);
        for (int n = 0; n < count; n++) {
            weights[n] = 0.5 + 1.5 * random.nextDouble();
        }
        return weights;
    }

    /**
     * 20,000 rows, more than {@link SampledHessian#SAMPLE_ROWS}: the Hessian of a sample, the optimum still L-BFGS's,
     * and every bit the same on 1, 2 and 3 threads (the Hessian is summed on one thread in row order; the evaluations
     * are thread-count invariant).
     */
    @Test
    void aSampledHessianReachesTheOptimumWithTheSameBitsOnAnyThreads() {
        Dataset data = planted(20_000, 40, 6, 3);
        TrainingOptions options = NEWTON.withLambda(1);
        TrainingResult first = null;
        for (int threads = 1; threads <= 3; threads++) {
            TrainingResult result;
            try (CpuEngine engine = new CpuEngine(threads)) {
                result = train(engine, data, null, options, PenaltyFactors.none());
            }
            assertConverged(result, threads + " threads");
            if (first == null) {
                first = result;
                continue;
            }
            assertEquals(first.iterations(), result.iterations(), threads + " threads");
            assertEquals(Double.doubleToRawLongBits(first.best().objective()),
                    Double.doubleToRawLongBits(result.best().objective()), threads + " threads");
            assertArrayEquals(first.point(), result.point(), 0.0, threads + " threads");
        }
        TrainingResult lbfgs = train(data, null, LBFGS.withLambda(1), PenaltyFactors.none());
        assertSameObjective(lbfgs.best().objective(), first.best().objective(), "sampled, against lbfgs");
        assertTrue(first.iterations() < lbfgs.iterations(), first.iterations() + " against " + lbfgs.iterations());
    }

    /** Bit-packed rows labelled by a draw from the softmax of a planted W: a model with a real optimum. */
    private static Dataset planted(int n, int d, int k, long seed) {
        DenseDataset dense = TestData.randomBinary(n, d, k, seed).unpack();
        Parameters truth = Parameters.random(k, d, 1.0, seed + 1);
        int[] labels = TestData.plantedLabels(dense.values(), d, truth, false, new SplittableRandom(seed + 2));
        return BinaryDataset.pack(new DenseDataset(dense.values(), labels, d, TestData.classNames(k), "planted"));
    }

    /** K·(D+1) above {@link SampledHessian#MOST_PARAMETERS}: refused before any iteration, naming the count. */
    @Test
    void refusesTooManyParameters() {
        Dataset wide = TestData.randomDense(20, 784, 10, 1);
        InputException refused = assertThrows(InputException.class,
                () -> train(wide, null, NEWTON, PenaltyFactors.none()));
        assertTrue(refused.getMessage().contains("7850") && refused.getMessage().contains("lbfgs"),
                refused.getMessage());
        // 1,500 parameters exactly: 10 classes x 150 columns, accepted; one more column, refused.
        assertEquals(null, SampledHessian.refusal(10, 150, true));
        assertEquals(null, SampledHessian.refusal(10, 149, false));
        assertTrue(SampledHessian.refusal(10, 150, false) != null);
        IllegalArgumentException l1 = assertThrows(IllegalArgumentException.class,
                () -> NEWTON.withAlpha(0.5));
        assertTrue(l1.getMessage().contains("owlqn"), l1.getMessage());
    }
}
