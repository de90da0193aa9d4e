package org.softmax4j.spark;

import java.io.Serializable;

import org.softmax4j.engine.Backend;

/**
 * What every task of one fit needs to know besides its block: which fit (the key of the executors' caches), the
 * engine to evaluate with and its threads, the shape, and where each partition's rows start in the global row order
 * (for batches).
 *
 * @param runId   unique per fit
 * @param threads CPU threads per task (Spark's spark.task.cpus)
 * @param offsets the global index of each partition's first row
 */
record RunSpec(String runId, Backend backend, int threads, int numClasses, int numFeatures, int[] offsets)
        implements Serializable {

    /** K·D + K: the length of θ. */
    int dimension() {
        return numClasses * numFeatures + numClasses;
    }
}
