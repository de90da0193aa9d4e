package org.softmax4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.softmax4j.TestData;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.cpu.CpuEngine;
import org.softmax4j.engine.cpu.DoubleEvaluator;
import org.softmax4j.engine.Backend;

/**
 * {@link ClassCoupling}, the default H₀ of L-BFGS on whitened dense rows: its M against the definition (the K×K class
 * coupling inverted, the whitening's G̃⁻¹, λ₂f2 exactly on the null directions), symmetric and allocation-free; and
 * L-BFGS with it reaching Newton's optimum in double (F within 1e-10 relative) with example weights and penalty
 * factors, at λ = 0 (the iterates keep Σ_k θ_kj = 0), with the same bits on 1, 2 and 3 threads, and a run stopped
 * inside and after A's refreshes resuming bit for bit from its checkpoint.
 */
class ClassCouplingTest {
    private static final TrainingOptions LBFGS = TrainingOptions.defaults().withSolver(SolverType.LBFGS)
            .withMaxIterations(3000);

    @TempDir
    Path dir;

    /** Uniform [0, 1) features, labels drawn from softmax(W* x + b*), W* ~ N(0, scale²): a model with an optimum. */
    private static DenseDataset planted(int n, int d, int k, double scale, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n * d];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble();
        }
        int[] labels = TestData.plantedLabels(values, d, Parameters.random(k, d, scale, seed + 1), true, random);
        return new DenseDataset(values, labels, d, TestData.classNames(k), "planted " + n + "x" + d);
    }

    /** M·v from the class comment's definition, A summed over every row at θ with double probabilities. */
    private static double[] expected(DenseDataset data, double[] weights, double l2Penalty, double[] factors,
                                     Whitening whitening, double[] theta, double[] v) {
        int k = data.numClasses();
        int d = data.numFeatures();
        double[][] a = new double[k][k];
        double weightSum = 0;
        for (int n = 0; n < data.numExamples(); n++) {
            double[] p = new double[k];
            double total = 0;
            for (int c = 0; c < k; c++) {
                double z = theta[k * d + c];
                for (int j = 0; j < d; j++) {
                    z += theta[c * d + j] * data.feature(n, j);
                }
                p[c] = Math.exp(z);
                total += p[c];
            }
            double w = weights == null ? 1 : weights[n];
            weightSum += w;
            for (int r = 0; r < k; r++) {
                for (int c = 0; c < k; c++) {
                    a[r][c] += w * ((r == c ? p[r] / total : 0) - p[r] / total * p[c] / total);
                }
            }
        }
        double trace = 0;
        for (int r = 0; r < k; r++) {
            for (int c = 0; c < k; c++) {
                a[r][c] /= weightSum;
            }
            trace += a[r][r];
        }
        double epsilon = ClassCoupling.DAMPING * trace / (k - 1);
        for (int r = 0; r < k; r++) {
            for (int c = 0; c < k; c++) {
                a[r][c] += (r == c ? epsilon : 0) - epsilon / k + 1.0 / k;
            }
        }
        double[][] mixing = WhiteningTest.inverse(a);
        double[] out = new double[v.length];
        double[] means = new double[d + 1];
        for (int j = 0; j <= d; j++) {
            double mean = 0;
            for (int c = 0; c < k; c++) {
                mean += at(v, j, c, k, d) / k;
            }
            means[j] = mean;
            for (int r = 0; r < k; r++) {
                double sum = 0;
                for (int c = 0; c < k; c++) {
                    sum += mixing[r][c] * (at(v, j, c, k, d) - mean);
                }
                out[j < d ? r * d + j : k * d + r] = sum / weightSum;
            }
        }
        whitening.apply(out, null);
        for (int j = 0; j < d; j++) {
            for (int c = 0; c < k; c++) {
                out[c * d + j] += l2Penalty * factors[j] > 0 ? means[j] / (l2Penalty * factors[j]) : 0;
            }
        }
        return out;
    }

    private static double at(double[] v, int j, int c, int k, int d) {
        return j < d ? v[c * d + j] : v[k * d + c];
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    @Test
    void applyAndNorm2AreTheDefinition() {
        int d = 6;
        int k = 4;
        DenseDataset data = planted(300, d, k, 1, 3);
        double[] weights = NewtonSolverTest.randomWeights(300, 4);
        double[] factors = {1, 0.5, 0, 2, 1, 3};
        double l2Penalty = 0.7;
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        Whitening whitening = Whitening.of(data, weights, l2Penalty, factors);
        ClassCoupling coupling = ClassCoupling.of(whitening, data, weights, total, l2Penalty, factors);
        for (long seed = 1; seed <= 3; seed++) {
            double[] theta = seed == 1 ? new double[k * (d + 1)] : WhiteningTest.randomVector(k * (d + 1), 10 + seed);
            coupling.refresh(theta);
            double[] v = WhiteningTest.randomVector(k * (d + 1), 20 + seed);
            double[] want = expected(data, weights, l2Penalty, factors, whitening, theta, v);
            double[] got = v.clone();
            coupling.apply(got, null);
            double largest = java.util.Arrays.stream(want).map(Math::abs).max().orElseThrow();
            for (int i = 0; i < v.length; i++) {
                assertEquals(want[i], got[i], 1e-9 * largest, "point " + seed + ": (Mv)[" + i + "]");
            }
            double norm2 = coupling.norm2(v, null);
            assertEquals(dot(v, got), norm2, 1e-9 * Math.abs(norm2), "point " + seed + ": vᵀMv");
            assertTrue(norm2 > 0, "vᵀMv = " + norm2);
            double[] u = WhiteningTest.randomVector(k * (d + 1), 30 + seed);
            double[] mu = u.clone();
            coupling.apply(mu, null);
            assertEquals(dot(v, mu), dot(u, got), 1e-9 * Math.sqrt(norm2 * coupling.norm2(u, null)),
                    "point " + seed + ": uᵀMv against vᵀMu");
        }
        // The null directions exactly: 1_K ⊗ e_j goes to itself / (λ₂ f2_j), to 0 where λ₂ f2_j = 0 (the bias too).
        for (int j = 0; j <= d; j++) {
            double[] v = new double[k * (d + 1)];
            for (int c = 0; c < k; c++) {
                v[j < d ? c * d + j : k * d + c] = 1;
            }
            coupling.apply(v, null);
            double want = j < d && factors[j] > 0 ? 1 / (l2Penalty * factors[j]) : 0;
            for (int i = 0; i < v.length; i++) {
                boolean on = j < d ? i < k * d && i % d == j : i >= k * d;
                assertEquals(on ? want : 0, v[i], 1e-12 * Math.max(1, want), "1_K ⊗ e_" + j + ": entry " + i);
            }
        }
    }

    @Test
    void refreshApplyAndNorm2AllocateNothing() {
        DenseDataset data = planted(3000, 40, 5, 0.3, 5);
        double[] factors = new double[40];
        java.util.Arrays.fill(factors, 1);
        ClassCoupling coupling = ClassCoupling.of(Whitening.of(data, null, 1, factors), data, null, 3000, 1, factors);
        double[] theta = WhiteningTest.randomVector(5 * 41, 6);
        double[] v = WhiteningTest.randomVector(5 * 41, 7);
        long bytes = WhiteningTest.allocatedBy(200, 20, () -> {
            coupling.refresh(theta);
            coupling.apply(v, null);
            double norm = Math.sqrt(coupling.norm2(v, null));
            for (int j = 0; j < v.length; j++) {
                v[j] /= norm;
            }
        });
        assertEquals(0, bytes, "bytes allocated by 20 refreshes and applies");
    }

    private static TrainingResult train(DenseDataset data, double[] weights, TrainingOptions options,
                                        PenaltyFactors factors, int threads) {
        try (CpuEngine engine = new CpuEngine(threads); Evaluator evaluator = engine.bind(data, weights)) {
            return new Trainer(options).withPenaltyFactors(factors).train(engine, evaluator, weights, null,
                    new Parameters(data.numClasses(), data.numFeatures()), TrainingListener.NONE);
        }
    }

    /** F in double at θ (L from {@link DoubleEvaluator} less (λ/2)·Σ f2_j w²); max|∂F| into {@code max[0]}. */
    private static double objective(DenseDataset data, double[] weights, double lambda, double[] factors,
                                    double[] theta, double[] max) {
        double[] gradient = new double[theta.length];
        double value;
        try (DoubleEvaluator evaluator = new DoubleEvaluator(data, weights, 1)) {
            value = evaluator.evaluate(theta, gradient);
        }
        int d = data.numFeatures();
        int numWeights = data.numClasses() * d;
        max[0] = 0;
        for (int i = 0; i < theta.length; i++) {
            if (i < numWeights) {
                value -= 0.5 * lambda * factors[i % d] * theta[i] * theta[i];
                gradient[i] -= lambda * factors[i % d] * theta[i];
            }
            max[0] = Math.max(max[0], Math.abs(gradient[i]));
        }
        return value;
    }

    private static void assertNewtonOptimum(DenseDataset data, double[] weights, double lambda, double[] factors,
                                            TrainingResult result, String run) {
        assertEquals(StopReason.CONVERGED, result.stopReason(), run + ": " + result.stopDetail());
        assertTrue(result.best().gradientMaxAbs() <= 1e-6, run + ": max|dF| " + result.best().gradientMaxAbs());
        double[] optimum = NewtonReference.optimum(data, weights, lambda, factors, result.point(), 4);
        double[] max = new double[1];
        double best = objective(data, weights, lambda, factors, optimum, max);
        assertTrue(max[0] < 1e-8, run + ": Newton's max|dF| " + max[0]);
        double relative = Math.abs(result.best().objective() - best) / Math.abs(best);
        assertTrue(relative <= 1e-10, run + ": F " + result.best().objective() + " vs Newton " + best + ": "
                + relative);
    }

    /** Example weights and penalty factors (one of them 0), and the plain case, at λ = 1 and 3: Newton's optimum. */
    @Test
    void reachesTheNewtonOptimumWithWeightsAndFactors() {
        DenseDataset data = planted(1500, 12, 5, 1, 7);
        assertTrue(Whitening.paysOff(1500, 12), "the case must be whitened, hence coupled");
        double[] ones = new double[12];
        java.util.Arrays.fill(ones, 1);
        TrainingResult plain = train(data, null, LBFGS.withLambda(1), PenaltyFactors.none(), 2);
        assertNewtonOptimum(data, null, 1, ones, plain, "plain");
        double[] weights = NewtonSolverTest.randomWeights(1500, 8);
        double[] factors = {1, 0.5, 0, 2, 1, 3, 1, 1, 0.25, 1, 4, 1};
        TrainingResult weighted = train(data, weights, LBFGS.withLambda(3), PenaltyFactors.of(factors,
                factors.clone()), 2);
        assertNewtonOptimum(data, weights, 3, factors, weighted, "weights and factors");
    }

    /**
     * λ = 0: every column's Σ_k θ_kj is a null direction; M maps it to 0, so the iterates keep Σ_k θ_kj = 0 from the
     * start at 0, and F is Newton's.
     */
    @Test
    void withoutAPenaltyTheNullDirectionsAreLeftAlone() {
        DenseDataset data = planted(2000, 10, 4, 1, 9);
        TrainingResult result = train(data, null, LBFGS.withLambda(0), PenaltyFactors.none(), 2);
        double[] zeros = new double[10];
        assertNewtonOptimum(data, null, 0, zeros, result, "lambda 0");
        double[] theta = result.point();
        for (int j = 0; j <= 10; j++) {
            double sum = 0;
            double size = 0;
            for (int c = 0; c < 4; c++) {
                double value = j < 10 ? theta[c * 10 + j] : theta[40 + c];
                sum += value;
                size += Math.abs(value);
            }
            assertTrue(Math.abs(sum) <= 1e-12 * Math.max(1, size), "column " + j + ": sum over classes " + sum);
        }
    }

    /** A is summed on one thread in row order: 1, 2 and 3 threads give the same run bit for bit. */
    @Test
    void theSameBitsOnAnyThreads() {
        DenseDataset data = planted(4000, 30, 6, 0.5, 11);
        TrainingResult first = null;
        for (int threads = 1; threads <= 3; threads++) {
            TrainingResult result = train(data, null, LBFGS.withLambda(1), PenaltyFactors.none(), threads);
            assertEquals(StopReason.CONVERGED, result.stopReason(), threads + " threads");
            if (first == null) {
                first = result;
                continue;
            }
            CheckpointTest.assertSameRun(first, result);
            assertArrayEquals(first.point(), result.point(), 0.0, threads + " threads");
        }
    }

    /** Stopped inside A's refreshes (3) and after them (11), resumed: the run that never stopped, bit for bit. */
    @Test
    void aStoppedRunResumesAsTheRunNeverStopped() {
        DenseDataset data = planted(2000, 20, 5, 1, 13);
        TrainingOptions options = LBFGS.withLambda(1);
        TrainingRun.Inputs inputs = TrainingRun.Inputs.of(data, NewtonSolverTest.randomWeights(2000, 14), null, 0, 1,
                null, null);
        try (Engine engine = Backend.CPU.open(2)) {
            TrainingResult whole = TrainingRun.run(engine, options, inputs, TrainingListener.NONE).result();
            assertTrue(whole.iterations() > 11, "ran only " + whole.iterations() + " iterations");
            Path file = dir.resolve("run.s4jc");
            Checkpoint.Writing writing = new Checkpoint.Writing(file, 1e9);
            TrainingRun.run(engine, options, inputs, new StopAfter(3), null, writing, null);
            assertEquals(3, Checkpoint.read(file).iteration());
            TrainingRun.run(engine, options, inputs, new StopAfter(11), null, writing, Checkpoint.read(file));
            assertEquals(11, Checkpoint.read(file).iteration());
            TrainingResult resumed = TrainingRun.run(engine, options, inputs, TrainingListener.NONE, null, null,
                    Checkpoint.read(file)).result();
            CheckpointTest.assertSameRun(whole, resumed);
        }
    }
}
