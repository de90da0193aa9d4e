package org.softmax4j.engine.cuda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.engine.Parameters;

/**
 * The GPU half of issue 5, kernel by kernel: CUDA-event times of the fused kernels, the final reduction and the two
 * together (one evaluation's device work), on device-resident random data, next to the limits measured or counted in
 * the same run. Run by scripts/gpu-check.sh; arguments {@code [--quick] [--json PATH] [--budget-s SECONDS]}.
 *
 * <p>Timing. Each timed launch is queued behind a {@value #BLOCKER_BYTES}-byte device-to-device copy on the same
 * (default) stream, then bracketed by cuEventRecord: the launch is already queued when the start event fires, so the
 * time is the GPU's alone, without JCuda's launch latency (which would dominate the ~10 µs reduction), and the copy
 * leaves the L2 cache cold, as a real evaluation finds it. {@value #WARM_UP} warm-ups, then the median (min, max) of
 * {@value #RUNS}.
 *
 * <p>Limits. Copy bandwidth: cuMemcpyDtoD of {@value #COPY_BYTES} bytes, counting bytes read plus written, timed the
 * same way. FP32: {@value #FP32_TFLOPS} TFLOP/s (H200 datasheet, docs/GPU-FACTS.md; an FMA is 2 flop, so a plain add or
 * multiply runs at half that). Per case: the memory floor (X and labels read once over the copy bandwidth), the FP32
 * floor of the dense-equivalent work (4·D·K flop per sample), and for binary rows the bit-sparse floor (2·s·K adds per
 * sample for s set bits: W's rows added for the set bits, and r added into G's rows for them).
 *
 * <p>Checks, per case (correctness proper is the JUnit tests' job): the sums are finite, L/N is within 0.5 of
 * −ln K (W is small), the correct count is within [0, N], the bias gradient sums to ~0 over classes (residuals sum to 0
 * per row), and the result after the timed runs is bitwise the one after the warm-up. A failed check exits 1.
 */
public final class CudaKernelTiming {
    static final int WARM_UP = 3;
    static final int RUNS = 11;
    static final long BLOCKER_BYTES = 1L << 30;
    static final long COPY_BYTES = 4L << 30;
    static final double FP32_TFLOPS = 67.0;
    static final int NUM_CLASSES = 10;
    static final int BINARY_FEATURES = 64;
    static final int DENSE_FEATURES = 784;
    /** Target of issue 5: one binary evaluation at N = 10^8 in at most this many ms. */
    static final double BINARY_TARGET_MS = 10.0;
    /** Target of issue 5: dense N = 10^7 at least this fraction of the bandwidth floor (X bytes / copy bandwidth). */
    static final double DENSE_TARGET_FRACTION = 0.70;

    private final CudaDevice device;
    private final Kernels kernels;
    private final CUevent start = new CUevent();
    private final CUevent stop = new CUevent();
    private final DeviceBuffer blockerSource;
    private final DeviceBuffer blockerTarget;
    private final JsonObject json = new JsonObject();
    private final JsonArray cases = new JsonArray();
    private final Path jsonPath;
    private final long deadlineNanos;
    private double copyBandwidth = Double.NaN;
    private int failures;

