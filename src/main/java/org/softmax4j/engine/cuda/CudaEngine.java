package org.softmax4j.engine.cuda;

import java.util.ArrayList;
import java.util.List;

import org.softmax4j.data.Dataset;
import org.softmax4j.engine.BackendUnavailableException;
import org.softmax4j.engine.Engine;

/**
 * The CUDA engine: {@link #bind} uploads a data set once to the GPU found by {@link CudaProbe} and returns a
 * {@link CudaEvaluator}. Closing the engine closes the evaluators it made that are still open; the device's primary
 * context stays retained for the life of the JVM.
 */
public final class CudaEngine implements Engine {
    private final CudaDevice device;
    private final boolean preferFused;
    private final List<CudaEvaluator> evaluators = new ArrayList<>();
    private boolean closed;

    /** The engine on the probed device. */
    public static CudaEngine open() {
        CudaProbe.Result probe = CudaProbe.result();
        if (!probe.available()) {
            throw new BackendUnavailableException("cuda back end not available: " + probe.reason());
        }
        return new CudaEngine(probe.device(), true);
    }

    /**
     * @param preferFused false to use the unfused kernels even where the fused ones apply (for tests and
     *                    comparisons); the fused kernels take at most {@link #maxFusedClasses()} classes
     */
    public CudaEngine(CudaDevice device, boolean preferFused) {
        this.device = device;
        this.preferFused = preferFused;
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
        return "cuda, " + device.name() + " (compute capability " + device.computeCapability() + "), driver "
                + device.driverVersion();
    }

    @Override
    public CudaEvaluator bind(Dataset data) {
        if (closed) {
            throw new IllegalStateException("the CUDA engine is closed");
        }
        CudaEvaluator evaluator = new CudaEvaluator(device, data, preferFused);
        evaluators.add(evaluator);
        return evaluator;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            for (CudaEvaluator evaluator : evaluators) {
                evaluator.close();
            }
            evaluators.clear();
        }
    }
}
