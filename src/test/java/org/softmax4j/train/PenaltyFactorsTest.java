package org.softmax4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.softmax4j.TestData;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.cpu.CpuEngine;
import org.softmax4j.engine.cpu.DoubleEvaluator;

/**
 * Per-feature penalty factors: factors of 1 are the plain penalty bit for bit, a factor 0 unpenalises a feature
 * (against Newton's method), Spark's standardisation is the factors (σ², σ) on the raw data, and every solver reaches
 * the optimum of the factored objective.
 */
class PenaltyFactorsTest {
    private static final Dataset DIGITS = Splits.stratified(BuiltinDigits.load(BuiltinDigits.DEFAULT_THRESHOLD), 0.2, 1)
            .train();

    private static TrainingResult train(Dataset data, TrainingOptions options, PenaltyFactors factors) {
        try (CpuEngine engine = new CpuEngine(1); Evaluator evaluator = engine.bind(data)) {
            return new Trainer(options).withPenaltyFactors(factors).train(engine, evaluator, null, null,
                    new Parameters(data.numClasses(), data.numFeatures()), TrainingListener.NONE);
        }
    }

    /** F in double at θ = [W, b]: L − λ·Σ_kj ((1 − α)/2·f2_j·w² + α·f1_j·|w|). */
    private static double objective(Dataset data, double[] theta, double lambda, double alpha,
                                    PenaltyFactors factors) {
        int numFeatures = data.numFeatures();
        double[] f2 = factors.l2Factors(numFeatures);
        double[] f1 = factors.l1Factors(numFeatures);
        double value = new DoubleEvaluator(data, null).evaluate(theta, new double[theta.length]);
        for (int i = 0; i < data.numClasses() * numFeatures; i++) {
            int j = i % numFeatures;
            value -= lambda * ((1 - alpha) / 2 * f2[j] * theta[i] * theta[i] + alpha * f1[j] * Math.abs(theta[i]));
        }
        return value;
    }

