package org.softmax4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.softmax4j.TestData;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.cpu.CpuEngine;

/**
 * {@code --learning-rate auto}: the step is at most 1/L (against a dense eigenvalue computation in double), and the
 * default ascent never diverges and reaches the L-BFGS optimum's F on data that a fixed η = 1 cannot handle.
 */
class AutoStepTest {

    /** Three classes, two unscaled features around 5 to 10 (η = 1 diverges at iteration 1 on such data). */
    static DenseDataset unscaled(double scale, boolean constantFeature) {
        SplittableRandom random = new SplittableRandom(7);
        int n = 150;
        int d = constantFeature ? 3 : 2;
        float[] values = new float[n * d];
        int[] labels = new int[n];
        double[][] centres = {{5.0, 3.4}, {5.9, 2.8}, {6.6, 3.0}};
        for (int i = 0; i < n; i++) {
            int k = i % 3;
            labels[i] = k;
            values[i * d] = (float) (scale * (centres[k][0] + 0.5 * random.nextGaussian()));
            values[i * d + 1] = (float) (scale * (centres[k][1] + 0.35 * random.nextGaussian()));
            if (constantFeature) {
                values[i * d + 2] = (float) (7.5 * scale);
            }
        }
        return new DenseDataset(values, labels, d, java.util.List.of("setosa", "versicolor", "virginica"), "unscaled");
    }

    static TrainingResult train(Dataset data, TrainingOptions options) {
        try (CpuEngine engine = new CpuEngine(1); Evaluator evaluator = engine.bind(data)) {
            return new Trainer(options).train(evaluator, TrainingListener.NONE);
        }
    }

    static double optimum(Dataset data, double lambda) {
        TrainingOptions lbfgs = TrainingOptions.defaults().withSolver(SolverType.LBFGS).withLambda(lambda)
                .withTolerance(1e-9).withMaxIterations(10_000);
        return train(data, lbfgs).best().objective();
    }

    /**
     * The library's defaults (auto, Nesterov, tolerance 1e-6), with enough iterations: no divergence, a stop that says
     * converged, F within 1e-6 relative of the L-BFGS optimum (the duality gap proved it), F monotone.
     */
    static TrainingResult assertReachesOptimum(Dataset data, double lambda) {
        double optimum = optimum(data, lambda);
        TrainingOptions defaults = TrainingOptions.defaults().withLambda(lambda).withMaxIterations(100_000);
        assertTrue(defaults.autoLearningRate() && defaults.acceleration() == Acceleration.NESTEROV);
        TrainingResult result = train(data, defaults);
        assertEquals(StopReason.CONVERGED, result.stopReason(), result.stopDetail());
        double relative = Math.abs(result.best().objective() - optimum) / Math.abs(optimum);
        assertTrue(relative <= 1e-6, "F " + result.best().objective() + " vs optimum " + optimum + ": " + relative
                + " relative after " + result.iterations() + " iterations, " + result.stopDetail());
        assertMonotone(result);
        return result;
    }

    /** F never decreases between recorded iterations by more than rounding (SafeguardedAscent.ROUNDING). */
    static void assertMonotone(TrainingResult result) {
        var history = result.history();
        for (int i = 1; i < history.size(); i++) {
            double before = history.get(i - 1).objective();
            double after = history.get(i).objective();
            assertTrue(after >= before - SafeguardedAscent.ROUNDING * Math.max(Math.abs(before), 1.0),
                    "F fell from " + before + " to " + after + " at iteration " + history.get(i).iteration());
        }
    }

    @Test
    void unscaledFeaturesDivergeWithEtaOneButNotWithAuto() {
        Dataset data = unscaled(1, false);
        TrainingResult fixed = train(data, TrainingOptions.defaults().withLearningRate(1.0).withMaxIterations(50));
        assertEquals(StopReason.DIVERGED, fixed.stopReason(), "a fixed eta = 1 on unscaled data");
        assertTrue(fixed.failed());
        assertReachesOptimum(data, 1.0);
    }

