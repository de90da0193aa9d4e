package org.softmax4j.train;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.softmax4j.TestData;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.CsvData;
import org.softmax4j.data.CsvOptions;
import org.softmax4j.data.CsvReader;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.cpu.CpuEngine;

/**
 * For scripts/compare-sklearn.sh (not a test): a server that loads data sets and trains on them on request, so that a
 * driver can alternate our fits with scikit-learn's in one run. One command per line on standard input, one answer
 * line on standard output:
 * <ul>
 *   <li>{@code csv NAME TRAIN.csv TEST.csv}: loads both with the CLI's reader and defaults; answers the load time of
 *   the training file and the heap in use after it (after a GC);</li>
 *   <li>{@code raw NAME X.f32 Y.u8 N D K binary|dense}: N×D little-endian float32 features and N label bytes (the
 *   synthetic scale data, written by the driver), bit-packed when {@code binary};</li>
 *   <li>{@code fit NAME LAMBDA SOLVER [batch=B] [iterations=N] [eta=E] [tolerance=T] [preconditioner=P] [history=M]}: trains
 *   with the defaults of {@code train} (tolerance 1e-6, double precision, centring) and that solver; with
 *   {@code target=F*} also when F first came within 1e-3 relative of F* (for sgd and adam); answers F, iterations, the fit time, max|∂F|, the stop reason,
 *   the test accuracy, the JVM's CPU time during the fit and the bytes its threads allocated;</li>
 *   <li>{@code quit}.</li>
 * </ul>
 */
public final class DenseTimeToOptimum {
    private DenseTimeToOptimum() {
    }

    private record Problem(Dataset train, Dataset test) {
    }

    public static void main(String[] args) throws IOException {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        Map<String, Problem> problems = new HashMap<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (CpuEngine engine = new CpuEngine(threads)) {
            for (String line; (line = in.readLine()) != null; ) {
                String[] w = line.trim().split("\\s+");
                switch (w[0]) {
                    case "csv" -> {
                        System.gc();
                        long started = System.nanoTime();
                        CsvData train = CsvReader.readProfiled(Path.of(w[2]), CsvOptions.defaults());
                        double seconds = (System.nanoTime() - started) / 1e9;
                        System.gc();
                        long heap = heapUsed();
                        long peak = heapPeak();
                        Dataset test = CsvReader.readForModel(Path.of(w[3]), CsvOptions.defaults(),
                                train.data().classNames(), train.data().numFeatures(), train.featureNames(), false)
                                .data();
                        problems.put(w[1], new Problem(train.data(), test));
                        answer(String.format(Locale.ROOT, "loaded %s %dx%d (%s) in %.2fs, heap after %.0f MB, heap "
                                        + "peak %.0f MB", w[1], train.data().numExamples(),
                                train.data().numFeatures(), train.data().getClass().getSimpleName(), seconds,
                                heap / 1e6, peak / 1e6));
                    }
                    case "raw" -> {
                        int n = Integer.parseInt(w[4]);
                        int d = Integer.parseInt(w[5]);
                        int k = Integer.parseInt(w[6]);
                        float[] values = readFloats(Path.of(w[2]), n * d);
                        int[] labels = readBytes(Path.of(w[3]), n);
                        Dataset all = new DenseDataset(values, labels, d, TestData.classNames(k), w[1]);
                        if (w[7].equals("binary")) {
                            all = BinaryDataset.pack((DenseDataset) all);
                        }
                        Dataset test = all;
                        if (w.length > 10) {
                            // A test set beside it: raw NAME F32 U8 N D K KIND TEST_F32 TEST_U8 TEST_N
                            int testN = Integer.parseInt(w[10]);
                            test = new DenseDataset(readFloats(Path.of(w[8]), testN * d),
                                    readBytes(Path.of(w[9]), testN), d, TestData.classNames(k), w[1] + "-test");
                            if (w[7].equals("binary")) {
                                test = BinaryDataset.pack((DenseDataset) test);
                            }
                        }
                        problems.put(w[1], new Problem(all, test));
                        answer("loaded " + w[1] + " " + n + "x" + d + " (" + all.getClass().getSimpleName() + ")");
                    }
                    case "fit" -> answer(fit(engine, problems.get(w[1]), w));
                    case "quit" -> {
                        return;
                    }
                    default -> answer("unknown command " + w[0]);
                }
            }
        }
    }

