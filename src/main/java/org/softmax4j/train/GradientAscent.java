package org.softmax4j.train;

import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Parameters;

/** Plain gradient ascent with a fixed step: W ← W + (η/B)·∇_W F, b ← b + (η/B)·∇_b F. */
public final class GradientAscent implements UpdateRule {
    private final double learningRate;

    public GradientAscent(double learningRate) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate is " + learningRate + ", expected a finite number > 0");
        }
        this.learningRate = learningRate;
    }

    @Override
    public void ascend(Parameters parameters, Evaluation gradient, int batchSize) {
        double step = learningRate / batchSize;
        float[] weights = parameters.weights();
        double[] gradWeights = gradient.gradWeights();
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) (weights[i] + step * gradWeights[i]);
        }
        float[] bias = parameters.bias();
        double[] gradBias = gradient.gradBias();
        for (int k = 0; k < bias.length; k++) {
            bias[k] = (float) (bias[k] + step * gradBias[k]);
        }
    }

    @Override
    public double[] state() {
        return new double[0];
    }

    @Override
    public void restore(double[] state) {
        if (state.length != 0) {
            throw new IllegalArgumentException("plain ascent's state has " + state.length + " values, expected 0");
        }
    }
}