    /** Features ×10⁴: centring removes the coupling with the bias that the scale made 10⁸ times stiffer. */
    @Test
    void featuresScaledBy10000() {
        assertReachesOptimum(unscaled(1e4, false), 1.0);
    }

    /**
     * The goal of the default on the built-in digits (the CLI's 80/20 split, λ = 1): converged, and so within 1e-6
     * relative of the optimum, in at most 500 iterations.
     */
    @Test
    void digitsWithinFiveHundredIterations() {
        Dataset all = org.softmax4j.data.BuiltinDigits.load();
        Dataset train = all.select(org.softmax4j.data.Splits.stratifiedIndices(all, 0.2, 1)[0]);
        TrainingResult result = assertReachesOptimum(train, 1.0);
        assertTrue(result.iterations() <= 500, result.iterations() + " iterations, " + result.stopDetail());
    }

    /**
     * Data too large to form C: on the digits the Collatz–Wielandt bound on |X − μ| is the smallest of the three
     * guaranteed bounds (measured: 10,152 against tr C = 12,174 and the uncentred 19,215; λ_max(C) = 1,372.8), and a
     * bound on λ_max(C) all the same.
     */
    @Test
    void theFallbackBoundOnTheDigitsIsTheCentredAbsoluteOne() {
        Dataset all = org.softmax4j.data.BuiltinDigits.load();
        Dataset train = all.select(org.softmax4j.data.Splits.stratifiedIndices(all, 0.2, 1)[0]);
        CurvatureBound certified = CurvatureBound.centered(train, null, 1.0);
        CurvatureBound fallback = CurvatureBound.centered(train, null, 1.0, 0);
        CurvatureBound uncentred = CurvatureBound.of(train, null, 1.0);
        assertTrue(fallback.maxEigenvalue() >= certified.maxEigenvalue());
        assertTrue(fallback.maxEigenvalue() < 0.9 * Math.min(fallback.trace(), uncentred.maxEigenvalue()),
                "fallback " + fallback.maxEigenvalue() + ", tr C " + fallback.trace() + ", uncentred "
                        + uncentred.maxEigenvalue());
    }