    private CudaKernelTiming(CudaDevice device, Path jsonPath, double budgetSeconds) {
        this.device = device;
        this.kernels = device.kernels();
        this.jsonPath = jsonPath;
        this.deadlineNanos = System.nanoTime() + (long) (budgetSeconds * 1e9);
        device.makeCurrent();
        Driver.check("cuEventCreate(start)", JCudaDriver.cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT));
        Driver.check("cuEventCreate(stop)", JCudaDriver.cuEventCreate(stop, CUevent_flags.CU_EVENT_DEFAULT));
        blockerSource = DeviceBuffer.allocate("timing blocker source", BLOCKER_BYTES);
        blockerTarget = DeviceBuffer.allocate("timing blocker target", BLOCKER_BYTES);
        blockerSource.fill32(0x3f800000);
    }

    public static void main(String[] args) {
        boolean quick = false;
        Path jsonPath = null;
        double budget = 300;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--json" -> jsonPath = Path.of(args[++i]);
                case "--budget-s" -> budget = Double.parseDouble(args[++i]);
                default -> {
                    System.err.println("usage: CudaKernelTiming [--quick] [--json PATH] [--budget-s SECONDS]");
                    System.exit(2);
                }
            }
        }
        CudaProbe.Result probe = CudaProbe.result();
        if (!probe.available()) {
            System.out.println("no usable GPU: " + probe.reason());
            System.exit(2);
        }
        CudaKernelTiming timing = new CudaKernelTiming(probe.device(), jsonPath, budget);
        int status = timing.run(probe, quick);
        try {
            timing.close();
        } catch (RuntimeException e) {
            System.out.println("FAIL closing: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }

    private int run(CudaProbe.Result probe, boolean quick) {
        json.addProperty("device", probe.summary());
        json.addProperty("name", device.name());
        json.addProperty("compute_capability", device.computeCapability());
        json.addProperty("multiprocessors", device.multiprocessors());
        json.addProperty("driver", device.driverVersion());
        json.addProperty("fused_grid_blocks", kernels.fusedGridSize());
        json.addProperty("block_threads", Kernels.BLOCK_SIZE);
        json.addProperty("warm_up", WARM_UP);
        json.addProperty("runs", RUNS);
        json.addProperty("quick", quick);
        json.addProperty("fp32_tflop_s", FP32_TFLOPS);
        json.addProperty("fp32_source", "H200 datasheet (docs/GPU-FACTS.md), not measured; FMA = 2 flop");
        json.addProperty("bit_density", RandomDeviceData.BIT_DENSITY);
        json.add("cases", cases);
        System.out.println("device: " + probe.summary());
        System.out.printf(Locale.ROOT, "fused grid: %d blocks x %d threads; %d warm-ups, median of %d; each timed "
                        + "launch queued behind a %d MiB copy (GPU time only, cold L2)%n", kernels.fusedGridSize(),
                Kernels.BLOCK_SIZE, WARM_UP, RUNS, BLOCKER_BYTES >> 20);

        // On the CUDA emulator (gpu-check.sh's dry run) tiny sizes: the point there is that every step runs to its end.
        boolean emulated = probe.device().emulated();
        measureCopyBandwidth(emulated ? 64L << 20 : quick ? 1L << 30 : COPY_BYTES);
        writeJson();

        System.out.println();
        System.out.println("columns: samples/s = N / median; GB/s = bytes of X + labels (4 B each) read once / median;"
                + " %copy = GB/s over the copy bandwidth above;");
        System.out.println("  GF/s 4DK = the dense-equivalent 4*D*K flop per sample (logits 2DK + gradient 2DK) / median;"
                + " GF/s done = the flop the kernel really executes:");
        System.out.println("    binary: " + Work.of(true, 1, BINARY_FEATURES, NUM_CLASSES, 1).doneWhat
                + "; dense: " + Work.of(false, 1, DENSE_FEATURES, NUM_CLASSES, 1).doneWhat);
        System.out.printf(Locale.ROOT, "  floors (ms): mem = bytes of X + labels / copy bandwidth; fp32 = 4*D*K*N /"
                + " %.0f TFLOP/s; sparse (binary) = 2*%.3f*D*K + 5K adds per sample at %.1f T adds/s%n",
                FP32_TFLOPS, RandomDeviceData.BIT_DENSITY, FP32_TFLOPS / 2);
        System.out.println("  reduce_partials: bytes = (grid + 1) * (K*D + K + 2) doubles, flop = grid * (K*D + K + 2)"
                + " adds; fused+reduce = one evaluation's device work (W, b upload and the read-back excluded)");
        System.out.printf(Locale.ROOT, "%-20s %10s %4s %3s %9s %9s %9s %10s %8s %6s %9s %9s %9s %9s %9s%n",
                "kernel", "N", "D", "K", "med ms", "min ms", "max ms", "samples/s", "GB/s", "%copy",
                "GF/s 4DK", "GF/s done", "mem fl ms", "fp32 fl ms", "sparse ms");
        long[] binarySizes = emulated ? new long[]{20_000}
                : quick ? new long[]{100_000, 1_000_000} : new long[]{1_000_000, 10_000_000, 100_000_000};
        long[] denseSizes = emulated ? new long[]{5_000}
                : quick ? new long[]{100_000} : new long[]{1_000_000, 10_000_000};
        for (long n : binarySizes) {
            runCase(true, n, BINARY_FEATURES);
        }
        for (long n : denseSizes) {
            runCase(false, n, DENSE_FEATURES);
        }
        targets(quick);
        writeJson();
        System.out.println(failures == 0 ? "kernel timing: all checks passed"
                : "kernel timing: " + failures + " check(s) FAILED");
        return failures == 0 ? 0 : 1;
    }

    // ------------------------------------------------------------------------------------------------- limits

    private void measureCopyBandwidth(long bytes) {
        JsonObject copy = new JsonObject();
        copy.addProperty("bytes", bytes);
        try (DeviceBuffer source = DeviceBuffer.allocate("copy source", bytes);
             DeviceBuffer target = DeviceBuffer.allocate("copy target", bytes)) {
            source.fill32(0x12345678);
            double[] ms = time(() -> Driver.check("cuMemcpyDtoDAsync(copy bandwidth)",
                    JCudaDriver.cuMemcpyDtoDAsync(target.pointer(), source.pointer(), bytes, (CUstream) null)));
            double median = median(ms);
            copyBandwidth = 2.0 * bytes / (median / 1e3);
            copy.addProperty("median_ms", median);
            copy.addProperty("min_ms", min(ms));
            copy.addProperty("max_ms", max(ms));
            copy.addProperty("gb_s_read_plus_write", copyBandwidth / 1e9);
            System.out.printf(Locale.ROOT, "copy bandwidth: cuMemcpyDtoD of %.2f GiB in %.3f ms (median; min %.3f, "
                            + "max %.3f) = %.0f GB/s counting bytes read + written%n", bytes / (double) (1L << 30),
                    median, min(ms), max(ms), copyBandwidth / 1e9);
        } catch (RuntimeException e) {
            failures++;
            copy.addProperty("error", String.valueOf(e.getMessage()));
            copyBandwidth = 4.3e12;
            System.out.println("FAIL copy bandwidth: " + e.getMessage() + " (using the 4.3 TB/s of docs/GPU-FACTS.md instead)");
        }
        copy.addProperty("used_gb_s", copyBandwidth / 1e9);
        json.add("copy", copy);
        System.out.printf(Locale.ROOT, "FP32: %.1f TFLOP/s (datasheet; FMA = 2 flop, a plain add %.1f T/s)%n",
                FP32_TFLOPS, FP32_TFLOPS / 2);
    }

    // -------------------------------------------------------------------------------------------------- cases

    /** One data size: generate, time fused / reduce / both, check, report. Failures are recorded, not thrown. */
    private void runCase(boolean binary, long n, int d) {
        int k = NUM_CLASSES;
        String kind = binary ? "binary" : "dense";
        int wordsPerRow = BinaryDataset.wordsPerRow(d);
        long rowBytes = binary ? (long) wordsPerRow * Long.BYTES : (long) d * Float.BYTES;
        long xBytes = n * rowBytes;
        long labelBytes = n * Integer.BYTES;
        int grid = kernels.fusedGridSize();
        int width = k * d + k + 2;
        long partialBytes = (long) grid * width * Sizeof.DOUBLE;
        JsonObject entry = new JsonObject();
        entry.addProperty("kind", kind);
        entry.addProperty("n", n);
        entry.addProperty("d", d);
        entry.addProperty("k", k);
        entry.addProperty("x_bytes", xBytes);
        entry.addProperty("label_bytes", labelBytes);
        cases.add(entry);
        String name = kind + " N=" + n;

        // Generation and upload run at ~1-3 GB/s of host data; leave room for them and the launches.
        double secondsLeft = (deadlineNanos - System.nanoTime()) / 1e9;
        double secondsNeeded = 5 + (xBytes + labelBytes) / 1e9;
        if (secondsLeft < secondsNeeded) {
            skip(entry, name, String.format(Locale.ROOT, "out of time (%.0f s left, ~%.0f s needed)", secondsLeft,
                    secondsNeeded));
            return;
        }
        long free;
        try {
            free = device.memoryInfo()[0];
        } catch (RuntimeException e) {  // a sticky error of an earlier case: every later call fails the same way
            failures++;
            entry.addProperty("error", String.valueOf(e.getMessage()));
            System.out.println("FAIL " + name + ": " + e);
            writeJson();
            return;
        }
        long needed = xBytes + labelBytes + partialBytes + (1L << 30);
        if (free < needed) {
            skip(entry, name, "needs " + DeviceMemoryException.bytes(needed) + " of device memory, "
                    + DeviceMemoryException.bytes(free) + " free");
            return;
        }
        if (n > Integer.MAX_VALUE) {
            skip(entry, name, "N above 2^31 - 1: the kernels take an int count");
            return;
        }
        Parameters parameters = Parameters.random(k, d, 0.01, 2);
        try (DeviceBuffer x = DeviceBuffer.allocate(kind + " rows", xBytes);
             DeviceBuffer labels = DeviceBuffer.allocate("labels", labelBytes);
             DeviceBuffer w = DeviceBuffer.allocate("W", (long) k * d * Sizeof.FLOAT);
             DeviceBuffer b = DeviceBuffer.allocate("b", (long) k * Sizeof.FLOAT);
             DeviceBuffer partials = DeviceBuffer.allocate("partials", partialBytes);
             DeviceBuffer out = DeviceBuffer.allocate("sums", (long) width * Sizeof.DOUBLE)) {
            long generation = System.nanoTime();
            long seed = (binary ? 1000 : 2000) + n;
            if (binary) {
                RandomDeviceData.words(x, n * wordsPerRow, seed);
            } else {
                RandomDeviceData.uniformFloats(x, n * d, seed);
            }
            RandomDeviceData.labels(labels, n, k, seed + 1);
            w.upload(Pointer.to(parameters.weights()), 0, (long) k * d * Sizeof.FLOAT);
            b.upload(Pointer.to(parameters.bias()), 0, (long) k * Sizeof.FLOAT);
            partials.fill32(0x7fc00000);  // NaN: a block that writes nothing shows in the sums
            out.fill32(0x7fc00000);
            double generationSeconds = (System.nanoTime() - generation) / 1e9;
            entry.addProperty("generation_s", generationSeconds);

            int count = (int) n;
            Runnable fused = binary
                    ? () -> kernels.fusedBinary(x.address(), wordsPerRow, labels.address(), 0, 0, 0, count,
                    w.address(), b.address(), d, k, partials.address())
                    : () -> kernels.fusedDense(x.address(), labels.address(), 0, 0, 0, count, w.address(),
                    b.address(), d, k, partials.address());
            Runnable reduce = () -> kernels.reducePartials(partials.address(), grid, width, out.address());
            Runnable evaluation = () -> {
                fused.run();
                reduce.run();
            };

            for (int i = 0; i < WARM_UP; i++) {
                evaluation.run();
            }
            device.synchronize();
            double[] first = new double[width];
            out.download(Pointer.to(first), 0, (long) width * Sizeof.DOUBLE);

            double[] fusedMs = time(fused);
            double[] reduceMs = time(reduce);
            double[] evaluationMs = time(evaluation);
            double[] last = new double[width];
            out.download(Pointer.to(last), 0, (long) width * Sizeof.DOUBLE);

            Work work = Work.of(binary, n, d, k, grid);
            String fusedName = binary ? "fused_binary" : "fused_dense";
            entry.add("fused", report(fusedName, n, d, k, fusedMs, work.bytes, work.denseFlop, work.doneFlop,
                    work));
            entry.add("reduce", report("reduce_partials", n, d, k, reduceMs, work.reduceBytes, Double.NaN,
                    work.reduceFlop, null));
            entry.add("evaluation", report(fusedName + "+reduce", n, d, k, evaluationMs, work.bytes,
                    work.denseFlop, work.doneFlop + work.reduceFlop, work));
            entry.addProperty("x_floor_ms", xBytes / copyBandwidth * 1e3);
            entry.addProperty("flop_per_sample_dense_equivalent", work.denseFlop / n);
            entry.addProperty("flop_per_sample_done", work.doneFlop / n);
            entry.addProperty("flop_done_counts", work.doneWhat);
            if (binary) {
                entry.addProperty("flop_per_sample_bit_sparse", work.sparseAdds / n);
            }
            check(entry, name, first, last, n, d, k);
            System.out.printf(Locale.ROOT, "  (%s: data generated and uploaded in %.1f s; L/N = %.5f, correct %.0f)%n",
                    name, generationSeconds, last[width - 2] / n, last[width - 1]);
        } catch (RuntimeException e) {
            failures++;
            entry.addProperty("error", String.valueOf(e.getMessage()));
            System.out.println("FAIL " + name + ": " + e);
        }
        writeJson();
    }

    private void skip(JsonObject entry, String name, String reason) {
        entry.addProperty("skipped", reason);
        System.out.println("SKIP " + name + ": " + reason);
        writeJson();
    }

    /**
     * What one evaluation must move and compute, counted from cuda/fused.cu (T = 256 rows per tile, KP = K rounded up
     * to 4: the float4 lanes past K are executed too, so they are counted; exp counts as 1 flop).
     */
    private record Work(boolean binary, double bytes, double denseFlop, double doneFlop, double sparseAdds, double reduceBytes,
                        double reduceFlop, String doneWhat) {
        static Work of(boolean binary, long n, int d, int k, int grid) {
            int t = Kernels.BLOCK_SIZE;
            int kp = (k + 3) & ~3;
            double softmax = 5.0 * k;  // max, subtract, exp, sum, scale
            double bytes = binary ? n * (BinaryDataset.wordsPerRow(d) * 8.0 + 4) : n * (d * 4.0 + 4);
            double dense = 4.0 * d * k * n;
            double done;
            String what;
            if (binary) {
                // logits: D/4 nibble lookups of KP floats; gradient: D/4 bin updates of KP floats; per tile the
                // spread (8 double adds per entry) and the add into the partials (1): 9·D·K/T per sample; bias KP.
                done = n * (2.0 * (d / 4.0) * kp + 9.0 * d * k / t + kp + softmax);
                what = "nibble tables: 2*(D/4)*KP float adds + 9*D*K/T double adds + KP + 5K per sample";
            } else {
                // phase A: D·K FMAs; phase B: D·KP FMAs (float4 owners); per tile D·K double adds; bias KP.
                done = n * (2.0 * d * k + 2.0 * d * kp + (double) d * k / t + kp + softmax);
                what = "2*D*K (logits FMA) + 2*D*KP (gradient FMA) + D*K/T double adds + KP + 5K per sample";
            }
            double sparse = !binary ? Double.NaN : n * (2.0 * RandomDeviceData.BIT_DENSITY * d * k + softmax);
            int width = k * d + k + 2;
            double reduceBytes = ((double) grid + 1) * width * 8;
            double reduceFlop = (double) grid * width;
            return new Work(binary, bytes, dense, done, sparse, reduceBytes, reduceFlop, what);
        }
    }

    /** Prints one row of the table and returns it as JSON. {@code work} null: no per-sample columns (reduce). */
    private JsonObject report(String kernel, long n, int d, int k, double[] ms, double bytes, double denseFlop,
                              double doneFlop, Work work) {
        double median = median(ms);
        double seconds = median / 1e3;
        double gbs = bytes / seconds / 1e9;
        double memoryFloorMs = bytes / copyBandwidth * 1e3;
        double fp32FloorMs = work == null ? Double.NaN : denseFlop / (FP32_TFLOPS * 1e12) * 1e3;
        double sparseFloorMs = work == null || !work.binary ? Double.NaN
                : work.sparseAdds / (FP32_TFLOPS / 2 * 1e12) * 1e3;
        JsonObject row = new JsonObject();
        row.addProperty("kernel", kernel);
        row.addProperty("median_ms", median);
        row.addProperty("min_ms", min(ms));
        row.addProperty("max_ms", max(ms));
        JsonArray all = new JsonArray();
        for (double value : ms) {
            all.add(value);
        }
        row.add("all_ms", all);
        row.addProperty("bytes", bytes);
        row.addProperty("gb_s", gbs);
        row.addProperty("fraction_of_copy_bandwidth", gbs * 1e9 / copyBandwidth);
        row.addProperty("memory_floor_ms", memoryFloorMs);
        if (work != null) {
            row.addProperty("samples_per_s", n / seconds);
            row.addProperty("gflop_s_dense_equivalent", denseFlop / seconds / 1e9);
            row.addProperty("fraction_of_fp32_dense_equivalent", denseFlop / seconds / (FP32_TFLOPS * 1e12));
            row.addProperty("fp32_floor_ms", fp32FloorMs);
            if (!Double.isNaN(sparseFloorMs)) {
                row.addProperty("bit_sparse_floor_ms", sparseFloorMs);
            }
        }
        row.addProperty("gflop_s_done", doneFlop / seconds / 1e9);
        System.out.printf(Locale.ROOT, "%-20s %10d %4d %3d %9.4f %9.4f %9.4f %10s %8.1f %5.1f%% %9s %9.1f %9.4f %9s "
                        + "%9s%n", kernel, n, d, k, median, min(ms), max(ms),
                work == null ? "-" : String.format(Locale.ROOT, "%.3e", n / seconds), gbs,
                100 * gbs * 1e9 / copyBandwidth,
                work == null ? "-" : String.format(Locale.ROOT, "%.1f", denseFlop / seconds / 1e9),
                doneFlop / seconds / 1e9, memoryFloorMs,
                Double.isNaN(fp32FloorMs) ? "-" : String.format(Locale.ROOT, "%.4f", fp32FloorMs),
                Double.isNaN(sparseFloorMs) ? "-" : String.format(Locale.ROOT, "%.4f", sparseFloorMs));
        return row;
    }

    private void check(JsonObject entry, String name, double[] first, double[] last, long n, int d, int k) {
        List<String> problems = new ArrayList<>();
        int width = last.length;
        for (int i = 0; i < width; i++) {
            if (!Double.isFinite(last[i])) {
                problems.add("sum " + i + " is " + last[i]);
                break;
            }
        }
        double perSample = last[width - 2] / n;
        if (!(Math.abs(perSample + Math.log(k)) < 0.5)) {
            problems.add(String.format(Locale.ROOT, "L/N is %.5f, expected within 0.5 of -ln K = %.5f", perSample,
                    -Math.log(k)));
        }
        double correct = last[width - 1];
        if (!(correct >= 0 && correct <= n && correct == Math.rint(correct))) {
            problems.add("correct count is " + correct + ", expected an integer in [0, " + n + "]");
        }
        double biasSum = 0;
        for (int c = 0; c < k; c++) {
            biasSum += last[k * d + c];
        }
        if (!(Math.abs(biasSum) <= 1e-5 * n)) {
            problems.add("the bias gradient sums to " + biasSum + " over classes, expected ~0 (at most 1e-5 N)");
        }
        if (!Arrays.equals(first, last)) {
            int i = 0;
            while (i < width && Double.doubleToRawLongBits(first[i]) == Double.doubleToRawLongBits(last[i])) {
                i++;
            }
            problems.add("not bitwise repeatable: sum " + i + " was " + first[i] + " after the warm-up, "
                    + last[i] + " after the timed runs");
        }
        JsonArray list = new JsonArray();
        problems.forEach(list::add);
        entry.add("check_failures", list);
        entry.addProperty("log_likelihood", last[width - 2]);
        entry.addProperty("correct", correct);
        if (!problems.isEmpty()) {
            failures++;
            System.out.println("FAIL check " + name + ": " + String.join("; ", problems));
        }
    }

    // ------------------------------------------------------------------------------------------------ targets

    private void targets(boolean quick) {
        JsonArray targets = new JsonArray();
        System.out.println();
        JsonObject binary = findCase("binary", 100_000_000);
        JsonObject target = new JsonObject();
        target.addProperty("name", "binary D=64 K=10 N=1e8: one evaluation (fused + reduce) <= 10 ms");
        target.addProperty("limit_ms", BINARY_TARGET_MS);
        if (binary != null && binary.has("evaluation")) {
            double ms = binary.getAsJsonObject("evaluation").get("median_ms").getAsDouble();
            target.addProperty("value_ms", ms);
            target.addProperty("pass", ms <= BINARY_TARGET_MS);
            System.out.printf(Locale.ROOT, "TARGET %s: %.3f ms (%.3e samples/s; dense-FP32 floor %.3f ms, "
                            + "bit-sparse floor %.3f ms, memory floor %.3f ms) %s%n", target.get("name").getAsString(),
                    ms, 1e8 / (ms / 1e3),
                    binary.getAsJsonObject("evaluation").get("fp32_floor_ms").getAsDouble(),
                    binary.getAsJsonObject("evaluation").get("bit_sparse_floor_ms").getAsDouble(),
                    binary.getAsJsonObject("evaluation").get("memory_floor_ms").getAsDouble(),
                    ms <= BINARY_TARGET_MS ? "PASS" : "FAIL");
        } else {
            notMeasured(target, quick);
        }
        targets.add(target);

        JsonObject dense = findCase("dense", 10_000_000);
        target = new JsonObject();
        target.addProperty("name", "dense D=784 K=10 N=1e7: >= 70% of the bandwidth floor (X bytes / copy bandwidth)");
        target.addProperty("limit_fraction", DENSE_TARGET_FRACTION);
        if (dense != null && dense.has("evaluation")) {
            double ms = dense.getAsJsonObject("evaluation").get("median_ms").getAsDouble();
            double floor = dense.get("x_floor_ms").getAsDouble();
            double fraction = floor / ms;
            target.addProperty("value_ms", ms);
            target.addProperty("floor_ms", floor);
            target.addProperty("fraction", fraction);
            target.addProperty("pass", fraction >= DENSE_TARGET_FRACTION);
            System.out.printf(Locale.ROOT, "TARGET %s: %.3f ms against a floor of %.3f ms = %.1f%% %s%n",
                    target.get("name").getAsString(), ms, floor, 100 * fraction,
                    fraction >= DENSE_TARGET_FRACTION ? "PASS" : "FAIL");
        } else {
            notMeasured(target, quick);
        }
        targets.add(target);
        json.add("targets", targets);
    }

    private static void notMeasured(JsonObject target, boolean quick) {
        String reason = quick ? "not measured (--quick)" : "not measured (skipped or failed: see above)";
        target.addProperty("not_measured", reason);
        System.out.println("TARGET " + target.get("name").getAsString() + ": " + reason.toUpperCase(Locale.ROOT));
    }

    private JsonObject findCase(String kind, long n) {
        for (var element : cases) {
            JsonObject entry = element.getAsJsonObject();
            if (entry.get("kind").getAsString().equals(kind) && entry.get("n").getAsLong() == n) {
                return entry;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------------- timing

    /** {@value #WARM_UP} warm-ups, then {@value #RUNS} event-timed runs, each queued behind the blocker copy. */
    private double[] time(Runnable launches) {
        for (int i = 0; i < WARM_UP; i++) {
            launches.run();
        }
        device.synchronize();
        double[] ms = new double[RUNS];
        float[] elapsed = new float[1];
        for (int i = 0; i < RUNS; i++) {
            Driver.check("cuMemcpyDtoDAsync(timing blocker)", JCudaDriver.cuMemcpyDtoDAsync(blockerTarget.pointer(),
                    blockerSource.pointer(), BLOCKER_BYTES, (CUstream) null));
            Driver.check("cuEventRecord(start)", JCudaDriver.cuEventRecord(start, (CUstream) null));
            launches.run();
            Driver.check("cuEventRecord(stop)", JCudaDriver.cuEventRecord(stop, (CUstream) null));
            Driver.check("cuEventSynchronize(stop)", JCudaDriver.cuEventSynchronize(stop));
            Driver.check("cuEventElapsedTime", JCudaDriver.cuEventElapsedTime(elapsed, start, stop));
            ms[i] = elapsed[0];
        }
        return ms;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    /** Rewrites the JSON file whole (through a temporary file), so that a run cut short still leaves valid JSON. */
    private void writeJson() {
        if (jsonPath == null) {
            return;
        }
        try {
            Path temporary = jsonPath.resolveSibling(jsonPath.getFileName() + ".tmp");
            Files.writeString(temporary, new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
                    .create().toJson(json), StandardCharsets.UTF_8);
            Files.move(temporary, jsonPath, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + jsonPath, e);
        }
    }

    /** Frees the blocker buffers and the events. */
    private void close() {
        device.makeCurrent();
        blockerSource.close();
        blockerTarget.close();
        Driver.check("cuEventDestroy(start)", JCudaDriver.cuEventDestroy(start));
        Driver.check("cuEventDestroy(stop)", JCudaDriver.cuEventDestroy(stop));
    }
}
