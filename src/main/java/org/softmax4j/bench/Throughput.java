package org.softmax4j.bench;

import java.util.Arrays;

import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;

/**
 * Times one full-batch evaluation (log-likelihood and gradient): warm-up evaluations until at least
 * {@code warmupSeconds} have passed (and at least two), then {@code repetitions} timed ones.
 */
public final class Throughput {

    /** Seconds of the timed evaluations, sorted. */
    public record Timing(double[] seconds) {
        public double median() {
            int n = seconds.length;
            return n % 2 == 1 ? seconds[n / 2] : 0.5 * (seconds[n / 2 - 1] + seconds[n / 2]);
        }

        public double min() {
            return seconds[0];
        }

        public double max() {
            return seconds[seconds.length - 1];
        }
    }

    private Throughput() {
    }

    public static Timing measure(Engine engine, Dataset data, Parameters parameters, int repetitions,
                                 double warmupSeconds) {
        if (repetitions < 1) {
            throw new IllegalArgumentException("repetitions is " + repetitions + ", expected at least 1");
        }
        Evaluation out = new Evaluation(data.numClasses(), data.numFeatures());
        try (Evaluator evaluator = engine.bind(data)) {
            long warmupStart = System.nanoTime();
            int warmups = 0;
            while (warmups < 2 || (System.nanoTime() - warmupStart) / 1e9 < warmupSeconds) {
                evaluator.evaluate(parameters, out);
                warmups++;
            }
            double[] seconds = new double[repetitions];
            for (int r = 0; r < repetitions; r++) {
                long start = System.nanoTime();
                evaluator.evaluate(parameters, out);
                seconds[r] = (System.nanoTime() - start) / 1e9;
            }
            if (!Double.isFinite(out.logLikelihood())) {
                throw new IllegalStateException("the benchmark's log-likelihood is " + out.logLikelihood());
            }
            Arrays.sort(seconds);
            return new Timing(seconds);
        }
    }
}
