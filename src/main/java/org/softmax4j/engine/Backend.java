package org.softmax4j.engine;

import java.util.List;
import java.util.Locale;

import org.softmax4j.engine.cpu.CpuEngine;

/** The choice of {@code --backend}: {@code auto}, {@code cpu} or {@code cuda}. */
public enum Backend {
    AUTO, CPU, CUDA;

    /** Why the CUDA engine cannot run in this build. */
    public static final String CUDA_UNAVAILABLE =
            "the CUDA engine is not part of this build of softmax4j yet; use --backend cpu (or auto)";

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
            case CUDA -> throw new BackendUnavailableException("cuda back end not available: " + CUDA_UNAVAILABLE);
            case AUTO, CPU -> threads == 0 ? new CpuEngine() : new CpuEngine(threads);
        };
    }

    public static List<Status> statuses() {
        int processors = Runtime.getRuntime().availableProcessors();
        return List.of(
                new Status("cpu", true, "pure Java, " + processors + " processors available"),
                new Status("cuda", false, CUDA_UNAVAILABLE));
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
