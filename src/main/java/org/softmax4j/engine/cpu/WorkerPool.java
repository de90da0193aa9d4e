package org.softmax4j.engine.cpu;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed set of threads that run numbered tasks 0..T-1 of a {@link Task}. The caller's thread works too, so
 * {@code threads = 1} uses no extra thread. Running a batch allocates nothing: the task is a long-lived object and the
 * threads meet at two barriers. Which thread runs which task varies; callers that need reproducible results store each
 * task's result in its own slot and combine the slots in task order.
 */
final class WorkerPool implements AutoCloseable {

    /** One batch of work: {@code run(task, worker)} for every task number; {@code worker} indexes per-thread scratch. */
    interface Task {
        void run(int task, int worker);
    }

    private final int threads;
    private final Thread[] helpers;
    private final CyclicBarrier start;
    private final CyclicBarrier finish;
    private final AtomicInteger nextTask = new AtomicInteger();
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
        this.start = new CyclicBarrier(threads);
        this.finish = new CyclicBarrier(threads);
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
        await(start);
        work(0);
        await(finish);
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
        try {
            while (true) {
                start.await();
                if (closed) {
                    return;
                }
                work(worker);
                finish.await();
            }
        } catch (InterruptedException | BrokenBarrierException e) {
            // closed while waiting: the thread ends
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for CPU workers", e);
        } catch (BrokenBarrierException e) {
            throw new IllegalStateException("CPU worker pool broke down", e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Thread helper : helpers) {
            helper.interrupt();
        }
    }
}
