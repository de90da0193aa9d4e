package org.softmax4j.engine;

import java.util.List;
import java.util.Locale;

import org.softmax4j.engine.cpu.CpuEngine;
import org.softmax4j.engine.cuda.CudaDevice;
import org.softmax4j.engine.cuda.CudaEngine;
import org.softmax4j.engine.cuda.CudaProbe;

/** The choice of {@code --backend}: {@code auto}, {@code cpu} or {@code cuda}. */
public enum Backend {
    AUTO, CPU, CUDA;

    /** What each back end can do on this machine, for {@code info}. */
    public record Status(String name, boolean available, String detail) {
    }

    public static Backend parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("backend is \"" + text + "\", expected auto, cpu or cuda");
        }
    }

    /**
     * Opens the engine this choice means here. {@code auto} is the CUDA engine when it is usable, otherwise the CPU
     * engine; {@code cuda} fails with {@link BackendUnavailableException} when it is not usable.
     *
     * @param threads CPU threads, or 0 for one per available processor
     */
    public Engine open(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads is " + threads + ", expected 0 (all processors) or more");
        }
        return switch (this) {
            case CUDA -> CudaEngine.open();
            case AUTO -> CudaProbe.result().available() ? CudaEngine.open() : cpu(threads);
            case CPU -> cpu(threads);
        };
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
                    : "own kernel (cuBLAS: " + device.cublasStatus() + ")"));
        } else {
            cuda = new Status("cuda", false, probe.reason());
        }
        return List.of(new Status("cpu", true, "pure Java, " + processors + " processors available, "
                + org.softmax4j.engine.cpu.Vectors.describe()), cuda);
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
