package org.softmax4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.softmax4j.data.BuiltinDigits;

/**
 * A fit that fails in the middle of its iterations, when an executor's task throws, reports the task's error and leaves
 * nothing behind: no executor-side worker of the fit and no cached block.
 */
class SparkFitFailureTest {
    /** Once set, the source drops the first row of each partition it computes (local[2]: the tasks share this JVM). */
    private static volatile boolean dropping;

    @AfterEach
    void stopDropping() {
        dropping = false;
    }

    /**
     * The fit's blocks are unpersisted once its evaluations are under way, and its source no longer gives the rows it
     * gave: the next evaluation's tasks pack their partitions again and fail ("its input is not deterministic").
     */
    @Test
    void aTaskFailingMidFitIsReportedAndReleasesEverything() throws InterruptedException {
        JavaRDD<Row> source = SparkTests.context().parallelize(DatasetRows.of(BuiltinDigits.load(), null), 2)
                .mapPartitions(iterator -> {
                    if (dropping && iterator.hasNext()) {
                        iterator.next();
                    }
                    return iterator;
                }, true);
        Dataset<Row> frame = SparkTests.session().createDataFrame(source, SparkTests.schema(false));
        Thread breaker = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (PartitionWorkers.size() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            dropping = true;
            RDD<?> blocks = blocksRdd();
            if (blocks != null) {
                blocks.unpersist(true);
            }
        });
        breaker.start();
        SoftmaxClassifier classifier = new SoftmaxClassifier().setRegParam(1.0 / 1797).setStandardization(false)
                .setBackend("cpu").setTol(1e-12).setMaxIter(1000);
        SparkException e = assertThrows(SparkException.class, () -> classifier.fit(frame));
        breaker.join(TimeUnit.SECONDS.toMillis(60));
        assertTrue(e.getMessage().contains("its first pass counted") && e.getMessage().contains("not deterministic"),
                e.getMessage());
        assertEquals(0, PartitionWorkers.size(), "executor-side workers left after a failed fit");
        assertEquals(null, blocksRdd(), "blocks left cached after a failed fit");
    }

    /** The fit's cached blocks, or null. */
    private static RDD<?> blocksRdd() {
        for (JavaRDD<?> rdd : SparkTests.context().getPersistentRDDs().values()) {
            if (rdd.name() != null && rdd.name().startsWith("softmax4j blocks")) {
                return rdd.rdd();
            }
        }
        return null;
    }
}
