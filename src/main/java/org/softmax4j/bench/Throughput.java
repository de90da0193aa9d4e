package org.softmax4j.bench;

import java.util.Arrays;
import java.util.function.LongSupplier;

import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;

/**
 * Times one full-batch evaluation (log-likelihood and gradient): warm-up evaluations until at least
 * {@code warmupSeconds} have passed and the time has settled (see {@link #warmUp}), then {@code repetitions} timed
 * ones.
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

    /** Warm-ups at least until the time is stable, at most this many times {@code warmupSeconds} (or 3 s). */
    static final double WARMUP_CAP_FACTOR = 5;

    /** Warm-up evaluations at least, whatever the time: a cold start can be a plateau of several slow ones. */
    static final int MIN_WARMUPS = 10;

    /**
     * Evaluates untimed for at least {@code warmupSeconds} and {@link #MIN_WARMUPS} evaluations, and then until the
     * time has settled: the last 3 evaluations within 25% (and 0.1 ms, the timer's noise on tiny sizes) of the fastest
     * so far. A fixed time alone left the first figure of a bench cold (0.03-0.05 s against 0.0009 s for the same size
     * measured last). Returns the number of warm-up evaluations.
     *
     * @param clock nanoseconds ({@code System::nanoTime}; the tests' evaluators keep a clock of their own)
     */
    static int warmUp(Evaluator evaluator, Parameters parameters, Evaluation out, double warmupSeconds,
                      LongSupplier clock) {
        double cap = Math.max(3, WARMUP_CAP_FACTOR * warmupSeconds);
        long warmupStart = clock.getAsLong();
        double fastest = Double.POSITIVE_INFINITY;
        double[] last = new double[3];
        int warmups = 0;
        while (true) {
            long start = clock.getAsLong();
            evaluator.evaluate(parameters, out);
            double seconds = (clock.getAsLong() - start) / 1e9;
            fastest = Math.min(fastest, seconds);
            last[warmups % last.length] = seconds;
            warmups++;
            double elapsed = (clock.getAsLong() - warmupStart) / 1e9;
            if (warmups < MIN_WARMUPS || elapsed < warmupSeconds) {
                continue;
            }
            double slowestRecent = Math.max(last[0], Math.max(last[1], last[2]));
            if (slowestRecent <= 1.25 * fastest + 1e-4 || elapsed >= cap) {
                return warmups;
            }
        }
    }

    public static Timing measure(Engine engine, Dataset data, Parameters parameters, int repetitions,
                                 double warmupSeconds) {
        return measure(engine, data, parameters, repetitions, warmupSeconds, System::nanoTime);
    }

    /** As {@link #measure(Engine, Dataset, Parameters, int, double)}, timed by {@code clock} (nanoseconds). */
    static Timing measure(Engine engine, Dataset data, Parameters parameters, int repetitions, double warmupSeconds,
                          LongSupplier clock) {
        if (repetitions < 1) {
            throw new IllegalArgumentException("repetitions is " + repetitions + ", expected at least 1");
        }
        Evaluation out = new Evaluation(data.numClasses(), data.numFeatures());
        try (Evaluator evaluator = engine.bind(data)) {
            warmUp(evaluator, parameters, out, warmupSeconds, clock);
            double[] seconds = new double[repetitions];
            for (int r = 0; r < repetitions; r++) {
                long start = clock.getAsLong();
                evaluator.evaluate(parameters, out);
                seconds[r] = (clock.getAsLong() - start) / 1e9;
            }
            if (!Double.isFinite(out.logLikelihood())) {
                throw new IllegalStateException("the benchmark's log-likelihood is " + out.logLikelihood());
            }
            Arrays.sort(seconds);
            return new Timing(seconds);
        }
    }
}
