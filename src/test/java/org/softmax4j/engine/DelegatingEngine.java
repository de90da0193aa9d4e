package org.softmax4j.engine;

import org.softmax4j.data.Dataset;

/**
 * An engine that passes every call to another, for tests that break one part of it (a gradient off in one entry,
 * double evaluations that turn) and override only that. Closing it leaves the inner engine open: its owner closes it.
 */
public class DelegatingEngine implements Engine {
    protected final Engine inner;
    private final String name;

    public DelegatingEngine(Engine inner, String name) {
        this.inner = inner;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return name + " (" + inner.description() + ")";
    }

    @Override
    public Evaluator bind(Dataset data) {
        return inner.bind(data);
    }

    @Override
    public Evaluator bind(Dataset data, double[] exampleWeights) {
        return inner.bind(data, exampleWeights);
    }

    @Override
    public DoublePrecisionEvaluator bindDoublePrecision(Dataset data, double[] exampleWeights) {
        return inner.bindDoublePrecision(data, exampleWeights);
    }

    @Override
    public void close() {
    }
}
