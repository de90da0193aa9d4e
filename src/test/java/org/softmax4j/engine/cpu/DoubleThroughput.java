package org.softmax4j.engine.cpu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import org.softmax4j.TestData;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.CsvOptions;
import org.softmax4j.data.CsvReader;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;

/**
 * Not a test: the time of one evaluation in double by the scalar loops and by the SIMD paths (dense rows: all D
 * features, and their non-zeros alone), and of one by the float32 engine, interleaved, median of the rounds after
 * warm-up; dense rows (image-like: a fraction {@code density} non-zero, default 0.2, in (0, 1]) or bit-packed ones
 * (each bit on with probability 0.323, as {@code bench} draws them).
 * {@code java -cp ... org.softmax4j.engine.cpu.DoubleThroughput [dense|binary [N [D [K [threads [rounds [density]]]]]]]},
 * or {@code raw X.f32 Y.u8 N D K threads rounds} (N×D little-endian float32 and N label bytes), or
 * {@code csv TRAIN.csv threads rounds} (the CLI's reader): those two without the scalar loops.
 */
public final class DoubleThroughput {
    private DoubleThroughput() {
    }

    public static void main(String[] args) throws IOException {
        Dataset data;
        int threads;
        int rounds;
        boolean scalarToo = true;
        String kind = args.length > 0 ? args[0] : "dense";
        if (kind.equals("raw")) {
            int n = Integer.parseInt(args[3]);
            int d = Integer.parseInt(args[4]);
            int k = Integer.parseInt(args[5]);
            float[] values = new float[n * d];
            ByteBuffer.wrap(Files.readAllBytes(Path.of(args[1]))).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                    .get(values);
            byte[] bytes = Files.readAllBytes(Path.of(args[2]));
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = bytes[i] & 0xFF;
            }
            data = new DenseDataset(values, labels, d, TestData.classNames(k), args[1]);
            threads = Integer.parseInt(args[6]);
            rounds = Integer.parseInt(args[7]);
            scalarToo = false;
        } else if (kind.equals("csv")) {
            data = CsvReader.readProfiled(Path.of(args[1]), CsvOptions.defaults()).data();
            threads = Integer.parseInt(args[2]);
            rounds = Integer.parseInt(args[3]);
            scalarToo = false;
        } else {
            boolean binary = kind.equals("binary");
            int n = args.length > 1 ? Integer.parseInt(args[1]) : 8000;
            int d = args.length > 2 ? Integer.parseInt(args[2]) : binary ? 64 : 784;
            int k = args.length > 3 ? Integer.parseInt(args[3]) : 10;
            threads = args.length > 4 ? Integer.parseInt(args[4]) : Runtime.getRuntime().availableProcessors();
            rounds = args.length > 5 ? Integer.parseInt(args[5]) : 7;
            double density = args.length > 6 ? Double.parseDouble(args[6]) : 0.2;
            SplittableRandom random = new SplittableRandom(1);
            float[] values = new float[n * d];
            for (int i = 0; i < values.length; i++) {
                values[i] = binary ? (random.nextDouble() < 0.323 ? 1f : 0f)
                        : random.nextDouble() < density ? (float) random.nextDouble() : 0f;
            }
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = random.nextInt(k);
            }
            DenseDataset dense = new DenseDataset(values, labels, d, TestData.classNames(k),
                    binary ? "bits" : "image-like");
            data = binary ? BinaryDataset.pack(dense) : dense;
        }
        measure(data, threads, rounds, scalarToo);
    }

    private static void measure(Dataset data, int threads, int rounds, boolean scalarToo) {
        int n = data.numExamples();
        int d = data.numFeatures();
        int k = data.numClasses();
        boolean binary = data instanceof BinaryDataset;
        SplittableRandom random = new SplittableRandom(2);
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
        List<String> names = new ArrayList<>();
        List<Runnable> runs = new ArrayList<>();
        List<AutoCloseable> open = new ArrayList<>();
        try (CpuEngine engine = new CpuEngine(threads); Evaluator floats = engine.bind(data)) {
            if (scalarToo) {
                DoubleEvaluator scalar = new DoubleEvaluator(data, null, threads, false);
                open.add(scalar);
                names.add("double, scalar loops");
                runs.add(() -> scalar.evaluate(point, gradient));
            }
            if (binary) {
                DoubleEvaluator simd = new DoubleEvaluator(data, null, threads, true);
                open.add(simd);
                names.add("double, SIMD (VectorDoubleBinary)");
                runs.add(() -> simd.evaluate(point, gradient));
            } else {
                DoubleEvaluator dense = new DoubleEvaluator(data, null, threads, true, SparseRows.Mode.NEVER);
                DoubleEvaluator sparse = new DoubleEvaluator(data, null, threads, true, SparseRows.Mode.ALWAYS);
                open.add(dense);
                open.add(sparse);
                names.add("double, SIMD (VectorDoubleDense)");
                runs.add(() -> dense.evaluate(point, gradient));
                names.add("double, SIMD (VectorDoubleSparse)");
                runs.add(() -> sparse.evaluate(point, gradient));
            }
            names.add("float32 engine (SIMD)");
            runs.add(() -> floats.evaluate(parameters, evaluation));
            for (int warmUp = 0; warmUp < 10; warmUp++) {
                for (int i = scalarToo && warmUp >= 3 ? 1 : 0; i < runs.size(); i++) {
                    runs.get(i).run();
                }
            }
            double[][] times = new double[runs.size()][rounds];
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < runs.size(); i++) {
                    long t0 = System.nanoTime();
                    runs.get(i).run();
                    times[i][round] = (System.nanoTime() - t0) / 1e6;
                }
            }
            long nonZeros = binary ? -1 : SparseRows.countNonZeros((DenseDataset) data);
            for (int i = 0; i < runs.size(); i++) {
                Arrays.sort(times[i]);
                System.out.printf(Locale.ROOT, "%-35s %s N=%d D=%d K=%d%s threads=%d  median %.2f ms  (min %.2f, max "
                                + "%.2f)%n", names.get(i), binary ? "binary" : "dense", n, d, k,
                        nonZeros < 0 ? "" : String.format(Locale.ROOT, " non-zeros %.3f", nonZeros / ((double) n * d)),
                        threads, times[i][rounds / 2], times[i][0], times[i][rounds - 1]);
            }
        } finally {
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }
}
