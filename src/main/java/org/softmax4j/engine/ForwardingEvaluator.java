package org.softmax4j.engine;

import org.softmax4j.data.Dataset;

/**
 * An evaluator that passes every call to another: the base of evaluators that watch or re-present one (the report's
 * tap, the Spark driver's view) and override only what they change.
 */
public abstract class ForwardingEvaluator implements Evaluator {
    protected final Evaluator inner;

    protected ForwardingEvaluator(Evaluator inner) {
        this.inner = java.util.Objects.requireNonNull(inner, "inner");
    }

    @Override
    public Dataset data() {
        return inner.data();
    }

    @Override
    public void evaluate(Parameters parameters, Evaluation out) {
        inner.evaluate(parameters, out);
    }

    @Override
    public void evaluate(Parameters parameters, int[] examples, int from, int to, Evaluation out) {
        inner.evaluate(parameters, examples, from, to, out);
    }

    @Override
    public void probabilities(Parameters parameters, float[] out) {
        inner.probabilities(parameters, out);
    }

    @Override
    public boolean doublePrecisionCostsTheSame() {
        return inner.doublePrecisionCostsTheSame();
    }

    /** Closes the evaluator passed to; a wrapper that only watches overrides this to leave it open. */
    @Override
    public void close() {
        inner.close();
    }
}