    private static double[] randomFactors(int numFeatures, long seed, double low, double high) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] factors = new double[numFeatures];
        for (int j = 0; j < numFeatures; j++) {
            factors[j] = low + (high - low) * random.nextDouble();
        }
        return factors;
    }

    @Test
    void badFactorsAreRejectedNamingTheFeature() {
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> PenaltyFactors.same(new double[] {1, 0, -0.5}));
        assertEquals("penalty factor of feature 2 is -0.5, expected a finite number >= 0", negative.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> PenaltyFactors.of(new double[] {1, 1}, new double[] {Double.NaN, 1}));
        assertEquals("L1 penalty factor of feature 0 is NaN, expected a finite number >= 0", nan.getMessage());
        IllegalArgumentException infinite = assertThrows(IllegalArgumentException.class,
                () -> PenaltyFactors.of(new double[] {1, Double.POSITIVE_INFINITY}, new double[] {1, 1}));
        assertEquals("L2 penalty factor of feature 1 is Infinity, expected a finite number >= 0",
                infinite.getMessage());
        IllegalArgumentException lengths = assertThrows(IllegalArgumentException.class,
                () -> PenaltyFactors.of(new double[] {1, 1}, new double[] {1}));
        assertEquals("there are 2 L2 penalty factors and 1 L1 penalty factors, expected one of each per feature",
                lengths.getMessage());
        IllegalArgumentException features = assertThrows(IllegalArgumentException.class,
                () -> train(DIGITS, TrainingOptions.defaults().withMaxIterations(1),
                        PenaltyFactors.same(new double[63])));
        assertEquals("there are 63 penalty factors, expected 64 (one per feature)", features.getMessage());
    }

    @Test
    void factorsAreImmutableAndDescribed() {
        double[] values = {1, 0, 2.5};
        PenaltyFactors factors = PenaltyFactors.same(values);
        values[0] = 7;
        assertArrayEquals(new double[] {1, 0, 2.5}, factors.l2Factors(3));
        assertArrayEquals(new double[] {1, 0, 2.5}, factors.l1Factors(3));
        assertEquals("[1.0, 0.0, 2.5]", factors.summary());
        assertEquals("l2=[1.0, 4.0] l1=[1.0, 2.0]",
                PenaltyFactors.of(new double[] {1, 4}, new double[] {1, 2}).summary());
        assertEquals(2.5, factors.maxL2());
        assertFalse(factors.allL2Positive());
        assertFalse(factors.isUniform());
        assertTrue(PenaltyFactors.none().isUniform());
        assertTrue(PenaltyFactors.same(new double[] {1, 1}).isUniform());
        assertArrayEquals(new double[] {1, 1, 1}, PenaltyFactors.none().l2Factors(3));
        double[] large = randomFactors(100, 3, 0, 2);
        large[5] = 0;
        String summary = PenaltyFactors.same(large).summary();
        assertTrue(summary.startsWith("100 features, l2 in [0, "), summary);
        assertTrue(summary.endsWith("1 unpenalised, sha256 " + PenaltyFactors.same(large).hash()), summary);
        assertEquals(16, PenaltyFactors.same(large).hash().length());
        large[6] += 1e-12;
        assertNotEquals(PenaltyFactors.same(large).hash(), PenaltyFactors.same(randomFactors(100, 3, 0, 2)).hash());
        java.util.Map<String, String> record = new java.util.LinkedHashMap<>();
        PenaltyFactors.none().record(record);
        assertTrue(record.isEmpty());
        factors.record(record);
        assertEquals("[1.0, 0.0, 2.5]", record.get("penalty_factors"));
    }

    /** Factors of 1 given explicitly: every solver's path is the one without factors, bit for bit. */
    @Test
    void factorsOfOneAreThePlainPenaltyBitForBit() {
        double[] ones = new double[64];
        Arrays.fill(ones, 1.0);
        PenaltyFactors explicitOnes = PenaltyFactors.of(ones, ones.clone());
        List<TrainingOptions> runs = List.of(
                TrainingOptions.defaults().withSolver(SolverType.LBFGS).withMaxIterations(40),
                TrainingOptions.defaults().withSolver(SolverType.LBFGS).withMaxIterations(20)
                        .withPrecision(Precision.ENGINE),
                TrainingOptions.defaults().withSolver(SolverType.OWLQN).withAlpha(0.5).withMaxIterations(40),
                TrainingOptions.defaults().withMaxIterations(40),
                TrainingOptions.defaults().withLearningRate(1).withMaxIterations(10),
                TrainingOptions.defaults().withSolver(SolverType.SGD).withBatchSize(100).withMaxIterations(3),
                TrainingOptions.defaults().withSolver(SolverType.ADAM).withBatchSize(100).withMaxIterations(3)
                        .withLearningRate(0.01));
        for (TrainingOptions options : runs) {
            TrainingResult plain = train(DIGITS, options, PenaltyFactors.none());
            TrainingResult factored = train(DIGITS, options, explicitOnes);
            String run = options.solver().id() + " " + options.record();
            assertEquals(plain.parameters(), factored.parameters(), run);
            assertEquals(plain.history().size(), factored.history().size(), run);
            for (int i = 0; i < plain.history().size(); i++) {
                assertEquals(plain.history().get(i).objective(), factored.history().get(i).objective(), 0.0,
                        run + " iteration " + i);
                assertEquals(plain.history().get(i).optimalityGap(), factored.history().get(i).optimalityGap(), 0.0,
                        run + " iteration " + i);
            }
        }
    }

    /** θ with the bias and the weights of each unpenalised feature centred over the classes (their null directions). */
    private static double[] centred(double[] theta, int numClasses, int numFeatures, double[] l2Factors) {
        double[] copy = theta.clone();
        int numWeights = numClasses * numFeatures;
        for (int j = 0; j <= numFeatures; j++) {
            if (j < numFeatures && l2Factors[j] != 0) {
                continue;
            }
            double mean = 0;
            for (int k = 0; k < numClasses; k++) {
                mean += copy[j < numFeatures ? k * numFeatures + j : numWeights + k] / numClasses;
            }
            for (int k = 0; k < numClasses; k++) {
                copy[j < numFeatures ? k * numFeatures + j : numWeights + k] -= mean;
            }
        }
        return copy;
    }

    /**
     * L-BFGS with factors (one of them 0) meets Newton's method with the same factors within 1e-6, and the factors
     * matter: the optimum is not the plain penalty's.
     */
    @Test
    void lbfgsMeetsNewtonWithFactorsAndAnUnpenalisedFeature() {
        Dataset[] problems = {TestData.randomDense(60, 5, 3, 41), TestData.randomBinary(90, 12, 4, 42)};
        for (Dataset data : problems) {
            int numFeatures = data.numFeatures();
            double[] factors = randomFactors(numFeatures, 7, 0.2, 4);
            factors[1] = 0;
            double lambda = 2;
            int dimension = data.numClasses() * (numFeatures + 1);
            double[] newton = centred(NewtonReference.optimum(data, null, lambda, factors, new double[dimension], 30),
                    data.numClasses(), numFeatures, factors);
            double[] plainNewton = NewtonReference.optimum(data, null, lambda, new double[dimension], 30);
            TrainingResult result = train(data, TrainingOptions.defaults().withSolver(SolverType.LBFGS)
                    .withLambda(lambda).withTolerance(1e-9).withMaxIterations(2000), PenaltyFactors.same(factors));
            assertEquals(StopReason.CONVERGED, result.stopReason(), data.source() + ": " + result.stopDetail());
            double[] point = centred(SmoothObjective.toPoint(result.parameters()), data.numClasses(), numFeatures,
                    factors);
            double farthest = 0;
            for (int i = 0; i < dimension; i++) {
                assertEquals(newton[i], point[i], 1e-6, data.source() + " [" + i + "]");
                farthest = Math.max(farthest, Math.abs(newton[i] - plainNewton[i]));
            }
            assertTrue(farthest > 1e-2, data.source() + ": the factors moved the optimum by only " + farthest);
            double best = objective(data, NewtonReference.optimum(data, null, lambda, factors, newton, 3), lambda, 0,
                    PenaltyFactors.same(factors));
            assertEquals(best, result.best().objective(), 1e-10 * Math.abs(best), data.source());
        }
    }

    /**
     * OWL-QN with L1 factors, some of them 0: at its point the optimality conditions of the factored objective hold,
     * checked in double with the test's own gradient: ∂F_s/∂w = λα·f1_j·sign(w) where w ≠ 0, |∂F_s/∂w| ≤ λα·f1_j where
     * w = 0 (so ∂F_s/∂w = 0 for f1_j = 0), F_s the smooth part with the L2 factors; weights with f1_j = 0 are not held
     * at zero, and the heavily penalised ones are.
     */
    @Test
    void owlqnMeetsTheOptimalityConditionsOfTheFactoredL1() {
        // The model's weights are the optimum rounded to float32 (relative 6e-8): with the curvature of L per weight up
        // to ~Σ_n x² / 4 ≈ 360 on the digits and the coupled weights of a row, the gradient there moves by up to ~1e-5
        // (measured 1.7e-6); a wrong L1 factor would move it by λα·|Δf1|, of order 1.
        final double ROUNDED = 1e-4;
        double[] f1 = randomFactors(64, 21, 0, 3);
        double[] f2 = randomFactors(64, 22, 0.5, 2);
        for (int j = 0; j < 64; j += 7) {
            f1[j] = 0;
        }
        PenaltyFactors factors = PenaltyFactors.of(f2, f1);
        double lambda = 4;
        double alpha = 0.8;
        TrainingResult result = train(DIGITS, TrainingOptions.defaults().withSolver(SolverType.OWLQN)
                .withLambda(lambda).withAlpha(alpha).withTolerance(1e-8).withMaxIterations(5000), factors);
        assertEquals(StopReason.CONVERGED, result.stopReason(), result.stopDetail());
        double[] theta = SmoothObjective.toPoint(result.parameters());
        double[] gradient = new double[theta.length];
        new DoubleEvaluator(DIGITS, null).evaluate(theta, gradient);
        int zerosUnpenalised = 0;
        int zerosPenalised = 0;
        for (int i = 0; i < 640; i++) {
            int j = i % 64;
            double smooth = gradient[i] - lambda * (1 - alpha) * f2[j] * theta[i];
            double c = lambda * alpha * f1[j];
            String where = "W[" + i / 64 + "][" + j + "] = " + theta[i] + ", f1 " + f1[j];
            if (theta[i] != 0) {
                assertEquals(c * Math.signum(theta[i]), smooth, ROUNDED, where);
            } else {
                assertTrue(Math.abs(smooth) <= c + ROUNDED, where + ": |dF_s| " + Math.abs(smooth) + " > " + c);
                if (f1[j] == 0) {
                    zerosUnpenalised++;
                } else if (f1[j] > 1) {
                    zerosPenalised++;
                }
            }
        }
        for (int k = 0; k < 10; k++) {
            assertEquals(0, gradient[640 + k], ROUNDED, "b[" + k + "]");
        }
        // Pixels that are never on (corners of the digits) have zero weights whatever their factor; no others.
        int neverOn = 0;
        for (int j = 0; j < 64; j++) {
            boolean on = false;
            for (int n = 0; n < DIGITS.numExamples() && !on; n++) {
                on = DIGITS.feature(n, j) != 0;
            }
            neverOn += f1[j] == 0 && !on ? 1 : 0;
        }
        assertEquals(10 * neverOn, zerosUnpenalised, "weights at zero with f1 = 0");
        assertTrue(zerosPenalised > 50, "weights at zero with f1 > 1: " + zerosPenalised);
    }

    /** Dense rows whose feature j is u_j·σ_j + σ_j/2, σ_j = 2^{e_j}: dividing by σ_j is exact in float. */
    private static DenseDataset scaled(DenseDataset unit, double[] sigma, boolean divide) {
        int numFeatures = unit.numFeatures();
        float[] values = unit.values().clone();
        for (int i = 0; i < values.length; i++) {
            double s = sigma[i % numFeatures];
            values[i] = divide ? (float) (values[i] / s) : (float) (values[i] * s);
        }
        return new DenseDataset(values, labelsOf(unit), numFeatures, unit.classNames(), "scaled");
    }

    private static int[] labelsOf(Dataset data) {
        int[] labels = new int[data.numExamples()];
        for (int n = 0; n < labels.length; n++) {
            labels[n] = data.label(n);
        }
        return labels;
    }

    /**
     * Converged to max|∂F| ≤ 1e-10, or stopped by the line search at most 100 times above it: on features 2^−3 to 2^6
     * apart, F gains from a step at |∂F| ≈ 1e-9 far less than its last bit (|F| ≈ 152: 3e-14), so whether the last
     * iterations below 1e-9 find a higher F is rounding (with AVX2's sum order one raw run stopped at 7.35e-10). The F
     * and weight comparisons below, unchanged, carry the test: at |∂F| ≤ 1e-8 both are far inside their tolerances.
     */
    private static void assertAtTheOptimum(TrainingResult result, String run) {
        boolean converged = result.stopReason() == StopReason.CONVERGED;
        boolean atTheFloor = result.stopReason() == StopReason.NO_PROGRESS && result.best().gradientMaxAbs() <= 1e-8;
        assertTrue(converged || atTheFloor, run + ": " + result.stopReason() + " at F " + result.best().objective()
                + ", " + result.stopDetail());
    }

    /**
     * Spark's {@code standardization = true}: training on x_j/σ_j with the plain penalty and mapping the weights back
     * (w_j = w̃_j/σ_j) is training on x with f2 = σ², f1 = σ. L2 by lbfgs and elastic net by owlqn: F within 1e-10
     * relative, the weights within 1e-6 of each other's scale.
     */
    @Test
    void standardisationIsTheFactorsSigmaSquaredAndSigma() {
        int numFeatures = 8;
        double[] sigma = new double[numFeatures];
        int[] exponents = {-3, -1, 0, 1, 2, 3, 4, 6};
        for (int j = 0; j < numFeatures; j++) {
            sigma[j] = Math.scalb(1.0, exponents[j]);
        }
        // Labels from a planted model on the unit-scale features, which are shifted off zero (the bias matters).
        DenseDataset random = TestData.randomDense(400, numFeatures, 3, 11);
        float[] unitValues = random.values().clone();
        Parameters planted = Parameters.random(3, numFeatures, 1.5, 12);
        int[] labels = new int[random.numExamples()];
        for (int i = 0; i < unitValues.length; i++) {
            unitValues[i] += 0.5f;
        }
        for (int n = 0; n < labels.length; n++) {
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < 3; k++) {
                double score = 0;
                for (int j = 0; j < numFeatures; j++) {
                    score += planted.weight(k, j) * random.values()[n * numFeatures + j];
                }
                if (score > bestScore) {
                    bestScore = score;
                    labels[n] = k;
                }
            }
        }
        DenseDataset standardised = new DenseDataset(unitValues, labels, numFeatures, TestData.classNames(3), "unit");
        DenseDataset raw = scaled(standardised, sigma, false);
        assertArrayEquals(standardised.values(), scaled(raw, sigma, true).values(), "dividing by powers of two");
        double[] squares = new double[numFeatures];
        for (int j = 0; j < numFeatures; j++) {
            squares[j] = sigma[j] * sigma[j];
        }
        PenaltyFactors spark = PenaltyFactors.of(squares, sigma);
        for (TrainingOptions options : List.of(
                TrainingOptions.defaults().withSolver(SolverType.LBFGS).withLambda(3).withTolerance(1e-10),
                TrainingOptions.defaults().withSolver(SolverType.OWLQN).withLambda(3).withAlpha(0.5)
                        .withTolerance(1e-10))) {
            String run = options.solver().id();
            TrainingResult onStandardised = train(standardised, options.withMaxIterations(3000),
                    PenaltyFactors.none());
            TrainingResult onRaw = train(raw, options.withMaxIterations(3000), spark);
            assertAtTheOptimum(onStandardised, run + " on standardised features");
            assertAtTheOptimum(onRaw, run + " on raw features");
            if (options.solver() == SolverType.LBFGS) {
                // Whitened: its ridge follows each feature's units (697 iterations against 22 when it was one ridge
                // of the wide features' size; 67 now).
                assertTrue(onRaw.iterations() <= 5 * onStandardised.iterations(), run + ": " + onRaw.iterations()
                        + " iterations on raw features against " + onStandardised.iterations() + " standardised");
            }
            double expected = onStandardised.best().objective();
            double actual = onRaw.best().objective();
            assertEquals(expected, actual, 1e-10 * Math.abs(expected), run + ": F");
            // F of the raw run, recomputed in double from its weights with the factors, is the same F.
            assertEquals(actual, objective(raw, SmoothObjective.toPoint(onRaw.parameters()), 3, options.alpha(),
                    spark), 1e-10 * Math.abs(actual), run + ": F recomputed");
            int zeros = 0;
            for (int k = 0; k < 3; k++) {
                for (int j = 0; j < numFeatures; j++) {
                    double mapped = onStandardised.parameters().weight(k, j) / sigma[j];
                    double weight = onRaw.parameters().weight(k, j);
                    assertEquals(mapped, weight, 1e-6 / sigma[j], run + ": W[" + k + "][" + j + "]");
                    if (weight == 0) {
                        zeros++;
                        assertEquals(0.0, mapped, run + ": W[" + k + "][" + j + "] is 0 in one run only");
                    }
                }
            }
            if (options.solver() == SolverType.OWLQN) {
                assertTrue(zeros > 0, "elastic net set no weight to 0: nothing of L1 was tested");
            }
        }
    }

    /**
     * Every solver reaches the optimum of the digits with factors in [0.25, 4]: lbfgs to max|∂F| ≤ 1e-9 is the
     * reference; owlqn (α = 0) within 1e-10; ascent with the automatic step, certified by the duality gap with factors,
     * within its default tolerance, and the gap bounds F* − F wherever it is evaluated; sgd and adam within 1e-3.
     */
    @Test
    void everySolverReachesTheOptimumWithFactors() {
        PenaltyFactors factors = PenaltyFactors.same(randomFactors(64, 5, 0.25, 4));
        TrainingOptions base = TrainingOptions.defaults().withLambda(1).withMaxIterations(5000);
        TrainingResult reference = train(DIGITS, base.withSolver(SolverType.LBFGS).withTolerance(1e-9), factors);
        assertEquals(StopReason.CONVERGED, reference.stopReason(), reference.stopDetail());
        double optimum = objective(DIGITS, SmoothObjective.toPoint(reference.parameters()), 1, 0, factors);
        assertEquals(optimum, reference.best().objective(), 1e-10 * Math.abs(optimum));
        TrainingResult plain = train(DIGITS, base.withSolver(SolverType.LBFGS).withTolerance(1e-9),
                PenaltyFactors.none());
        assertTrue(Math.abs(plain.best().objective() - optimum) > 1, "the factors did not change F*");
        double plainUnderFactors = objective(DIGITS, SmoothObjective.toPoint(plain.parameters()), 1, 0, factors);

        TrainingResult owlqn = train(DIGITS, base.withSolver(SolverType.OWLQN).withTolerance(1e-9), factors);
        assertEquals(optimum, owlqn.best().objective(), 1e-10 * Math.abs(optimum), "owlqn");

        TrainingResult ascent = train(DIGITS, base.withMaxIterations(20000), factors);
        assertEquals(StopReason.CONVERGED, ascent.stopReason(), ascent.stopDetail());
        assertTrue(ascent.stopDetail().contains("duality gap"), ascent.stopDetail());
        // Proved within the tolerance 1e-6·|F|, up to the float engine's rounding of F (1e-6·|F| at most).
        double gapOfAscent = optimum - ascent.best().objective();
        assertTrue(Math.abs(gapOfAscent) <= 2e-6 * Math.abs(optimum), "ascent: F* - F = " + gapOfAscent);
        for (IterationRecord record : ascent.history()) {
            // The float engine's F is within 1e-6·|F| of F in double: the bound must hold up to that.
            assertTrue(record.optimalityGap() >= optimum - record.objective() - 1e-6 * Math.abs(optimum),
                    "iteration " + record.iteration() + ": gap " + record.optimalityGap() + " < F* - F = "
                            + (optimum - record.objective()));
        }

        for (SolverType type : new SolverType[] {SolverType.SGD, SolverType.ADAM}) {
            TrainingOptions options = base.withSolver(type).withBatchSize(64).withMaxIterations(1000)
                    .withTolerance(0).withSchedule(Schedule.COSINE);
            if (type == SolverType.ADAM) {
                options = options.withLearningRate(0.05);
            }
            TrainingResult result = train(DIGITS, options, factors);
            assertEquals(optimum, result.best().objective(), 1e-3 * Math.abs(optimum), type.id());
            // Closer to the optimum than the plain penalty's optimum is, under the factors: the right objective.
            assertTrue(optimum - result.best().objective() < 0.1 * (optimum - plainUnderFactors),
                    type.id() + ": F " + result.best().objective() + ", F* " + optimum + ", plain optimum's F "
                            + plainUnderFactors);
        }
    }

    /** The duality gap with factors bounds F* − F by a large margin of safety far from the optimum, exactly. */
    @Test
    void theDualityGapWithFactorsBoundsTheDistanceToTheOptimum() {
        Dataset data = TestData.randomBinary(200, 12, 4, 8);
        double[] f2 = randomFactors(12, 9, 0.1, 10);
        PenaltyFactors factors = PenaltyFactors.same(f2);
        double lambda = 0.7;
        for (boolean noBias : new boolean[] {false, true}) {
            TrainingResult reference = train(data, TrainingOptions.defaults().withSolver(SolverType.LBFGS)
                    .withLambda(lambda).withTolerance(1e-10).withNoBias(noBias), factors);
            double optimum = reference.best().objective();
            DualityGap gap = DualityGap.of(data, null, lambda, noBias, factors);
            try (CpuEngine engine = new CpuEngine(1); Evaluator evaluator = engine.bind(data)) {
                PenalizedLogLikelihood objective = new PenalizedLogLikelihood(evaluator, lambda, noBias, factors);
                Evaluation evaluation = new Evaluation(data.numClasses(), 12);
                for (long seed = 1; seed <= 20; seed++) {
                    Parameters at = Parameters.random(data.numClasses(), 12, seed * 0.05, seed);
                    if (noBias) {
                        Arrays.fill(at.bias(), 0f);
                    }
                    double value = objective.evaluate(at, evaluation);
                    double bound = gap.at(at, evaluation);
                    assertTrue(bound >= optimum - value - 1e-6 * Math.abs(value), "seed " + seed + " noBias "
                            + noBias + ": gap " + bound + " < F* - F = " + (optimum - value));
                }
                double atOptimum = gap.at(reference.parameters(), evaluation(objective, reference.parameters()));
                assertTrue(atOptimum <= 1e-5 * Math.abs(optimum), "gap at the optimum " + atOptimum);
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> DualityGap.of(data, null, lambda, false, PenaltyFactors.same(new double[12])));
    }

    private static Evaluation evaluation(PenalizedLogLikelihood objective, Parameters at) {
        Evaluation out = new Evaluation(at.numClasses(), at.numFeatures());
        objective.evaluate(at, out);
        return out;
    }

    /** With a factor 0 ascent cannot be certified: it stops on max|∂F| and says why; the optimum is still reached. */
    @Test
    void ascentWithAnUnpenalisedFeatureStopsOnTheGradient() {
        double[] f = randomFactors(64, 4, 0.5, 2);
        f[20] = 0;
        PenaltyFactors factors = PenaltyFactors.same(f);
        TrainingResult reference = train(DIGITS, TrainingOptions.defaults().withSolver(SolverType.LBFGS)
                .withTolerance(1e-9), factors);
        TrainingResult ascent = train(DIGITS, TrainingOptions.defaults().withTolerance(1e-5), factors);
        assertEquals(StopReason.CONVERGED, ascent.stopReason(), ascent.stopDetail());
        assertTrue(ascent.stopDetail().contains("a penalty factor is 0: no bound on F* - F"), ascent.stopDetail());
        assertTrue(Double.isNaN(ascent.best().optimalityGap()));
        double optimum = reference.best().objective();
        assertEquals(optimum, ascent.best().objective(), 1e-5 * Math.abs(optimum));
    }

    /**
     * The engine-resident ascent loop applies the plain penalty: with factors the trainer keeps plain ascent on the
     * host loop (no resident step), which gives the resident-free result bit for bit; factors of 1 still go resident.
     */
    @Test
    void factorsKeepFixedStepAscentOnTheHostLoop() {
        TrainingOptions options = TrainingOptions.defaults().withLearningRate(1).withMaxIterations(15);
        PenaltyFactors factors = PenaltyFactors.same(randomFactors(64, 6, 0.5, 2));
        double[] ones = new double[64];
        Arrays.fill(ones, 1);
        try (CpuEngine engine = new CpuEngine(1); Evaluator inner = engine.bind(DIGITS)) {
            Parameters start = new Parameters(DIGITS.numClasses(), 64);
            ResidentAscentTest.HostResident resident = new ResidentAscentTest.HostResident(inner);
            TrainingResult factored = new Trainer(options).withPenaltyFactors(factors).train(resident, start,
                    TrainingListener.NONE);
            assertEquals(0, resident.steps, "resident steps with factors");
            TrainingResult host = new Trainer(options).withPenaltyFactors(factors).train(inner, start,
                    TrainingListener.NONE);
            assertEquals(host.parameters(), factored.parameters());
            new Trainer(options).withPenaltyFactors(PenaltyFactors.same(ones)).train(resident, start,
                    TrainingListener.NONE);
            assertTrue(resident.steps > 0, "factors of 1 should keep the resident loop");
        }
    }
}
