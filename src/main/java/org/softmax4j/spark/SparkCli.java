package org.softmax4j.spark;

import java.util.function.Consumer;

import org.apache.spark.sql.SparkSession;
import org.softmax4j.engine.Backend;
import org.softmax4j.engine.Engine;

/**
 * The Spark side of {@code softmax4j-spark train}: a session on the given master, and engines that train on it
 * ({@link DriverDataEngine}). Closing stops the session.
 */
public final class SparkCli implements AutoCloseable {
    private final SparkSession session;
    private final int partitions;
    /** Whether this started the session (and stops it), rather than finding one running in this JVM. */
    private final boolean owned;

    private SparkCli(SparkSession session, int partitions, boolean owned) {
        this.session = session;
        this.partitions = partitions;
        this.owned = owned;
    }

    /**
     * Starts a session on {@code master} ("local[2]", "spark://host:7077", ...), the web UI off; a session already
     * running in this JVM is used as it is, and left running.
     *
     * @param partitions the slices the training set is cut into, at least 1
     */
    public static SparkCli start(String master, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("--partitions is " + partitions + ", expected at least 1");
        }
        if (SparkSession.getDefaultSession().isDefined()) {
            return new SparkCli(SparkSession.getDefaultSession().get(), partitions, false);
        }
        SparkSession session = SparkSession.builder().master(master).appName("softmax4j train")
                .config("spark.ui.enabled", "false").getOrCreate();
        session.sparkContext().setLogLevel("WARN");
        return new SparkCli(session, partitions, true);
    }

    /**
     * An engine for one command: the training set evaluated on the executors with {@code backend}, {@code threads}
     * CPU threads per task (0: 1, Spark's parallelism being its tasks).
     */
    public Engine open(Backend backend, int threads, Consumer<String> notices) {
        return new DriverDataEngine(session, partitions, backend, Math.max(threads, 1));
    }

    @Override
    public void close() {
        if (owned) {
            session.stop();
        }
    }
}
