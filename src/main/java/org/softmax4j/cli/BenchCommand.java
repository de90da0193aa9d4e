package org.softmax4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.softmax4j.InputException;
import org.softmax4j.bench.SyntheticData;
import org.softmax4j.bench.Throughput;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.Split;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Backend;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.cpu.CpuEngine;
import org.softmax4j.engine.cuda.CudaProbe;
import org.softmax4j.train.Trainer;
import org.softmax4j.train.TrainingListener;
import org.softmax4j.train.TrainingOptions;
import org.softmax4j.train.TrainingResult;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", sortOptions = false,
        description = {"Throughput of one full-batch evaluation (log-likelihood + gradient), in samples per second, "
                + "for each available engine, on seeded synthetic data; and the time to train the built-in digits.",
                "Each figure: warm-up, then the median (and min, max) of --repetitions evaluations."})
final class BenchCommand extends BaseCommand {
    /** Said before and after the figures when the CUDA engine runs on the emulator: they must not pass for a GPU's. */
    static final String EMULATED_NOTE = "note: cuda figures here come from the CUDA emulator, which runs the kernels "
            + "on the CPU: they are not GPU figures";

    @Option(names = "--engines", paramLabel = "LIST", split = ",", defaultValue = "cpu,cuda",
            description = "Engines to measure (those not available here are skipped with the reason). "
                    + "Default: ${DEFAULT-VALUE}.")
    List<String> engines;

    @Option(names = "--kinds", paramLabel = "LIST", split = ",", defaultValue = "binary,dense",
            description = "binary (D=64 bits, K=10) and/or dense (D=784 floats, K=10). Default: ${DEFAULT-VALUE}.")
    List<String> kinds;

    @Option(names = "--binary-sizes", paramLabel = "LIST", split = ",", defaultValue = "100000,1000000,10000000",
            description = "N of the binary cases. Default: ${DEFAULT-VALUE}.")
    List<Integer> binarySizes;

    @Option(names = "--dense-sizes", paramLabel = "LIST", split = ",",
            description = "N of the dense cases. Default: 100000 on the CPU; 100000,1000000,10000000 on a GPU.")
    List<Integer> denseSizes;

    @Option(names = "--features", paramLabel = "D", description = "Override D of every case.")
    Integer features;

    @Option(names = "--classes", paramLabel = "K", defaultValue = "10", description = "K. Default: ${DEFAULT-VALUE}.")
    int classes;

    @Option(names = "--threads", paramLabel = "LIST", split = ",",
            description = "CPU thread counts to measure, e.g. 1,2. Default: one per processor.")
    List<Integer> threads;

    @Option(names = "--scalar", description = "Measure the CPU engine's scalar paths (no SIMD).")
    boolean scalar;

