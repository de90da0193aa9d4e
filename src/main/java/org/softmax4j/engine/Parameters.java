package org.softmax4j.engine;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The weights W (K×D, row-major: {@code weights[k * numFeatures + j]}) and bias b (K) of a softmax regression. Mutable:
 * the trainer updates it in place. Initialised on the host so that every back end starts from the same numbers.
 */
public final class Parameters {
    private final int numClasses;
    private final int numFeatures;
    private final float[] weights;
    private final float[] bias;

    public Parameters(int numClasses, int numFeatures) {
        this(numClasses, numFeatures, new float[Math.multiplyExact(numClasses, numFeatures)], new float[numClasses]);
    }

    public Parameters(int numClasses, int numFeatures, float[] weights, float[] bias) {
        if (numClasses < 1 || numFeatures < 1) {
            throw new IllegalArgumentException("shape is " + numClasses + "x" + numFeatures
                    + ", expected at least 1x1");
        }
        if (weights.length != (long) numClasses * numFeatures) {
            throw new IllegalArgumentException("weights has " + weights.length + " values, expected "
                    + numClasses + "x" + numFeatures + " = " + (long) numClasses * numFeatures);
        }
        if (bias.length != numClasses) {
            throw new IllegalArgumentException("bias has " + bias.length + " values, expected " + numClasses);
        }
        this.numClasses = numClasses;
        this.numFeatures = numFeatures;
        this.weights = weights;
        this.bias = bias;
    }

    /** Weights and bias drawn from N(0, scale²) by {@code seed}. */
    public static Parameters random(int numClasses, int numFeatures, double scale, long seed) {
        Parameters p = new Parameters(numClasses, numFeatures);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < p.weights.length; i++) {
            p.weights[i] = (float) (scale * gaussian(random));
        }
        for (int k = 0; k < numClasses; k++) {
            p.bias[k] = (float) (scale * gaussian(random));
        }
        return p;
    }

    /** A standard normal draw (Box–Muller), so that results depend only on the seed, not on the JDK. */
    static double gaussian(SplittableRandom random) {
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
    }

    public int numClasses() {
        return numClasses;
    }

    public int numFeatures() {
        return numFeatures;
    }

    /** The K×D weights, live: writes change these parameters. */
    public float[] weights() {
        return weights;
    }

    /** The K biases, live: writes change these parameters. */
    public float[] bias() {
        return bias;
    }

    public float weight(int k, int j) {
        return weights[k * numFeatures + j];
    }

    public Parameters copy() {
        return new Parameters(numClasses, numFeatures, weights.clone(), bias.clone());
    }

    /** Overwrites these parameters with {@code other}'s values (same shape). */
    public void copyFrom(Parameters other) {
        checkShape(other.numClasses, other.numFeatures);
        System.arraycopy(other.weights, 0, weights, 0, weights.length);
        System.arraycopy(other.bias, 0, bias, 0, bias.length);
    }

    public void checkShape(int expectedClasses, int expectedFeatures) {
        if (numClasses != expectedClasses || numFeatures != expectedFeatures) {
            throw new IllegalArgumentException("parameters are " + numClasses + "x" + numFeatures + ", expected "
                    + expectedClasses + "x" + expectedFeatures);
        }
    }

    /** True when every weight and bias is finite. */
    public boolean isFinite() {
        for (float w : weights) {
            if (!Float.isFinite(w)) {
                return false;
            }
        }
        for (float c : bias) {
            if (!Float.isFinite(c)) {
                return false;
            }
        }
        return true;
    }

    /** ‖W‖², summed in double. */
    public double weightsSquaredNorm() {
        double sum = 0;
        for (float w : weights) {
            sum += (double) w * w;
        }
        return sum;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Parameters p && p.numClasses == numClasses && p.numFeatures == numFeatures
                && Arrays.equals(p.weights, weights) && Arrays.equals(p.bias, bias);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(weights) + Arrays.hashCode(bias);
    }
}
