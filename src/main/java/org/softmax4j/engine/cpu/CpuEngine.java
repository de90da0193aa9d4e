package org.softmax4j.engine.cpu;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluator;

/**
 * The pure-Java engine. Examples are cut into chunks of at most {@link #CHUNK_SIZE} (at least a few on small data; a
 * rule of the count alone); threads take chunks in any order, each chunk's log-likelihood and gradient go to a slot
 * of their own, and the slots are summed in chunk order in double. The result is therefore bitwise the same for every
 * thread count.
 */
public final class CpuEngine implements Engine {
    /** Examples per chunk at most: the unit of parallel work and of the fixed-order reduction. */
    public static final int CHUNK_SIZE = 8192;

    private final WorkerPool pool;
    private final boolean simd;

    /** An engine with one thread per available processor. */
    public CpuEngine() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** An engine with {@code threads} threads, using SIMD where {@link Vectors#available()}. */
    public CpuEngine(int threads) {
        this(threads, true);
    }

    /** As {@link #CpuEngine(int)}; {@code allowSimd = false} keeps to the scalar paths (for tests and comparisons). */
    public CpuEngine(int threads, boolean allowSimd) {
        this.pool = new WorkerPool(threads);
        this.simd = allowSimd && Vectors.available();
    }

    public int threads() {
        return pool.threads();
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String description() {
        return "cpu, " + pool.threads() + (pool.threads() == 1 ? " thread" : " threads") + ", "
                + (simd ? Vectors.describe() : "scalar");
    }

    /** "CPU, 2 threads". */
    @Override
    public String deviceSummary() {
        return "CPU, " + pool.threads() + (pool.threads() == 1 ? " thread" : " threads");
    }

    @Override
    public Evaluator bind(Dataset data) {
        return bind(data, null);
    }

    /** Example weights go through the scalar evaluators (the SIMD path does not weight examples yet). */
    @Override
    public Evaluator bind(Dataset data, double[] exampleWeights) {
        Engine.checkExampleWeights(data, exampleWeights);
        if (exampleWeights != null) {
            double[] weights = exampleWeights.clone();
            if (data instanceof BinaryDataset binary) {
                return new BinaryEvaluator(pool, binary, weights);
            }
            return new DenseEvaluator(pool, (DenseDataset) data, weights);
        }
        if (data instanceof BinaryDataset binary) {
            if (simd && VectorBinaryEvaluator.supports(binary.numClasses())) {
                return VectorBinaryEvaluator.create(pool, binary);
            }
            return new BinaryEvaluator(pool, binary);
        }
        if (simd) {
            return new VectorDenseEvaluator(pool, (DenseDataset) data);
        }
        return new DenseEvaluator(pool, (DenseDataset) data);
    }

    /**
     * The double-precision evaluator on this engine's own threads: it starts none of its own, so {@code --threads 1}
     * evaluates on the caller's thread alone. Its result does not depend on the thread count.
     */
    @Override
    public DoubleEvaluator bindDoublePrecision(Dataset data, double[] exampleWeights) {
        return new DoubleEvaluator(pool, data, exampleWeights);
    }

    @Override
    public void close() {
        pool.close();
    }
}