    @Option(names = "--repetitions", paramLabel = "R", defaultValue = "7",
            description = "Timed evaluations per figure (the median is reported). Default: ${DEFAULT-VALUE}.")
    int repetitions;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "1.0",
            description = "Warm-up time per figure (at least 2 evaluations). Default: ${DEFAULT-VALUE}.")
    double warmupSeconds;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the synthetic data.")
    long seed;

    @Option(names = "--no-train", description = "Skip the end-to-end training of the built-in digits.")
    boolean noTrain;

    @Option(names = "--bandwidth", description = "Also measure the memory read bandwidth (1 thread and all).")
    boolean bandwidth;

    static final String TABLE_HEADER = "%-6s %10s %5s %3s %7s %10s %10s %10s %14s  %s";

    /** One line of the table: fixed-width numbers, then the engine's description as it is. */
    static String tableRow(String kind, int n, int numFeatures, int numClasses, int threads, double median,
                           double min, double max, double samplesPerSecond, String engine) {
        return String.format(Locale.ROOT, "%-6s %10d %5d %3d %7s %10.5f %10.5f %10.5f %14.4g  %s", kind, n,
                numFeatures, numClasses, threads == 0 ? "-" : Integer.toString(threads), median, min, max,
                samplesPerSecond, engine);
    }

    @Override
    int execute() {
        validate();
        String cpuModel = cpuModel();
        int processors = Runtime.getRuntime().availableProcessors();
        boolean cudaAvailable = CudaProbe.result().available();
        String gpu = cudaAvailable ? CudaProbe.result().device().name() : null;
        boolean emulated = cudaAvailable && CudaProbe.result().device().emulated();
        report(String.format(Locale.ROOT, "machine: %s, %d processors; GPU: %s", cpuModel, processors,
                gpu == null ? "none (" + CudaProbe.result().reason() + ")" : CudaProbe.result().device().summary()));
        if (emulated && engines.contains("cuda")) {
            report(EMULATED_NOTE);
        }
        // The engine's description, of any length, comes last, so that the numbers line up whatever it says.
        report(String.format(Locale.ROOT, TABLE_HEADER, "kind", "N", "D", "K", "threads", "median s", "min s",
                "max s", "samples/s", "engine"));
        JsonArray results = new JsonArray();
        for (String name : engines) {
            if (name.equals("cuda") && !cudaAvailable) {
                notice("bench: skipping cuda: " + CudaProbe.result().reason());
                continue;
            }
            List<Integer> threadCounts = name.equals("cpu") ? (threads == null ? List.of(processors) : threads)
                    : List.of(0);
            for (String kind : kinds) {
                boolean binary = kind.equals("binary");
                List<Integer> sizes = binary ? binarySizes : denseSizes != null ? denseSizes
                        : name.equals("cuda") ? List.of(100_000, 1_000_000, 10_000_000) : List.of(100_000);
                int numFeatures = features != null ? features : binary ? 64 : 784;
                for (int n : sizes) {
                    Dataset data = binary ? SyntheticData.binary(n, numFeatures, classes, seed)
                            : SyntheticData.dense(n, numFeatures, classes, seed);
                    var parameters = SyntheticData.parameters(classes, numFeatures, seed + 1);
                    for (int threadCount : threadCounts) {
                        try (Engine engine = open(name, threadCount)) {
                            Throughput.Timing timing = Throughput.measure(engine, data, parameters, repetitions,
                                    warmupSeconds);
                            int usedThreads = engine instanceof CpuEngine cpu ? cpu.threads() : 0;
                            double samplesPerSecond = n / timing.median();
                            report(tableRow(kind, n, numFeatures, classes, usedThreads, timing.median(),
                                    timing.min(), timing.max(), samplesPerSecond, engine.description()));
                            JsonObject result = new JsonObject();
                            result.addProperty("engine", engine.name());
                            result.addProperty("engine_description", engine.description());
                            result.addProperty("kind", kind);
                            result.addProperty("n", n);
                            result.addProperty("d", numFeatures);
                            result.addProperty("k", classes);
                            result.addProperty("threads", usedThreads);
                            result.addProperty("repetitions", repetitions);
                            result.add("median_s", Json.number(timing.median()));
                            result.add("min_s", Json.number(timing.min()));
                            result.add("max_s", Json.number(timing.max()));
                            result.add("samples_per_s", Json.number(samplesPerSecond));
                            result.addProperty("device", engine.deviceSummary());
                            result.addProperty("cpu_model", cpuModel);
                            if (engine.name().equals("cuda")) {
                                result.addProperty("gpu", gpu);
                                result.addProperty("emulated", emulated);
                            }
                            results.add(result);
                        }
                    }
                }
            }
        }
        JsonObject json = new JsonObject();
        json.addProperty("command", "bench");
        json.addProperty("cpu_model", cpuModel);
        json.addProperty("processors", processors);
        json.addProperty("gpu", gpu);
        json.addProperty("emulated", emulated);
        json.add("results", results);
        if (!noTrain) {
            json.add("train_digits", trainDigits());
        }
        if (emulated && engines.contains("cuda")) {
            report(EMULATED_NOTE);
        }
        if (bandwidth) {
            JsonObject memory = new JsonObject();
            for (int threadCount : processors == 1 ? List.of(1) : List.of(1, processors)) {
                double bytesPerSecond;
                try {
                    bytesPerSecond = Throughput.readBandwidth(threadCount);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while measuring bandwidth", e);
                }
                report(String.format(Locale.ROOT, "memory read bandwidth, %d thread%s: %.2f GB/s", threadCount,
                        threadCount == 1 ? "" : "s", bytesPerSecond / 1e9));
                memory.add("read_gb_per_s_" + threadCount + "_threads", Json.number(bytesPerSecond / 1e9));
            }
            json.add("memory", memory);
        }
        printJson(json);
        return ExitCodes.OK;
    }

    private Engine open(String name, int threadCount) {
        if (name.equals("cpu")) {
            return new CpuEngine(threadCount, !scalar);
        }
        return Backend.CUDA.open(0, this::notice);
    }

    /** End to end: the default training of the built-in digits, in-process, after one warm-up run. */
    private JsonObject trainDigits() {
        Split split = Splits.stratified(BuiltinDigits.load(BuiltinDigits.DEFAULT_THRESHOLD), 0.2, 1);
        JsonObject result = new JsonObject();
        try (Engine engine = Backend.AUTO.open(0, this::notice); Evaluator evaluator = engine.bind(split.train())) {
            Trainer trainer = new Trainer(TrainingOptions.defaults());
            Parameters zero = new Parameters(split.train().numClasses(), split.train().numFeatures());
            trainer.train(engine, evaluator, null, null, zero, TrainingListener.NONE);
            double[] seconds = new double[3];
            TrainingResult last = null;
            for (int r = 0; r < seconds.length; r++) {
                long start = System.nanoTime();
                last = trainer.train(engine, evaluator, null, null, zero, TrainingListener.NONE);
                seconds[r] = (System.nanoTime() - start) / 1e9;
            }
            Arrays.sort(seconds);
            report(String.format(Locale.ROOT, "train built-in digits (defaults), %s: median %.3f s (min %.3f, max "
                            + "%.3f) for %d iterations, %s", engine.description(), seconds[1], seconds[0], seconds[2],
                    last.iterations(), last.stopReason().id()));
            result.addProperty("engine", engine.name());
            result.addProperty("engine_description", engine.description());
            result.addProperty("device", engine.deviceSummary());
            if (engine.name().equals("cuda")) {
                result.addProperty("emulated", CudaProbe.result().device().emulated());
            }
            result.add("median_s", Json.number(seconds[1]));
            result.add("min_s", Json.number(seconds[0]));
            result.add("max_s", Json.number(seconds[2]));
            result.addProperty("iterations", last.iterations());
            result.addProperty("stop_reason", last.stopReason().id());
        }
        return result;
    }

    private void validate() {
        for (String name : engines) {
            if (!name.equals("cpu") && !name.equals("cuda")) {
                throw new InputException("--engines has \"" + name + "\", expected cpu and/or cuda");
            }
        }
        for (String kind : kinds) {
            if (!kind.equals("binary") && !kind.equals("dense")) {
                throw new InputException("--kinds has \"" + kind + "\", expected binary and/or dense");
            }
        }
        List<Integer> all = new ArrayList<>(binarySizes);
        if (denseSizes != null) {
            all.addAll(denseSizes);
        }
        for (int n : all) {
            if (n < 1) {
                throw new InputException("a size is " + n + ", expected at least 1");
            }
        }
        if (threads != null) {
            for (int t : threads) {
                if (t < 1) {
                    throw new InputException("--threads has " + t + ", expected at least 1");
                }
            }
        }
        if (features != null && features < 1) {
            throw new InputException("--features is " + features + ", expected at least 1");
        }
        if (classes < 2) {
            throw new InputException("--classes is " + classes + ", expected at least 2");
        }
        if (repetitions < 1) {
            throw new InputException("--repetitions is " + repetitions + ", expected at least 1");
        }
        if (!(warmupSeconds >= 0)) {
            throw new InputException("--warmup is " + warmupSeconds + ", expected seconds >= 0");
        }
    }

    /** The processor's model name from /proc/cpuinfo, or os.arch where there is none. */
    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: fall through.
        }
        return System.getProperty("os.arch");
    }
}
