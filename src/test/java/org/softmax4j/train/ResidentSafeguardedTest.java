package org.softmax4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.softmax4j.TestData;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.ResidentSafeguardedAscent;
import org.softmax4j.engine.cpu.CpuEngine;

/**
 * The automatic step's path for engines that keep its vectors in their own memory ({@link ResidentSafeguardedSolver},
 * the CUDA engine's device loop), run against a CPU evaluator that keeps them in host arrays and computes the sums of
 * {@code ascent_sums_kernel} and the step of {@code momentum_update_kernel} in Java: with the same engine arithmetic,
 * the device loop's decisions are the host solver's, so the runs agree iteration for iteration (the same count, stop
 * and restarts) and end on the same weights. What differs between the CPU and CUDA engines is then only the float32
 * rounding of their sums (see AutoStepGpuTest).
 */
class ResidentSafeguardedTest {
    private static final int ROW = ResidentSafeguardedAscent.ROW;

    /** A CPU evaluator that also offers the device loop's session, on the host, counting parameter downloads. */
    static final class HostSafeguarded extends ResidentAscentTest.HostResident implements ResidentSafeguardedAscent {
        HostSafeguarded(Evaluator inner) {
            super(inner);
        }

        @Override
        public ResidentSafeguardedAscent.Session startSafeguardedAscent(Parameters start, Geometry geometry,
                                                                       double step) {
            return new HostSession(start, geometry, step);
        }

        final class HostSession implements ResidentSafeguardedAscent.Session {
            final Geometry geometry;
            final Parameters current;
            final Parameters bestParameters;
            final double[] point;
            final double[] previous;
            final double[] best;
            final double[] sums;
            final Evaluation evaluation;
            final DualityGap gapSums;
            final int numClasses;
            final int numFeatures;

            HostSession(Parameters start, Geometry geometry, double step) {
                this.geometry = geometry;
                this.current = start.copy();
                this.bestParameters = start.copy();
                numClasses = start.numClasses();
                numFeatures = start.numFeatures();
                int numWeights = numClasses * numFeatures;
                point = new double[numWeights + numClasses];
                for (int i = 0; i < point.length; i++) {
                    point[i] = i < numWeights ? start.weights()[i] : start.bias()[i - numWeights];
                }
                previous = point.clone();
                best = point.clone();
                sums = new double[numClasses * ROW + 2];
                evaluation = new Evaluation(numClasses, numFeatures);
                gapSums = geometry.classSums() == null ? null
                        : DualityGap.of(inner.data(), null, geometry.lambda(), !geometry.fitBias());
                evaluate(step);
            }

            /** ascent_sums_kernel in Java (its gap columns by DualityGap#classSums, the CPU twin). */
            void evaluate(double step) {
                new PenalizedLogLikelihood(inner, geometry.lambda(), !geometry.fitBias()).evaluate(current, evaluation);
                double[] g = evaluation.gradWeights();
                double[] gb = evaluation.gradBias();
                java.util.Arrays.fill(sums, 0);
                if (gapSums != null) {
                    gapSums.classSums(current, evaluation, sums);
                }
                int numWeights = numClasses * numFeatures;
                double[] means = geometry.means();
                for (int k = 0; k < numClasses; k++) {
                    int o = k * ROW;
                    double shift = 0;
                    double slope = 0;
                    double max = 0;
                    for (int j = 0; j < numFeatures; j++) {
                        int i = k * numFeatures + j;
                        double w = current.weights()[i];
                        sums[o + WEIGHT_SQUARES] += w * w;
                        sums[o + GRADIENT_SQUARES] += g[i] * g[i];
                        max = Math.max(max, Math.abs(g[i]));
                        double r = means != null ? g[i] - gb[k] * means[j] : g[i];
                        if (means != null) {
                            shift += r * means[j];
                        }
                        slope += g[i] * (point[i] + step * r - previous[i]);
                    }
                    int i = numWeights + k;
                    double direction = means != null ? geometry.biasRatio() * gb[k] - shift : gb[k];
                    sums[o + GRADIENT_MAX] = max;
                    sums[o + SLOPE] = slope + gb[k] * (point[i] + step * direction - previous[i]);
                    sums[o + SHIFT] = shift;
                    sums[o + BIAS_GRADIENT] = gb[k];
                    sums[o + BIAS] = current.bias()[k];
                }
                sums[numClasses * ROW] = evaluation.logLikelihood();
                sums[numClasses * ROW + 1] = Math.round(evaluation.accuracy() * evaluation.numExamples());
            }

