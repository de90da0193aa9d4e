package org.softmax4j.engine;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.softmax4j.data.Dataset;
import org.softmax4j.engine.cuda.DeviceMemoryException;

/**
 * {@code --backend auto} where the CUDA engine is usable: each {@link #bind} goes to the CUDA engine unless that engine
 * cannot take the work, and then, with one notice saying why, to the CPU engine. The CUDA engine cannot take
 * <ul>
 * <li>work of a kind it has not learnt ({@link #cudaDeclines}, the one place that says so; none today: weighted
 * examples, the last such kind, run on it too);</li>
 * <li>a data set that does not fit on the device even streamed from host memory ({@link DeviceMemoryException} at
 * bind);</li>
 * <li>anything once a sticky error has made its context unusable.</li>
 * </ul>
 * Once on the CPU, auto stays there, so that the rest of a run (validation and test sets) uses the engine its training
 * used. {@link #name()}, {@link #description()} and {@link #deviceSummary()} are those of the engine in use now.
 */
final class AutoEngine implements Engine {
    private final Engine cuda;
    private final Supplier<String> cudaUnusable;
    private final Supplier<Engine> cpuEngine;
    private final Consumer<String> notices;
    /** Null until auto falls back. */
    private Engine cpu;
    private boolean closed;

    /**
     * @param cuda         the CUDA engine (closed with this one)
     * @param cudaUnusable why the CUDA engine's context is unusable now, or null while it is usable
     * @param cpuEngine    makes the CPU engine, on the first fallback
     * @param notices      receives the one line that says auto falls back, and why
     */
    AutoEngine(Engine cuda, Supplier<String> cudaUnusable, Supplier<Engine> cpuEngine, Consumer<String> notices) {
        this.cuda = Objects.requireNonNull(cuda, "cuda");
        this.cudaUnusable = Objects.requireNonNull(cudaUnusable, "cudaUnusable");
        this.cpuEngine = Objects.requireNonNull(cpuEngine, "cpuEngine");
        this.notices = Objects.requireNonNull(notices, "notices");
    }

    /**
     * Why the CUDA engine does not take this work, whatever the device: null when it can. Add a case here for work the
     * CUDA engine cannot do yet, and remove it when the engine learns it. Today it takes everything (weighted examples
     * included), so this answers null.
     */
    static String cudaDeclines(double[] exampleWeights) {
        return null;
    }

    private Engine current() {
        return cpu != null ? cpu : cuda;
    }

    @Override
    public String name() {
        return current().name();
    }

    @Override
    public String description() {
        return current().description();
    }

    @Override
    public String deviceSummary() {
        return current().deviceSummary();
    }

    @Override
    public Evaluator bind(Dataset data) {
        return bind(data, null);
    }

    @Override
    public Evaluator bind(Dataset data, double[] exampleWeights) {
        if (closed) {
            throw new IllegalStateException("the engine is closed");
        }
        if (cpu == null) {
            String declined = cudaDeclines(exampleWeights);
            if (declined == null) {
                declined = cudaUnusable.get();
            }
            if (declined == null) {
                try {
                    return cuda.bind(data, exampleWeights);
                } catch (DeviceMemoryException e) {
                    declined = withoutAdvice(e.getMessage());
                }
            }
            cpu = cpuEngine.get();
            notices.accept("backend auto: using " + cpu.description() + " (cuda: " + declined + ")");
        }
        return cpu.bind(data, exampleWeights);
    }

    /** The double-precision evaluator of the engine in use now (both run it on the CPU threads of the run). */
    @Override
    public DoublePrecisionEvaluator bindDoublePrecision(Dataset data, double[] exampleWeights) {
        if (closed) {
            throw new IllegalStateException("the engine is closed");
        }
        return current().bindDoublePrecision(data, exampleWeights);
    }

    /** The out-of-memory message without its advice to use the CPU, which auto has just followed. */
    static String withoutAdvice(String message) {
        return message.replaceFirst("[,;] (free host memory, or )?use --backend cpu$", "");
    }

    /** Closes both engines (the CUDA one may still hold evaluators made before the fallback). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            cuda.close();
        } finally {
            if (cpu != null) {
                cpu.close();
            }
        }
    }
}
