package org.softmax4j.engine;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

import org.softmax4j.engine.cpu.CpuEngine;
import org.softmax4j.engine.cuda.CudaDevice;
import org.softmax4j.engine.cuda.CudaEngine;
import org.softmax4j.engine.cuda.CudaProbe;

/** The choice of {@code --backend}: {@code auto}, {@code cpu} or {@code cuda}. */
public enum Backend {
    AUTO, CPU, CUDA;

    /**
     * What each back end can do on this machine, for {@code info}.
     *
     * @param device   what it computes on ({@link Engine#deviceSummary()}); null when not available
     * @param emulated whether the device is the CUDA emulator (its speeds are not GPU figures)
     */
    public record Status(String name, boolean available, String detail, String device, boolean emulated) {
    }

    public static Backend parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("backend is \"" + text + "\", expected auto, cpu or cuda");
        }
    }

    /** As {@link #open(int, Consumer)}, with the engines' notices dropped. */
    public Engine open(int threads) {
        return open(threads, line -> { });
    }

    /**
     * Opens the engine this choice means here. {@code cuda} fails with {@link BackendUnavailableException} when the
     * CUDA engine is not usable (no device, or its context made unusable by a sticky error). {@code auto} is the CPU
     * engine when it is not usable; otherwise an engine that binds on the GPU and falls back to the CPU, with one
     * notice, for work the CUDA engine cannot take (weighted examples; a data set too large for the device even
     * streamed; a context that became unusable): see {@link AutoEngine}.
     *
     * @param threads CPU threads, or 0 for one per available processor: the CPU engine's, and those of every engine's
     *                double-precision evaluator ({@link Engine#bindDoublePrecision})
     * @param notices receives one-line notices for people: a data set streamed to the GPU, auto falling back
     */
    public Engine open(int threads, Consumer<String> notices) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads is " + threads + ", expected 0 (all processors) or more");
        }
        Objects.requireNonNull(notices, "notices");
        return switch (this) {
            case CUDA -> CudaEngine.open(threads, notices);
            case AUTO -> CudaProbe.result().available() ? auto(threads, notices) : cpu(threads);
            case CPU -> cpu(threads);
        };
    }

    private static Engine auto(int threads, Consumer<String> notices) {
        CudaEngine cuda = CudaEngine.open(threads, notices);
        return new AutoEngine(cuda, cuda.device()::unusableReason, () -> cpu(threads), notices);
    }

    private static Engine cpu(int threads) {
        return threads == 0 ? new CpuEngine() : new CpuEngine(threads);
    }

    /** Why the CUDA engine cannot run here (the probe's reason), or null when it can. Probes on first use. */
    public static String cudaUnavailableReason() {
        CudaProbe.Result probe = CudaProbe.result();
        return probe.available() ? null : probe.reason();
    }

    public static List<Status> statuses() {
        int processors = Runtime.getRuntime().availableProcessors();
        CudaProbe.Result probe = CudaProbe.result();
        Status cuda;
        if (probe.available()) {
            CudaDevice device = probe.device();
            cuda = new Status("cuda", true, device.summary() + "; kernels: " + device.kernelImage()
                    + "; dense logits of the unfused path: " + (device.cublasAvailable() ? "cuBLAS"
                    : "own kernel (cuBLAS: " + device.cublasStatus() + ")")
                    + (device.syncLaunches() ? "; every launch synchronised" : "")
                    + (device.emulated() ? "; an emulator on the CPU: its speeds are not GPU figures" : ""),
                    device.summary(), device.emulated());
        } else {
            cuda = new Status("cuda", false, probe.reason(), null, false);
        }
        return List.of(new Status("cpu", true, "pure Java, " + processors + " processors available, "
                + org.softmax4j.engine.cpu.Vectors.describe(), "CPU, " + processors + " threads", false), cuda);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
