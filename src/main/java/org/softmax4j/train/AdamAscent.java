package org.softmax4j.train;

import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Parameters;

/**
 * Adam (Kingma and Ba, 2015), uphill: with g = ∇F_B / B, m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², and
 * θ ← θ + η_t · m̂ / (√v̂ + ε), where m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ); β₁ = 0.9, β₂ = 0.999, ε = 1e-8, η_t scheduled.
 */
public final class AdamAscent implements UpdateRule {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    private final double learningRate;
    private final Schedule schedule;
    private final double stepsPerEpoch;
    private final double totalEpochs;
    private final double[] first;
    private final double[] second;
    private long steps;

    public AdamAscent(double learningRate, Schedule schedule, int stepsPerEpoch, int totalEpochs, int numClasses,
                      int numFeatures) {
        this.learningRate = learningRate;
        this.schedule = schedule;
        this.stepsPerEpoch = Math.max(1, stepsPerEpoch);
        this.totalEpochs = totalEpochs;
        this.first = new double[numClasses * numFeatures + numClasses];
        this.second = new double[first.length];
    }

    @Override
    public void ascend(Parameters parameters, Evaluation gradient, int batchSize) {
        double rate = learningRate * schedule.factor(steps / stepsPerEpoch, totalEpochs);
        steps++;
        double correction1 = 1 - Math.pow(BETA1, steps);
        double correction2 = 1 - Math.pow(BETA2, steps);
        double scale = 1.0 / batchSize;
        float[] weights = parameters.weights();
        double[] gradWeights = gradient.gradWeights();
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) (weights[i] + step(i, gradWeights[i] * scale, rate, correction1, correction2));
        }
        float[] bias = parameters.bias();
        double[] gradBias = gradient.gradBias();
        for (int k = 0; k < bias.length; k++) {
            bias[k] = (float) (bias[k]
                    + step(weights.length + k, gradBias[k] * scale, rate, correction1, correction2));
        }
    }

    private double step(int i, double g, double rate, double correction1, double correction2) {
        double m = BETA1 * first[i] + (1 - BETA1) * g;
        double v = BETA2 * second[i] + (1 - BETA2) * g * g;
        first[i] = m;
        second[i] = v;
        return rate * (m / correction1) / (Math.sqrt(v / correction2) + EPSILON);
    }

    /** [steps, first, second], the steps as a double (exact below 2^53). */
    @Override
    public double[] state() {
        double[] state = new double[1 + first.length + second.length];
        state[0] = steps;
        System.arraycopy(first, 0, state, 1, first.length);
        System.arraycopy(second, 0, state, 1 + first.length, second.length);
        return state;
    }

    @Override
    public void restore(double[] state) {
        int expected = 1 + first.length + second.length;
        steps = StateFields.stepsOf(state, expected);
        System.arraycopy(state, 1, first, 0, first.length);
        System.arraycopy(state, 1 + first.length, second, 0, second.length);
    }
}
