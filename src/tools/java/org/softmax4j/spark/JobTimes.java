package org.softmax4j.spark;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * Counts the Spark jobs of a fit and the time its tasks ran (executorRunTime, executorDeserializeTime), so that a
 * fit's time splits into jobs (ours: one per evaluation, plus the passes that load the rows; MLlib's: one per
 * iteration and line-search trial) and what the tasks did inside them. Listener events arrive asynchronously: read
 * after the fit has returned (Spark posts a job's task ends before its job end, and the fit waits for its jobs).
 */
final class JobTimes extends SparkListener {
    private final AtomicLong jobs = new AtomicLong();
    private final AtomicLong tasks = new AtomicLong();
    private final AtomicLong runMillis = new AtomicLong();
    private final AtomicLong deserializeMillis = new AtomicLong();

    static JobTimes on(SparkSession session) {
        JobTimes times = new JobTimes();
        session.sparkContext().addSparkListener(times);
        return times;
    }

    void reset() {
        awaitEvents();
        jobs.set(0);
        tasks.set(0);
        runMillis.set(0);
        deserializeMillis.set(0);
    }

    /** "149 jobs (209 ms each), 298 tasks ran 52.1 s (350 ms per job), deserialized 0.6 s" for a fit of seconds. */
    String describe(double seconds) {
        awaitEvents();
        long count = Math.max(jobs.get(), 1);
        return String.format(Locale.ROOT, "%d jobs (%.0f ms each), %d tasks ran %.1f s (%.0f ms per job), "
                + "deserialized %.1f s", jobs.get(), 1e3 * seconds / count, tasks.get(), runMillis.get() / 1e3,
                (double) runMillis.get() / count, deserializeMillis.get() / 1e3);
    }

    /** Lets the listener bus deliver the events of jobs that have ended (they are posted asynchronously). */
    private static void awaitEvents() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        jobs.incrementAndGet();
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null) {
            tasks.incrementAndGet();
            runMillis.addAndGet(end.taskMetrics().executorRunTime());
            deserializeMillis.addAndGet(end.taskMetrics().executorDeserializeTime());
        }
    }
}