            @Override
            public double[] sums() {
                return sums;
            }

            /** momentum_update_kernel in Java. */
            @Override
            public void step(double step, double beta) {
                steps++;
                int numWeights = numClasses * numFeatures;
                double[] g = evaluation.gradWeights();
                double[] gb = evaluation.gradBias();
                double[] means = geometry.means();
                for (int i = 0; i < point.length; i++) {
                    double direction;
                    if (i < numWeights) {
                        int k = i / numFeatures;
                        direction = means != null ? g[i] - gb[k] * means[i % numFeatures] : g[i];
                    } else if (geometry.fitBias()) {
                        int k = i - numWeights;
                        direction = means != null ? geometry.biasRatio() * gb[k] - sums[k * ROW + SHIFT] : gb[k];
                    } else {
                        continue;
                    }
                    double next = point[i] + step * direction;
                    point[i] = next + beta * (next - previous[i]);
                    previous[i] = next;
                }
                round(point, current);
                evaluate(step);
            }

            void round(double[] values, Parameters into) {
                int numWeights = numClasses * numFeatures;
                for (int i = 0; i < values.length; i++) {
                    if (i < numWeights) {
                        into.weights()[i] = (float) values[i];
                    } else {
                        into.bias()[i - numWeights] = (float) values[i];
                    }
                }
            }

            @Override
            public void keepBest() {
                System.arraycopy(point, 0, best, 0, point.length);
                bestParameters.copyFrom(current);
            }

            @Override
            public void restoreBest(double step) {
                System.arraycopy(best, 0, point, 0, point.length);
                System.arraycopy(best, 0, previous, 0, point.length);
                current.copyFrom(bestParameters);
                evaluate(step);
            }

            @Override
            public Parameters download() {
                downloads++;
                return current.copy();
            }

            @Override
            public Parameters downloadBest() {
                downloads++;
                return bestParameters.copy();
            }

            @Override
            public void downloadVectors(double[] y, double[] x, double[] bestPoint) {
                System.arraycopy(point, 0, y, 0, point.length);
                System.arraycopy(previous, 0, x, 0, point.length);
                System.arraycopy(best, 0, bestPoint, 0, point.length);
            }

            @Override
            public void uploadVectors(double[] y, double[] x, double[] bestPoint, double step) {
                System.arraycopy(y, 0, point, 0, point.length);
                System.arraycopy(x, 0, previous, 0, point.length);
                System.arraycopy(bestPoint, 0, best, 0, point.length);
                round(point, current);
                round(best, bestParameters);
                evaluate(step);
            }

            @Override
            public void close() {
            }
        }
    }

    private static void assertSameRun(Dataset data, TrainingOptions options) {
        TrainingResult host;
        TrainingResult resident;
        HostSafeguarded engine;
        try (CpuEngine cpu = new CpuEngine(1); Evaluator evaluator = cpu.bind(data)) {
            host = new Trainer(options).train(evaluator, TrainingListener.NONE);
        }
        try (CpuEngine cpu = new CpuEngine(1); HostSafeguarded evaluator = new HostSafeguarded(cpu.bind(data))) {
            resident = new Trainer(options).train(evaluator, TrainingListener.NONE);
            engine = evaluator;
        }
        String what = "host " + host.iterations() + " (" + host.stopDetail() + "), resident " + resident.iterations()
                + " (" + resident.stopDetail() + ")";
        assertEquals(host.iterations(), resident.iterations(), what);
        assertEquals(host.stopReason(), resident.stopReason(), what);
        assertEquals(host.step().restarts(), resident.step().restarts(), what);
        assertEquals(host.step().falls(), resident.step().falls(), what);
        assertEquals(host.iterations(), engine.steps, "one step per iteration without falls: " + what);
        // The start, the best point at the end, and y when a converged run returns its proved point.
        assertTrue(engine.downloads <= 3, engine.downloads + " downloads of the parameters: " + what);
        for (int i = 0; i < host.history().size(); i++) {
            IterationRecord a = host.history().get(i);
            IterationRecord b = resident.history().get(i);
            assertEquals(a.objective(), b.objective(), 1e-12 * Math.abs(a.objective()), "F at record " + i);
            if (Double.isNaN(a.optimalityGap())) {
                assertTrue(Double.isNaN(b.optimalityGap()), "no gap without a penalty, record " + i);
            } else {
                assertEquals(a.optimalityGap(), b.optimalityGap(), 1e-9 * Math.abs(a.optimalityGap()) + 1e-12,
                        "gap at record " + i);
            }
        }
        assertArrayEquals(host.parameters().weights(), resident.parameters().weights(), what);
        assertArrayEquals(host.parameters().bias(), resident.parameters().bias(), what);
    }