    /** The duality gap bounds F* − F wherever it is taken: along runs, with example weights and without a bias. */
    @Test
    void theDualityGapBoundsTheDistanceToTheOptimum() {
        SplittableRandom random = new SplittableRandom(5);
        double[] weights = new double[150];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = random.nextDouble() < 0.1 ? 0 : 2 * random.nextDouble();
        }
        Dataset[] sets = {unscaled(1, true), TestData.randomBinary(150, 20, 4, 3), TestData.randomDense(150, 6, 3, 8)};
        for (Dataset data : sets) {
            for (double[] w : new double[][] {null, weights}) {
                for (boolean noBias : new boolean[] {false, true}) {
                    for (double lambda : new double[] {0.1, 1, 10}) {
                        assertGapBounds(data, w, noBias, lambda);
                    }
                }
            }
        }
    }

    private static void assertGapBounds(Dataset data, double[] weights, boolean noBias, double lambda) {
        TrainingOptions lbfgs = TrainingOptions.defaults().withSolver(SolverType.LBFGS).withLambda(lambda)
                .withNoBias(noBias).withTolerance(1e-10).withMaxIterations(10_000);
        TrainingOptions plain = TrainingOptions.defaults().withLearningRate(0.2).withLambda(lambda).withNoBias(noBias)
                .withTolerance(0).withMaxIterations(60);
        try (CpuEngine engine = new CpuEngine(1); Evaluator evaluator = engine.bind(data, weights)) {
            Parameters start = new Parameters(data.numClasses(), data.numFeatures());
            double optimum = new Trainer(lbfgs).train(evaluator, weights, null, start, TrainingListener.NONE).best()
                    .objective();
            DualityGap gap = DualityGap.of(data, weights, lambda, noBias);
            PenalizedLogLikelihood objective = new PenalizedLogLikelihood(evaluator, lambda, noBias);
            Evaluation evaluation = new Evaluation(data.numClasses(), data.numFeatures());
            String what = data.source() + (weights == null ? "" : ", weighted") + (noBias ? ", no bias" : "")
                    + ", lambda " + lambda;
            // Points along a plain run (every 10th iteration) and the optimum itself.
            var run = new Trainer(plain).train(evaluator, weights, null, start, TrainingListener.NONE);
            for (Parameters point : new Parameters[] {start, run.parameters()}) {
                double f = objective.evaluate(point, evaluation);
                double bound = gap.at(point, evaluation);
                assertTrue(bound >= optimum - f - 1e-6 * Math.abs(optimum), what + ": gap " + bound
                        + " < F* - F = " + (optimum - f));
            }
            TrainingResult best = new Trainer(lbfgs).train(evaluator, weights, null, start, TrainingListener.NONE);
            double f = objective.evaluate(best.parameters(), evaluation);
            double bound = gap.at(best.parameters(), evaluation);
            assertTrue(bound >= -1e-6 * Math.abs(f), what + ": a negative gap " + bound);
            assertTrue(bound <= 1e-5 * Math.abs(f), what + ": at the optimum the gap is " + bound + ", F " + f);
        }
    }

    @Test
    void aConstantFeature() {
        assertReachesOptimum(unscaled(1, true), 1.0);
    }

    @Test
    void allBinary() {
        assertReachesOptimum(TestData.randomBinary(300, 20, 4, 3), 1.0);
    }

    @Test
    void plainAutoStepsNeverLowerF() {
        TrainingOptions plain = TrainingOptions.defaults().withLearningRate(TrainingOptions.AUTO_LEARNING_RATE)
                .withAcceleration(Acceleration.NONE).withMaxIterations(300);
        TrainingResult result = train(unscaled(1, true), plain);
        assertMonotone(result);
        assertEquals(0, result.step().halvings(), "a step of 1/L never needs halving: " + result.step());
    }

    /** Dense Σ ω x̃x̃ᵀ in double, its largest eigenvalue by the cyclic Jacobi method. */
    static double denseMaxEigenvalue(Dataset data, double[] weights) {
        int size = data.numFeatures() + 1;
        double[][] a = new double[size][size];
        for (int n = 0; n < data.numExamples(); n++) {
            double[] x = new double[size];
            for (int j = 0; j < data.numFeatures(); j++) {
                x[j] = data.feature(n, j);
            }
            x[size - 1] = 1;
            double omega = weights == null ? 1 : weights[n];
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    a[i][j] += omega * x[i] * x[j];
                }
            }
        }
        return jacobiMax(a);
    }

    /** Dense C = Σ ω (x − μ)(x − μ)ᵀ in double (μ the weighted means, two passes), its largest eigenvalue. */
    static double denseCenteredMaxEigenvalue(Dataset data, double[] weights) {
        int size = data.numFeatures();
        double[] mean = new double[size];
        double total = 0;
        for (int n = 0; n < data.numExamples(); n++) {
            double omega = weights == null ? 1 : weights[n];
            total += omega;
            for (int j = 0; j < size; j++) {
                mean[j] += omega * data.feature(n, j);
            }
        }
        for (int j = 0; j < size; j++) {
            mean[j] /= total;
        }
        double[][] a = new double[size][size];
        for (int n = 0; n < data.numExamples(); n++) {
            double omega = weights == null ? 1 : weights[n];
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    a[i][j] += omega * (data.feature(n, i) - mean[i]) * (data.feature(n, j) - mean[j]);
                }
            }
        }
        return jacobiMax(a);
    }

    /** The largest eigenvalue of the symmetric {@code a} (overwritten) by the cyclic Jacobi method. */
    static double jacobiMax(double[][] a) {
        int size = a.length;
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < size; p++) {
                for (int q = p + 1; q < size; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off < 1e-24) {
                break;
            }
            for (int p = 0; p < size; p++) {
                for (int q = p + 1; q < size; q++) {
                    if (a[p][q] == 0) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < size; k++) {
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < size; k++) {
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                }
            }
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            max = Math.max(max, a[i][i]);
        }
        return max;
    }

    @Test
    void theStepIsAtMostOneOverL() {
        SplittableRandom random = new SplittableRandom(11);
        double[] weights = new double[150];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = 2 * random.nextDouble();
        }
        Dataset mixedSigns = TestData.randomDense(120, 7, 3, 5);
        BinaryDataset binary = TestData.randomBinary(120, 70, 3, 5);
        Dataset nonNegative = unscaled(1, true);
        for (Dataset data : new Dataset[] {mixedSigns, binary, nonNegative}) {
            for (double[] w : new double[][] {null, java.util.Arrays.copyOf(weights, data.numExamples())}) {
                double lambda = 0.5;
                double exact = denseMaxEigenvalue(data, w);
                CurvatureBound bound = CurvatureBound.of(data, w, lambda);
                double lipschitz = 0.5 * exact + lambda;
                double eta = bound.learningRate(data.numExamples());
                assertTrue(eta / data.numExamples() <= 1 / lipschitz * (1 + 1e-12),
                        data.source() + ": step " + eta / data.numExamples() + " > 1/L = " + 1 / lipschitz);
                assertTrue(bound.maxEigenvalue() <= bound.trace() * (1 + 1e-12), "never looser than the trace");
                if (data != mixedSigns) {
                    // Features >= 0: the bound is lambda_max itself, to the power iteration's 1e-3.
                    assertTrue(bound.maxEigenvalue() <= exact * (1 + 2e-3), data.source() + ": bound "
                            + bound.maxEigenvalue() + " vs lambda_max " + exact);
                }
                // The centred coordinates of the default: W's step 1/L_W with L_W >= lambda_max(C)/2 + lambda, and
                // certified tightly; the bias's step 1/L_b with L_b = (sum of the weights)/2.
                double centred = denseCenteredMaxEigenvalue(data, w);
                CurvatureBound c = CurvatureBound.centered(data, w, lambda);
                assertTrue(c.isCentered());
                double total = 0;
                for (int n = 0; n < data.numExamples(); n++) {
                    total += w == null ? 1 : w[n];
                }
                assertTrue(c.maxEigenvalue() >= centred * (1 - 1e-12), data.source() + ": certified "
                        + c.maxEigenvalue() + " < lambda_max(C) " + centred);
                assertTrue(c.maxEigenvalue() <= centred * (1 + 1e-5), data.source() + ": certified "
                        + c.maxEigenvalue() + " far above lambda_max(C) " + centred);
                assertTrue(c.learningRate(data.numExamples()) / data.numExamples()
                        <= 1 / (0.5 * centred + lambda) * (1 + 1e-12));
                assertEquals(0.5 * total, c.biasLipschitz(), 1e-9 * total);
                assertTrue(c.maxEigenvalue() < bound.maxEigenvalue(), "centring lowers the bound");
                // Data too large to form C: the uncentred bound or tr C, still an upper bound on lambda_max(C).
                CurvatureBound large = CurvatureBound.centered(data, w, lambda, 0);
                assertTrue(large.isCentered() && large.maxEigenvalue() >= centred * (1 - 1e-12), data.source()
                        + ": fallback " + large.maxEigenvalue() + " < lambda_max(C) " + centred);
                assertTrue(large.maxEigenvalue() <= Math.min(bound.maxEigenvalue(), large.trace()) * (1 + 1e-12));
            }
        }
    }
}
