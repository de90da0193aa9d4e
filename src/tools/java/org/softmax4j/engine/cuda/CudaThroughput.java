package org.softmax4j.engine.cuda;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

import org.softmax4j.TestData;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Parameters;

/**
 * Throughput of one full evaluation (log-likelihood, gradient, count; W and b uploaded, K·D + K + 2 doubles read
 * back, so every timing ends synchronized), median of 9 after 2 warm-ups, and of one device-resident ascent step.
 * Arguments: none for the standard table, or "quick" for small sizes.
 */
public final class CudaThroughput {
    private static final int WARM_UP = 2;
    private static final int RUNS = 9;

    private CudaThroughput() {
    }

    public static void main(String[] args) {
        CudaProbe.Result probe = CudaProbe.result();
        if (!probe.available()) {
            System.out.println("no usable GPU: " + probe.reason());
            System.exit(2);
        }
        boolean quick = args.length > 0 && args[0].equals("quick");
        System.out.println("device: " + probe.summary());
        System.out.printf(Locale.ROOT, "%-8s %11s %5s %4s %-16s %10s %12s %10s %12s%n", "data", "N", "D", "K", "path",
                "eval ms", "rows/s", "GB/s in", "step ms");
        // On the CUDA emulator (a dry run of scripts/gpu-check.sh) tiny sizes: it runs the kernels on the CPU, and its
        // figures say nothing about a GPU anyway; the point there is that every path runs to its end.
        boolean emulated = probe.device().emulated();
        if (emulated) {
            System.out.println("emulator: tiny sizes; these are CPU figures, not GPU figures");
        }
        long[] binarySizes = emulated ? new long[]{20_000}
                : quick ? new long[]{1_000_000} : new long[]{1_000_000, 10_000_000, 100_000_000};
        for (long n : binarySizes) {
            run(probe.device(), randomBinary((int) n, 64, 10, n));
        }
        int denseN = emulated ? 5_000 : quick ? 100_000 : 1_000_000;
        run(probe.device(), randomDense(denseN, 784, 10, 784));
    }

    private static void run(CudaDevice device, Dataset data) {
        int k = data.numClasses();
        int d = data.numFeatures();
        Parameters parameters = Parameters.random(k, d, 0.01, 1);
        try (CudaEngine engine = new CudaEngine(device, true); CudaEvaluator evaluator = engine.bind(data)) {
            Evaluation out = new Evaluation(k, d);
            double[] times = new double[RUNS];
            for (int i = 0; i < WARM_UP + RUNS; i++) {
                long start = System.nanoTime();
                evaluator.evaluate(parameters, out);
                if (i >= WARM_UP) {
                    times[i - WARM_UP] = (System.nanoTime() - start) / 1e6;
                }
            }
            double evalMs = median(times);
            double stepMs;
            try (DeviceTraining training = evaluator.startDeviceTraining(parameters)) {
                for (int i = 0; i < WARM_UP + RUNS; i++) {
                    long start = System.nanoTime();
                    training.step(0.1, 1.0);
                    if (i >= WARM_UP) {
                        times[i - WARM_UP] = (System.nanoTime() - start) / 1e6;
                    }
                }
                stepMs = median(times);
            }
            long n = data.numExamples();
            double bytes = data instanceof BinaryDataset b ? n * (b.wordsPerRow() * 8.0 + 4) : n * (d * 4.0 + 4);
            System.out.printf(Locale.ROOT, "%-8s %11d %5d %4d %-16s %10.3f %12.3e %10.1f %12.3f%n",
                    data instanceof BinaryDataset ? "binary" : "dense", n, d, k, evaluator.kernelPath(), evalMs,
                    n / (evalMs / 1e3), bytes / (evalMs / 1e3) / 1e9, stepMs);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Each bit on with probability 1/2, straight into words: 10^8 rows without a float matrix. */
    static BinaryDataset randomBinary(int n, int d, int k, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int perRow = BinaryDataset.wordsPerRow(d);
        long[] words = new long[Math.multiplyExact(n, perRow)];
        long tailMask = d % 64 == 0 ? -1L : (1L << (d % 64)) - 1;
        for (int i = 0; i < words.length; i++) {
            words[i] = random.nextLong();
            if (i % perRow == perRow - 1) {
                words[i] &= tailMask;
            }
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i < k ? i : random.nextInt(k);
        }
        return new BinaryDataset(words, labels, d, TestData.classNames(k), "random binary");
    }

    static DenseDataset randomDense(int n, int d, int k, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[Math.multiplyExact(n, d)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble();
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i < k ? i : random.nextInt(k);
        }
        return new DenseDataset(values, labels, d, TestData.classNames(k), "random dense");
    }
}
