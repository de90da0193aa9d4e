package org.softmax4j.engine.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of threads that run numbered tasks 0..T-1 of a {@link Task}. The caller's thread works too, so
 * {@code threads = 1} uses no extra thread. Running a batch allocates nothing: the task is a long-lived object.
 * <p>
 * Hand-over: the caller publishes a batch by bumping a generation counter; idle helpers spin on it for about
 * {@link #SPIN_NANOS} before they park, and the caller unparks them after each bump. Spinning matters when
 * evaluations follow each other closely (a solver evaluates every few hundred microseconds on small data): waking a
 * parked thread costs tens of microseconds, more than such an evaluation is worth splitting.
 * <p>
 * Which thread runs which task varies; callers that need reproducible results store each task's result in its own
 * slot and combine the slots in task order.
 */
final class WorkerPool implements AutoCloseable {

    /** One batch of work: {@code run(task, worker)} for every task number; {@code worker} indexes per-thread scratch. */
    interface Task {
        void run(int task, int worker);
    }

    /** How long an idle helper spins before it parks. */
    static final long SPIN_NANOS = 200_000;

    private final int threads;
    private final Thread[] helpers;
    private final AtomicInteger nextTask = new AtomicInteger();
    private final AtomicInteger helpersDone = new AtomicInteger();
    private volatile int generation;
    private volatile Task task;
    private volatile int numTasks;
    private volatile boolean closed;
    private volatile Throwable failure;

    WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads is " + threads + ", expected at least 1");
        }
        this.threads = threads;
        this.helpers = new Thread[threads - 1];
        for (int i = 0; i < helpers.length; i++) {
            int worker = i + 1;
            helpers[i] = new Thread(() -> helperLoop(worker), "softmax4j-cpu-" + worker);
            helpers[i].setDaemon(true);
            helpers[i].start();
        }
    }

    int threads() {
        return threads;
    }

    /** Runs tasks 0..numTasks-1 and returns when all are done; rethrows the first failure. */
    synchronized void run(int numTasks, Task task) {
        if (closed) {
            throw new IllegalStateException("worker pool is closed");
        }
        if (threads == 1 || numTasks <= 1) {
            for (int t = 0; t < numTasks; t++) {
                task.run(t, 0);
            }
            return;
        }
        this.task = task;
        this.numTasks = numTasks;
        this.failure = null;
        nextTask.set(0);
        helpersDone.set(0);
        generation++;
        for (Thread helper : helpers) {
            LockSupport.unpark(helper);
        }
        work(0);
        int spins = 0;
        while (helpersDone.get() < helpers.length) {
            if (++spins < 10_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        this.task = null;
        Throwable error = failure;
        if (error != null) {
            if (error instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (error instanceof Error fatal) {
                throw fatal;
            }
            throw new IllegalStateException(error);
        }
    }

    private void work(int worker) {
        Task current = task;
        int count = numTasks;
        for (int t = nextTask.getAndIncrement(); t < count; t = nextTask.getAndIncrement()) {
            try {
                current.run(t, worker);
            } catch (Throwable e) {
                failure = e;
                nextTask.set(count);
            }
        }
    }

    private void helperLoop(int worker) {
        int seen = 0;
        while (true) {
            long idleSince = System.nanoTime();
            int current;
            while ((current = generation) == seen) {
                if (closed) {
                    return;
                }
                if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    // A permit from an unpark that came first makes this return at once: no batch is missed.
                    LockSupport.park(this);
                }
            }
            seen = current;
            work(worker);
            helpersDone.incrementAndGet();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Thread helper : helpers) {
            LockSupport.unpark(helper);
        }
    }
}
