package org.softmax4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.softmax4j.TestData;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.cpu.CpuEngine;
import org.softmax4j.engine.cpu.DoubleEvaluator;

/**
 * L-BFGS on dense features of image scale: the default preconditioner ({@link Whitening} for dense data) and
 * {@code center-scaled} ({@link ScaledCentering}) reach the same optimum as Newton's method in double (F within 1e-10
 * relative), for pixels in 0..255 and in [0, 1], with and without example weights, through the SIMD double path where
 * the Vector API is present; the default needs fewer iterations than plain centring on pixels in 0..255, and its
 * result has the same bits for 1 and 2 threads.
 */
class DenseOptimumTest {

    /** Image-like rows (70% zeros, the rest 1..scale) with labels drawn from a planted softmax model. */
    private static DenseDataset pixels(int n, int d, int k, double scale, long seed) {
        return pixels(n, d, k, scale, seed, 0.7);
    }

    /** As {@link #pixels(int, int, int, double, long)} with a fraction {@code zeros} of zeros. */
    private static DenseDataset pixels(int n, int d, int k, double scale, long seed, double zeros) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n * d];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble() < zeros ? 0f : (float) (Math.round(random.nextDouble() * 255) / 255.0
                    * scale);
        }
        double[] truth = new double[k * d];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = random.nextGaussian() * 4 / Math.sqrt(d) / scale;
        }
        int[] labels = new int[n];
        double[] p = new double[k];
        for (int row = 0; row < n; row++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                double z = 0;
                for (int j = 0; j < d; j++) {
                    z += truth[c * d + j] * values[row * d + j];
                }
                p[c] = z;
                max = Math.max(max, z);
            }
            double sum = 0;
            for (int c = 0; c < k; c++) {
                p[c] = Math.exp(p[c] - max);
                sum += p[c];
            }
            double u = random.nextDouble() * sum;
            int label = k - 1;
            for (int c = 0; c < k; c++) {
                u -= p[c];
                if (u < 0) {
                    label = c;
                    break;
                }
            }
            labels[row] = row < k ? row : label;
        }
        return new DenseDataset(values, labels, d, TestData.classNames(k), "pixels x" + scale);
    }

    private static TrainingResult train(DenseDataset data, Preconditioner preconditioner) {
        return train(data, null, preconditioner, 2);
    }

    private static TrainingResult train(DenseDataset data, double[] weights, Preconditioner preconditioner,
                                        int threads) {
        TrainingOptions options = TrainingOptions.defaults().withSolver(SolverType.LBFGS).withLambda(1)
                .withMaxIterations(20000).withPreconditioner(preconditioner);
        try (CpuEngine engine = new CpuEngine(threads); Evaluator evaluator = engine.bind(data, weights)) {
            return new Trainer(options).train(engine, evaluator, weights, null,
                    new Parameters(data.numClasses(), data.numFeatures()), TrainingListener.NONE);
        }
    }

    private static double[] point(Parameters parameters) {
        double[] theta = SmoothObjective.toPoint(parameters);
        int k = parameters.numClasses();
        double mean = 0;
        for (int c = theta.length - k; c < theta.length; c++) {
            mean += theta[c] / k;
        }
        for (int c = theta.length - k; c < theta.length; c++) {
            theta[c] -= mean;
        }
        return theta;
    }

    /** F at Newton's optimum, polished from {@code start}, checked to have max|∂F| below 1e-9 relative to its size. */
    private static double optimum(DenseDataset data, double[] exampleWeights, double[] start) {
        double[] optimum = NewtonReference.optimum(data, exampleWeights, 1.0, start, 4);
        int weights = data.numClasses() * data.numFeatures();
        double[] gradient = new double[optimum.length];
        double squares = 0;
        double value;
        try (DoubleEvaluator evaluator = new DoubleEvaluator(data, exampleWeights, 1)) {
            value = evaluator.evaluate(optimum, gradient);
        }
        for (int i = 0; i < weights; i++) {
            squares += optimum[i] * optimum[i];
            gradient[i] -= optimum[i];
        }
        double max = 0;
        for (double g : gradient) {
            max = Math.max(max, Math.abs(g));
        }
        assertTrue(max < 1e-7, data.source() + ": Newton's max|dF| " + max);
        return value - 0.5 * squares;
    }

    /** Example weights in [0.2, 2.2). */
    private static double[] exampleWeights(int n, long seed) {
        double[] weights = new double[n];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < weights.length; i++) {
            weights[i] = 0.2 + 2 * random.nextDouble();
        }
        return weights;
    }

    /** Converged in double to max|dF| ≤ 1e-6, at F within 1e-10 relative of Newton's. */
    private static void assertAtTheOptimum(DenseDataset data, double[] weights, TrainingResult result, String what) {
        assertEquals(StopReason.CONVERGED, result.stopReason(), what + ": " + result.stopDetail());
        assertEquals("double", result.precision(), what);
        assertTrue(result.best().gradientMaxAbs() <= 1e-6, what + ": max|dF| " + result.best().gradientMaxAbs());
        double best = optimum(data, weights, point(result.parameters()));
        double relative = Math.abs(result.best().objective() - best) / Math.abs(best);
        assertTrue(relative <= 1e-10, what + ": F " + result.best().objective() + " vs Newton " + best + ": "
                + relative);
    }

    @Test
    void pixelsOfEitherScaleReachTheNewtonOptimum() {
        double[] weights = exampleWeights(1500, 5);
        for (double scale : new double[] {255, 1}) {
            DenseDataset data = pixels(1500, 37, 5, scale, 3);
            for (Preconditioner preconditioner : new Preconditioner[] {Preconditioner.CENTER,
                    Preconditioner.CENTER_SCALED}) {
                for (double[] w : new double[][] {null, weights}) {
                    TrainingResult result = train(data, w, preconditioner, 2);
                    assertAtTheOptimum(data, w, result, data.source() + ", " + preconditioner.id()
                            + (w == null ? "" : ", weighted"));
                }
            }
        }
    }

    /**
     * Rows with 85% zeros: the double evaluations take the non-zeros alone (at most 20% non-zero, the CPU engine's
     * rule); the same optimum, weighted or not, and the same bits for 1 and 2 threads.
     */
    @Test
    void mostlyZeroPixelsReachTheNewtonOptimumThroughTheSparsePath() {
        double[] weights = exampleWeights(1500, 8);
        for (double scale : new double[] {255, 1}) {
            DenseDataset data = pixels(1500, 37, 5, scale, 9, 0.85);
            long nonZeros = 0;
            for (float v : data.values()) {
                nonZeros += v != 0f ? 1 : 0;
            }
            assertTrue(nonZeros <= 0.2 * data.values().length, "non-zeros " + nonZeros);
            for (double[] w : new double[][] {null, weights}) {
                TrainingResult result = train(data, w, Preconditioner.CENTER, 2);
                String what = data.source() + ", 85% zeros" + (w == null ? "" : ", weighted");
                assertAtTheOptimum(data, w, result, what);
                TrainingResult one = train(data, w, Preconditioner.CENTER, 1);
                assertEquals(result.iterations(), one.iterations(), what + ": iterations, 1 and 2 threads");
                assertEquals(Double.doubleToLongBits(result.best().objective()),
                        Double.doubleToLongBits(one.best().objective()), what + ": F, 1 and 2 threads");
            }
        }
    }

    /** The whitening is summed in a fixed order on one thread: the whole run has the same bits for 1 and 2 threads. */
    @Test
    void whitenedRunsHaveTheSameBitsForEveryThreadCount() {
        DenseDataset data = pixels(1500, 37, 5, 255, 6);
        TrainingResult one = train(data, null, Preconditioner.CENTER, 1);
        TrainingResult two = train(data, null, Preconditioner.CENTER, 2);
        assertEquals(one.iterations(), two.iterations());
        assertEquals(Double.doubleToLongBits(one.best().objective()), Double.doubleToLongBits(two.best().objective()));
        assertTrue(java.util.Arrays.equals(SmoothObjective.toPoint(one.parameters()),
                SmoothObjective.toPoint(two.parameters())), "the weights differ between 1 and 2 threads");
    }

    @Test
    void scalingSavesIterationsOnPixelsIn0To255() {
        DenseDataset data = pixels(1500, 37, 5, 255, 4);
        TrainingResult scaled = train(data, Preconditioner.CENTER);
        TrainingResult unscaled = train(data, Preconditioner.CENTER_UNSCALED);
        assertEquals(StopReason.CONVERGED, scaled.stopReason(), scaled.stopDetail());
        assertTrue(2 * scaled.iterations() <= unscaled.iterations(), "iterations scaled " + scaled.iterations()
                + ", centred only " + unscaled.iterations() + " (" + unscaled.stopReason().id() + ")");
        assertEquals(scaled.best().objective(), Math.max(scaled.best().objective(), unscaled.best().objective()),
                1e-10 * Math.abs(scaled.best().objective()), "the scaled run's F is the higher (or equal)");
    }
}