    @Test
    void digitsWithTheDefaults() {
        Dataset all = BuiltinDigits.load();
        Dataset train = all.select(Splits.stratifiedIndices(all, 0.2, 1)[0]);
        assertSameRun(train, TrainingOptions.defaults());
    }

    @Test
    void unscaledDensePlainAndWithoutABias() {
        DenseDataset data = TestData.randomDense(300, 5, 3, 4);
        float[] values = data.values();
        for (int i = 0; i < values.length; i++) {
            values[i] = 5 + 3 * values[i];
        }
        TrainingOptions options = TrainingOptions.defaults().withMaxIterations(200);
        assertSameRun(data, options.withAcceleration(Acceleration.NONE));
        assertSameRun(data, options.withNoBias(true));
    }

    @Test
    void binaryWithoutAPenalty() {
        assertSameRun(TestData.randomBinary(400, 40, 4, 9), TrainingOptions.defaults().withLambda(0)
                .withMaxIterations(150));
    }

    /**
     * A checkpoint of the device loop holds the same fields as the host solver's (y, x_k and the best point in double,
     * the schedule), so a resident run stopped twice and resumed ends bit for bit as the resident run never stopped,
     * and the host solver resumes the resident's checkpoint to the same weights.
     */
    @Test
    void aStoppedResidentRunResumesBitForBit(@TempDir Path dir) {
        Dataset all = BuiltinDigits.load();
        Dataset train = all.select(Splits.stratifiedIndices(all, 0.2, 1)[0]);
        TrainingOptions options = TrainingOptions.defaults().withMaxIterations(60);
        Path file = dir.resolve("resident.s4jc");
        Checkpoint.Writing writing = new Checkpoint.Writing(file, 1e9);
        try (CpuEngine cpu = new CpuEngine(1); HostSafeguarded evaluator = new HostSafeguarded(cpu.bind(train))) {
            TrainingResult whole = new Trainer(options).train(cpu, evaluator, null, null,
                    new Parameters(train.numClasses(), train.numFeatures()), TrainingListener.NONE);
            Parameters zero = new Parameters(train.numClasses(), train.numFeatures());
            TrainingResult stopped = new Trainer(options).withCheckpoints(writing, null)
                    .train(cpu, evaluator, null, null, zero, new StopAfter(7));
            assertEquals(StopReason.INTERRUPTED, stopped.stopReason());
            new Trainer(options).withCheckpoints(writing, Checkpoint.read(file))
                    .train(cpu, evaluator, null, null, zero, new StopAfter(23));
            assertEquals(23, Checkpoint.read(file).iteration());
            TrainingResult resumed = new Trainer(options).withCheckpoints(null, Checkpoint.read(file))
                    .train(cpu, evaluator, null, null, zero, TrainingListener.NONE);
            CheckpointTest.assertSameRun(whole, resumed);

            try (Evaluator host = cpu.bind(train)) {
                TrainingResult onHost = new Trainer(options).withCheckpoints(null, Checkpoint.read(file))
                        .train(cpu, host, null, null, zero, TrainingListener.NONE);
                assertEquals(whole.iterations(), onHost.iterations());
                assertArrayEquals(whole.parameters().weights(), onHost.parameters().weights());
                assertArrayEquals(whole.parameters().bias(), onHost.parameters().bias());
            }
        }
    }
}
