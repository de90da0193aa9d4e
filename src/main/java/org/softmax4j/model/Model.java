package org.softmax4j.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.softmax4j.engine.Parameters;

/**
 * A trained softmax regression, immutable: weights W (K×D) and bias b (K), the names of the K classes, the threshold
 * that binarised the inputs at training (to be applied to new inputs the same way), and how it was trained. Class k of
 * the model is {@code classNames().get(k)} and row k of W. Saved and loaded by {@link ModelFile}.
 */
public final class Model {
    private final Parameters parameters;
    private final List<String> classNames;
    private final Double binarizeThreshold;
    private final TrainingInfo training;

    /**
     * @param parameters        copied, so later changes to it do not reach this model; every value must be finite
     * @param classNames        K distinct, non-empty names, K being {@code parameters.numClasses()}
     * @param binarizeThreshold the threshold that turned inputs into 0/1 at training (the digits use 8: 1 if
     *                          count &gt;= 8), or null when inputs were used as they are; finite when present
     * @param training          how the model was trained
     */
    public Model(Parameters parameters, List<String> classNames, Double binarizeThreshold, TrainingInfo training) {
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(classNames, "classNames");
        Objects.requireNonNull(training, "training");
        if (classNames.size() != parameters.numClasses()) {
            throw new IllegalArgumentException("classNames has " + classNames.size() + " names, expected "
                    + parameters.numClasses() + " (the number of classes of the parameters)");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int k = 0; k < classNames.size(); k++) {
            String name = classNames.get(k);
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("class name " + k + " is " + (name == null ? "null" : "empty")
                        + ", expected a non-empty name");
            }
            Integer earlier = seen.putIfAbsent(name, k);
            if (earlier != null) {
                throw new IllegalArgumentException("class name " + k + " \"" + name + "\" repeats class name "
                        + earlier + ", expected distinct names");
            }
        }
        if (binarizeThreshold != null && !Double.isFinite(binarizeThreshold)) {
            throw new IllegalArgumentException("binarizeThreshold is " + binarizeThreshold
                    + ", expected a finite number or null");
        }
        Parameters copy = parameters.copy();
        int numFeatures = copy.numFeatures();
        float[] weights = copy.weights();
        for (int i = 0; i < weights.length; i++) {
            if (!Float.isFinite(weights[i])) {
                throw new IllegalArgumentException("weights[" + i / numFeatures + "][" + i % numFeatures + "] is "
                        + weights[i] + ", expected a finite number");
            }
        }
        float[] bias = copy.bias();
        for (int k = 0; k < bias.length; k++) {
            if (!Float.isFinite(bias[k])) {
                throw new IllegalArgumentException("bias[" + k + "] is " + bias[k] + ", expected a finite number");
            }
        }
        this.parameters = copy;
        this.classNames = List.copyOf(classNames);
        this.binarizeThreshold = binarizeThreshold;
        this.training = training;
    }

    public int numClasses() {
        return parameters.numClasses();
    }

    public int numFeatures() {
        return parameters.numFeatures();
    }

    /** A fresh copy of the weights and bias; changing it does not change this model. */
    public Parameters parameters() {
        return parameters.copy();
    }

    /** W[k][j], the weight of feature j in the score of class k. */
    public float weight(int k, int j) {
        Objects.checkIndex(k, numClasses());
        Objects.checkIndex(j, numFeatures());
        return parameters.weight(k, j);
    }

    public float bias(int k) {
        return parameters.bias()[Objects.checkIndex(k, numClasses())];
    }

    /** The K class names, unmodifiable, in model order. */
    public List<String> classNames() {
        return classNames;
    }

    /** The inputs' threshold at training, or null when inputs were not binarised. */
    public Double binarizeThreshold() {
        return binarizeThreshold;
    }

    public TrainingInfo training() {
        return training;
    }

    /** Equal weights and bias bit for bit (so 0.0 differs from -0.0), names, threshold and training info. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Model m && m.parameters.equals(parameters) && m.classNames.equals(classNames)
                && Objects.equals(m.binarizeThreshold, binarizeThreshold) && m.training.equals(training);
    }

    @Override
    public int hashCode() {
        return Objects.hash(parameters, classNames, binarizeThreshold, training);
    }

    @Override
    public String toString() {
        return "Model[" + numClasses() + " classes x " + numFeatures() + " features, classes=" + classNames
                + ", binarizeThreshold=" + binarizeThreshold + ", stopReason=" + training.stopReason() + "]";
    }
}
