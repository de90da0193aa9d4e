package org.softmax4j.engine.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import org.softmax4j.data.Dataset;
import org.softmax4j.engine.BackendUnavailableException;
import org.softmax4j.engine.DoublePrecisionEvaluator;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.cpu.DoubleEvaluator;

/**
 * The CUDA engine: {@link #bind} uploads a data set once to the GPU found by {@link CudaProbe} and returns a
 * {@link CudaEvaluator}. Closing the engine closes the evaluators it made that are still open; the device's primary
 * context stays retained for the life of the JVM. After a sticky error (a kernel's fault, see {@code Driver}) every
 * later bind and evaluation throws one message naming it, and closing frees nothing.
 *
 * <p>A data set that does not fit in the free device memory is streamed from pinned host memory instead (see
 * {@link CudaEvaluator}); the evaluator then gives one line to the engine's notice consumer, given at
 * {@link #open(int, Consumer)} (engines made with a constructor drop their notices unless {@link #setNotices} is
 * called). {@code -Dsoftmax4j.cuda.maxResidentBytes=N} streams any data set
 * above N bytes, and {@code -Dsoftmax4j.cuda.streamChunkBytes=N} sets the streamed chunk size (both read when the
 * engine is made).
 */
public final class CudaEngine implements Engine {
    private final CudaDevice device;
    private final boolean preferFused;
    private final Streaming streaming;
    private final List<CudaEvaluator> evaluators = new ArrayList<>();
    private Consumer<String> notices = line -> { };
    /** CPU threads of {@link #bindDoublePrecision}; 0 for one per available processor. */
    private int hostThreads;
    private boolean closed;

    /**
     * The engine on the probed device.
     *
     * @param hostThreads CPU threads of the double-precision evaluator ({@link #bindDoublePrecision}), 0 for one per
     *                    available processor
     * @param notices     receives the one-line notices for people (a data set streamed in chunks)
     */
    public static CudaEngine open(int hostThreads, Consumer<String> notices) {
        if (hostThreads < 0) {
            throw new IllegalArgumentException("host threads is " + hostThreads + ", expected 0 or more");
        }
        CudaProbe.Result probe = CudaProbe.result();
        if (!probe.available()) {
            throw new BackendUnavailableException("cuda back end not available: " + probe.reason());
        }
        CudaEngine engine = new CudaEngine(probe.device(), true);
        engine.setNotices(notices);
        engine.hostThreads = hostThreads;
        return engine;
    }

    /**
     * @param preferFused false to use the unfused kernels even where the fused ones apply (for tests and
     *                    comparisons); the fused kernels take at most {@link #maxFusedClasses()} classes
     */
    public CudaEngine(CudaDevice device, boolean preferFused) {
        this(device, preferFused, Streaming.fromSystemProperties());
    }

    /** As {@link #CudaEngine(CudaDevice, boolean)}, with the streaming settings given rather than read. */
    CudaEngine(CudaDevice device, boolean preferFused, Streaming streaming) {
        this.device = device;
        this.preferFused = preferFused;
        this.streaming = Objects.requireNonNull(streaming, "streaming");
    }

    /**
     * Where notices for people go (one line each; today only "data set is ...: streaming it in chunks ..."). An engine
     * made by a constructor drops them until this is called; {@link #open(int, Consumer)} sets them.
     */
    public void setNotices(Consumer<String> notices) {
        this.notices = Objects.requireNonNull(notices, "notices");
    }

    /** The largest number of classes the fused kernels take. */
    public static int maxFusedClasses() {
        return Kernels.MAX_FUSED_CLASSES;
    }

    public CudaDevice device() {
        return device;
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String description() {
        return "cuda, " + device.shortName() + ", driver " + device.driverVersion();
    }

    /** The device's {@link CudaDevice#summary()}: for the emulator it says so. */
    @Override
    public String deviceSummary() {
        return device.summary();
    }

    /**
     * @throws CudaException when a sticky error has made the device's context unusable
     * @throws DeviceMemoryException when the data does not fit on the device even streamed
     */
    @Override
    public CudaEvaluator bind(Dataset data) {
        return bind(data, null);
    }

    /**
     * As {@link #bind(Dataset)}, with example weights ω_n (see {@link Engine#bind(Dataset, double[])}): uploaded as
     * floats beside the labels, or streamed beside them.
     *
     * @throws IllegalArgumentException when the weights are not N finite values ≥ 0
     */
    @Override
    public CudaEvaluator bind(Dataset data, double[] exampleWeights) {
        if (closed) {
            throw new IllegalStateException("the CUDA engine is closed");
        }
        Engine.checkExampleWeights(data, exampleWeights);
        device.checkUsable();
        CudaEvaluator evaluator = new CudaEvaluator(device, data, exampleWeights, preferFused, streaming, notices);
        evaluators.add(evaluator);
        return evaluator;
    }

    /**
     * The double-precision evaluation runs on the CPU (the device computes in float32), on the host threads given at
     * {@link #open(int, Consumer)}.
     */
    @Override
    public DoublePrecisionEvaluator bindDoublePrecision(Dataset data, double[] exampleWeights) {
        return new DoubleEvaluator(data, exampleWeights,
                hostThreads == 0 ? Runtime.getRuntime().availableProcessors() : hostThreads);
    }

    /**
     * Closes every evaluator still open, each even when another fails (the first failure is thrown). On a device made
     * unusable by a sticky error this frees nothing and does not throw.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            RuntimeException first = null;
            for (CudaEvaluator evaluator : evaluators) {
                try {
                    evaluator.close();
                } catch (RuntimeException e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            evaluators.clear();
            if (first != null) {
                throw first;
            }
        }
    }
}
