package org.softmax4j.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.softmax4j.engine.Backend;
import org.softmax4j.engine.DoublePrecisionEvaluator;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;

/**
 * The executor side of a fit: for each (fit, partition) that this JVM has evaluated, the evaluators bound on the
 * partition's block, kept between evaluations, so that a GPU executor uploads its rows once per fit and a CPU executor
 * allocates its buffers once. On the CPU each partition has an engine of its own with the task's threads (tasks run
 * side by side); on CUDA the partitions of a fit share one engine (one context on the executor's GPU), one evaluation
 * at a time. The driver's {@link PartitionedRows#close()} releases a fit's entries on every executor when the fit ends,
 * normally or not.
 *
 * <p>Why static: an executor JVM runs tasks of many fits, and nothing but the JVM outlives a task; the maps are keyed
 * by the fit's unique id, and every entry is closed by {@link #release}.
 */
final class PartitionWorkers {
    private static final Map<String, Worker> WORKERS = new ConcurrentHashMap<>();
    /** CUDA: one engine per fit on this JVM. */
    private static final Map<String, Engine> SHARED_ENGINES = new ConcurrentHashMap<>();

    private PartitionWorkers() {
    }

    /** Evaluates {@code request} on {@code block}, with the fit's worker for this partition (bound on first use). */
    static double[] evaluate(RunSpec spec, PartitionBlock block, EvaluationRequest request) {
        if (block.numExamples() == 0) {
            return empty(spec, request);
        }
        Worker worker = WORKERS.computeIfAbsent(key(spec.runId(), block.partition), key -> new Worker(spec, block));
        return worker.evaluate(request);
    }

    /** Closes every worker of the fit {@code runId} on this JVM; returns how many were closed. */
    static int release(String runId) {
        // Each partition's release task and the driver run this at once on a local JVM: a worker is closed only by the
        // caller whose remove took it (entrySet().removeIf ran its predicate, which collected the worker, in every
        // caller before one removal won, so two callers closed the same worker: a double cuMemFree under the
        // emulator's chaos run).
        List<Worker> closing = new ArrayList<>();
        for (String key : new ArrayList<>(WORKERS.keySet())) {
            if (key.startsWith(runId + "/")) {
                Worker worker = WORKERS.remove(key);
                if (worker != null) {
                    closing.add(worker);
                }
            }
        }
        RuntimeException failure = null;
        for (Worker worker : closing) {
            try {
                worker.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        Engine shared = SHARED_ENGINES.remove(runId);
        if (shared != null) {
            shared.close();
        }
        if (failure != null) {
            throw failure;
        }
        return closing.size();
    }

    /** How many workers this JVM holds (for tests: none once every fit has ended). */
    static int size() {
        return WORKERS.size() + SHARED_ENGINES.size();
    }

    private static String key(String runId, int partition) {
        return runId + "/" + partition;
    }

    /** The partial result of a partition without rows: zeros (no probabilities). */
    private static double[] empty(RunSpec spec, EvaluationRequest request) {
        return switch (request.kind()) {
            case ENGINE -> new double[spec.dimension() + 3];
            case DOUBLE -> new double[spec.dimension() + 2];
            case PROBABILITIES -> new double[0];
        };
    }

    /** The evaluators of one partition of one fit. */
    private static final class Worker implements AutoCloseable {
        private final RunSpec spec;
        private final PartitionBlock block;
        private final Engine engine;
        private final boolean sharedEngine;
        private final Evaluation evaluation;
        private Evaluator evaluator;
        private DoublePrecisionEvaluator doubleEvaluator;

        Worker(RunSpec spec, PartitionBlock block) {
            this.spec = spec;
            this.block = block;
            this.sharedEngine = spec.backend() == Backend.CUDA;
            this.engine = sharedEngine
                    ? SHARED_ENGINES.computeIfAbsent(spec.runId(), id -> Backend.CUDA.open(spec.threads()))
                    : Backend.CPU.open(spec.threads());
            this.evaluation = new Evaluation(spec.numClasses(), spec.numFeatures());
        }

        double[] evaluate(EvaluationRequest request) {
            // CUDA: the fit's partitions on this executor share one context, one evaluation at a time.
            synchronized (sharedEngine ? engine : this) {
                return switch (request.kind()) {
                    case ENGINE -> engineEvaluation(request);
                    case DOUBLE -> doubleEvaluation(request);
                    case PROBABILITIES -> probabilities(request);
                };
            }
        }

        private Evaluator evaluator() {
            if (evaluator == null) {
                evaluator = engine.bind(block.dataset(), block.weights());
            }
            return evaluator;
        }

        private double[] engineEvaluation(EvaluationRequest request) {
            Parameters parameters = new Parameters(spec.numClasses(), spec.numFeatures(), request.weights(),
                    request.bias());
            if (request.examples() == null) {
                evaluator().evaluate(parameters, evaluation);
            } else {
                int offset = spec.offsets()[block.partition];
                int size = block.numExamples();
                int[] local = new int[request.to() - request.from()];
                int count = 0;
                for (int i = request.from(); i < request.to(); i++) {
                    int row = request.examples()[i] - offset;
                    if (row >= 0 && row < size) {
                        local[count++] = row;
                    }
                }
                if (count == 0) {
                    return new double[spec.dimension() + 3];
                }
                evaluator().evaluate(parameters, local, 0, count, evaluation);
            }
            int numWeights = spec.numClasses() * spec.numFeatures();
            double[] partial = new double[spec.dimension() + 3];
            System.arraycopy(evaluation.gradWeights(), 0, partial, 0, numWeights);
            System.arraycopy(evaluation.gradBias(), 0, partial, numWeights, spec.numClasses());
            partial[spec.dimension()] = evaluation.logLikelihood();
            partial[spec.dimension() + 1] = evaluation.numCorrect();
            partial[spec.dimension() + 2] = evaluation.numExamples();
            return partial;
        }

        private double[] doubleEvaluation(EvaluationRequest request) {
            if (doubleEvaluator == null) {
                doubleEvaluator = engine.bindDoublePrecision(block.dataset(), block.weights());
            }
            double[] gradient = new double[spec.dimension()];
            double logLikelihood = doubleEvaluator.evaluate(request.point(), gradient);
            double[] partial = Arrays.copyOf(gradient, spec.dimension() + 2);
            partial[spec.dimension()] = logLikelihood;
            partial[spec.dimension() + 1] = doubleEvaluator.numCorrect();
            return partial;
        }

        private double[] probabilities(EvaluationRequest request) {
            Parameters parameters = new Parameters(spec.numClasses(), spec.numFeatures(), request.weights(),
                    request.bias());
            float[] out = new float[block.numExamples() * spec.numClasses()];
            evaluator().probabilities(parameters, out);
            double[] partial = new double[out.length];
            for (int i = 0; i < out.length; i++) {
                partial[i] = out[i];
            }
            return partial;
        }

        @Override
        public void close() {
            try {
                if (evaluator != null) {
                    evaluator.close();
                }
                if (doubleEvaluator != null) {
                    doubleEvaluator.close();
                }
            } finally {
                if (!sharedEngine) {
                    engine.close();
                }
            }
        }
    }
}
