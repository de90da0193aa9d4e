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

    /**
     * Memory read bandwidth in bytes per second: the median of 7 timed sums of a 512 MB {@code long[]}, split among
     * {@code threads} threads, after 3 warm-up sums. The limit a pass that reads its data once cannot beat.
     */
    public static double readBandwidth(int threads) throws InterruptedException {
        long[] data = new long[64 << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        double[] seconds = new double[7];
        long[] sums = new long[threads * 8];
        for (int r = -3; r < seconds.length; r++) {
            Thread[] workers = new Thread[threads];
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int worker = t;
                workers[t] = new Thread(() -> {
                    int from = (int) ((long) data.length * worker / threads);
                    int to = (int) ((long) data.length * (worker + 1) / threads);
                    long sum = 0;
                    for (int i = from; i < to; i++) {
                        sum += data[i];
                    }
                    sums[worker * 8] = sum;
                });
                workers[t].start();
            }
            for (Thread worker : workers) {
                worker.join();
            }
            if (r >= 0) {
                seconds[r] = (System.nanoTime() - start) / 1e9;
            }
        }
        Arrays.sort(seconds);
        return 8.0 * data.length / seconds[seconds.length / 2];
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
