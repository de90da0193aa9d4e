package org.softmax4j.engine;

import org.softmax4j.data.Dataset;

/**
 * A double-precision evaluator that passes every call to another, as {@link ForwardingEvaluator} does for the float
 * one: the base of evaluators that re-present one (the Spark driver's view of its partitioned rows) and override only
 * what they change.
 */
public abstract class ForwardingDoublePrecisionEvaluator implements DoublePrecisionEvaluator {
    protected final DoublePrecisionEvaluator inner;

    protected ForwardingDoublePrecisionEvaluator(DoublePrecisionEvaluator inner) {
        this.inner = java.util.Objects.requireNonNull(inner, "inner");
    }

    @Override
    public Dataset data() {
        return inner.data();
    }

    @Override
    public int dimension() {
        return inner.dimension();
    }

    @Override
    public int threads() {
        return inner.threads();
    }

    @Override
    public double evaluate(double[] point, double[] gradient) {
        return inner.evaluate(point, gradient);
    }

    @Override
    public long numCorrect() {
        return inner.numCorrect();
    }

    /** Closes the evaluator passed to. */
    @Override
    public void close() {
        inner.close();
    }
}
