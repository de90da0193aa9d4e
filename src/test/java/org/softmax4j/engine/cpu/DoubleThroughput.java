package org.softmax4j.engine.cpu;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

import org.softmax4j.TestData;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;

/**
 * Not a test: the time of one evaluation in double by the scalar loops and by the SIMD path, and of one by the float32
 * engine, interleaved, median of the rounds after warm-up; dense rows (image-like: 80% zeros, the rest in (0, 1]) or
 * bit-packed ones (each bit on with probability 0.323, as {@code bench} draws them).
 * {@code java -cp ... org.softmax4j.engine.cpu.DoubleThroughput [dense|binary [N [D [K [threads [rounds]]]]]]}.
 */
public final class DoubleThroughput {
    private DoubleThroughput() {
    }

    public static void main(String[] args) {
        boolean binary = args.length > 0 && args[0].equals("binary");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 8000;
        int d = args.length > 2 ? Integer.parseInt(args[2]) : binary ? 64 : 784;
        int k = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : Runtime.getRuntime().availableProcessors();
        int rounds = args.length > 5 ? Integer.parseInt(args[5]) : 7;
        SplittableRandom random = new SplittableRandom(1);
        float[] values = new float[n * d];
        for (int i = 0; i < values.length; i++) {
            values[i] = binary ? (random.nextDouble() < 0.323 ? 1f : 0f)
                    : random.nextDouble() < 0.8 ? 0f : (float) random.nextDouble();
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(k);
        }
        DenseDataset dense = new DenseDataset(values, labels, d, TestData.classNames(k), binary ? "bits" : "image-like");
        Dataset data = binary ? BinaryDataset.pack(dense) : dense;
        values = null;
        dense = null;
        double[] point = new double[k * d + k];
        for (int i = 0; i < point.length; i++) {
            point[i] = random.nextDouble(-0.05, 0.05);
        }
        double[] gradient = new double[point.length];
        Parameters parameters = new Parameters(k, d);
        for (int i = 0; i < k * d; i++) {
            parameters.weights()[i] = (float) point[i];
        }
        Evaluation evaluation = new Evaluation(k, d);
        double[][] times = new double[3][rounds];
        try (DoubleEvaluator scalar = new DoubleEvaluator(data, null, threads, false);
             DoubleEvaluator simd = new DoubleEvaluator(data, null, threads, true);
             CpuEngine engine = new CpuEngine(threads); Evaluator floats = engine.bind(data)) {
            for (int warmUp = 0; warmUp < 3; warmUp++) {
                scalar.evaluate(point, gradient);
                for (int i = 0; i < 10; i++) {
                    simd.evaluate(point, gradient);
                    floats.evaluate(parameters, evaluation);
                }
            }
            for (int round = 0; round < rounds; round++) {
                long t0 = System.nanoTime();
                scalar.evaluate(point, gradient);
                long t1 = System.nanoTime();
                simd.evaluate(point, gradient);
                long t2 = System.nanoTime();
                floats.evaluate(parameters, evaluation);
                long t3 = System.nanoTime();
                times[0][round] = (t1 - t0) / 1e6;
                times[1][round] = (t2 - t1) / 1e6;
                times[2][round] = (t3 - t2) / 1e6;
            }
        }
        String[] names = {"double, scalar loops", "double, SIMD (VectorDouble" + (binary ? "Binary)" : "Dense)"),
            "float32 engine (SIMD)"};
        for (int i = 0; i < 3; i++) {
            Arrays.sort(times[i]);
            System.out.printf(Locale.ROOT, "%-35s %s N=%d D=%d K=%d threads=%d  median %.2f ms  (min %.2f, max %.2f)%n",
                    names[i], binary ? "binary" : "dense", n, d, k, threads, times[i][rounds / 2], times[i][0],
                    times[i][rounds - 1]);
        }
    }
}