    private static String fit(CpuEngine engine, Problem problem, String[] w) {
        double lambda = Double.parseDouble(w[2]);
        SolverType solver = SolverType.valueOf(w[3].toUpperCase(Locale.ROOT));
        TrainingOptions options = TrainingOptions.defaults().withSolver(solver).withLambda(lambda)
                .withMaxIterations(20000);
        for (int i = 4; i < w.length; i++) {
            String[] pair = w[i].split("=", 2);
            options = switch (pair[0]) {
                case "batch" -> options.withBatchSize(Integer.parseInt(pair[1]));
                case "iterations" -> options.withMaxIterations(Integer.parseInt(pair[1]));
                case "eta" -> options.withLearningRate(Double.parseDouble(pair[1]));
                case "tolerance" -> options.withTolerance(Double.parseDouble(pair[1]));
                case "preconditioner" -> options.withPreconditioner(Preconditioner.parse(pair[1]));
                case "history" -> options.withHistory(Integer.parseInt(pair[1]));
                case "target" -> options;
                default -> throw new IllegalArgumentException("unknown option " + w[i]);
            };
        }
        try (Evaluator train = engine.bind(problem.train()); Evaluator test = engine.bind(problem.test())) {
            long cpuBefore = processCpuNanos();
            long allocatedBefore = allocatedBytes();
            long started = System.nanoTime();
            // The engine's own threads for the double-precision evaluation too, as `train` has them: without the engine
            // the Trainer's polish runs on one thread (it did here until 2026-11-29, 12:31 UTC: every fit of ours in
            // scripts/compare-sklearn.sh before then evaluated in double on one of the two cores).
            TrainingResult result = new Trainer(options).train(engine, train, null, null,
                    new Parameters(problem.train().numClasses(), problem.train().numFeatures()), TrainingListener.NONE);
            double seconds = (System.nanoTime() - started) / 1e9;
            double cpuSeconds = (processCpuNanos() - cpuBefore) / 1e9;
            double allocatedMegabytes = (allocatedBytes() - allocatedBefore) / 1e6;
            String reached = "";
            for (int i = 4; i < w.length; i++) {
                if (w[i].startsWith("target=")) {
                    // The first-order solvers: when F first came within 1e-3 relative of the optimum's F*.
                    double target = Double.parseDouble(w[i].substring(7));
                    reached = " reached-1e-3 never";
                    for (IterationRecord record : result.history()) {
                        if ((target - record.objective()) <= 1e-3 * Math.abs(target)) {
                            reached = String.format(Locale.ROOT, " reached-1e-3 %.3fs at-epoch %d", record.seconds(),
                                    record.iteration());
                            break;
                        }
                    }
                }
            }
            Evaluation evaluation = new Evaluation(problem.test().numClasses(), problem.test().numFeatures());
            test.evaluate(result.parameters(), evaluation);
            return String.format(Locale.ROOT, "objective %.9f iterations %d fit %.3fs max|dF| %.2e stop %s "
                            + "test-accuracy %.4f%s cpu %.3fs allocated %.0fMB", result.best().objective(),
                    result.iterations(), seconds, result.best().gradientMaxAbs(), result.stopReason().id(),
                    evaluation.accuracy(), reached, cpuSeconds, allocatedMegabytes);
        }
    }

    /** The JVM's CPU time (all threads; −1 where not measured). */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /**
     * Bytes allocated so far by the live threads (the engine's workers and this one; 0 where not measured). A fit whose
     * evaluations run the Vector API's boxed fallback allocates gigabytes (see docs/PERFORMANCE.md, "The mixed-JVM
     * slowdown"); one that runs the compiled vector code, a few megabytes.
     */
    private static long allocatedBytes() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
                || !threads.isThreadAllocatedMemorySupported()) {
            return 0;
        }
        long sum = 0;
        for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            sum += Math.max(0, bytes);
        }
        return sum;
    }

    private static void answer(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long heapPeak() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    private static float[] readFloats(Path file, int count) throws IOException {
        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        if (bytes.length != 4L * count) {
            throw new IOException(file + ": " + bytes.length + " bytes, expected " + 4L * count);
        }
        float[] values = new float[count];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    private static int[] readBytes(Path file, int count) throws IOException {
        int[] labels = new int[count];
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(java.nio.file.Files.newInputStream(file)))) {
            for (int i = 0; i < count; i++) {
                labels[i] = in.readUnsignedByte();
            }
        }
        return labels;
    }
}
