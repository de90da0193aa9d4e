package org.softmax4j.train;

import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Parameters;

/**
 * Mini-batch ascent with momentum: v ← μ·v + η_t·g, θ ← θ + v, where g = ∇F_B / B is the batch's mean gradient and
 * η_t the scheduled rate; with Nesterov's momentum θ ← θ + μ·v + η_t·g (the look-ahead form used by PyTorch and
 * scikit-learn). State (v) is allocated once.
 */
public final class MomentumAscent implements UpdateRule {
    private final double learningRate;
    private final double momentum;
    private final boolean nesterov;
    private final Schedule schedule;
    private final double stepsPerEpoch;
    private final double totalEpochs;
    private final double[] velocity;
    private long steps;

    public MomentumAscent(double learningRate, double momentum, boolean nesterov, Schedule schedule,
                          int stepsPerEpoch, int totalEpochs, int numClasses, int numFeatures) {
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.schedule = schedule;
        this.stepsPerEpoch = Math.max(1, stepsPerEpoch);
        this.totalEpochs = totalEpochs;
        this.velocity = new double[numClasses * numFeatures + numClasses];
    }

    @Override
    public void ascend(Parameters parameters, Evaluation gradient, int batchSize) {
        double rate = learningRate * schedule.factor(steps / stepsPerEpoch, totalEpochs) / batchSize;
        steps++;
        float[] weights = parameters.weights();
        double[] gradWeights = gradient.gradWeights();
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) (weights[i] + step(i, rate * gradWeights[i]));
        }
        float[] bias = parameters.bias();
        double[] gradBias = gradient.gradBias();
        for (int k = 0; k < bias.length; k++) {
            bias[k] = (float) (bias[k] + step(weights.length + k, rate * gradBias[k]));
        }
    }

    private double step(int i, double scaledGradient) {
        double v = momentum * velocity[i] + scaledGradient;
        velocity[i] = v;
        return nesterov ? momentum * v + scaledGradient : v;
    }

    /** [steps, velocity], the steps as a double (exact below 2^53). */
    @Override
    public double[] state() {
        double[] state = new double[1 + velocity.length];
        state[0] = steps;
        System.arraycopy(velocity, 0, state, 1, velocity.length);
        return state;
    }

    @Override
    public void restore(double[] state) {
        int expected = 1 + velocity.length;
        steps = StateFields.stepsOf(state, expected);
        System.arraycopy(state, 1, velocity, 0, velocity.length);
    }
}
