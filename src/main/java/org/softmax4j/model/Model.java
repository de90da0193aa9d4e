package org.softmax4j.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.softmax4j.data.FeatureProfile;
import org.softmax4j.engine.Parameters;

/**
 * A trained softmax regression, immutable: weights W (K×D) and bias b (K), the names of the K classes, the threshold
 * that binarised the inputs at training (to be applied to new inputs the same way), and how it was trained. Class k of
 * the model is {@code classNames().get(k)} and row k of W. A model without a bias ({@link #hasBias()} false, trained
 * with {@code --no-bias}) scores class k by w_k · x alone; its b reads as zeros. Saved and loaded by {@link ModelFile}.
 */
public final class Model {
    private final Parameters parameters;
    private final List<String> classNames;
    private final Double binarizeThreshold;
    private final TrainingInfo training;
    private final boolean hasBias;
    private final List<String> featureNames;
    private final FeatureProfile featureProfile;

    /**
     * @param parameters        copied, so later changes to it do not reach this model; every value must be finite
     * @param classNames        K distinct, non-empty names, K being {@code parameters.numClasses()}
     * @param binarizeThreshold the threshold that turned inputs into 0/1 at training (the digits use 8: 1 if
     *                          count &gt;= 8), or null when inputs were used as they are; finite when present
     * @param training          how the model was trained
     */
    public Model(Parameters parameters, List<String> classNames, Double binarizeThreshold, TrainingInfo training) {
        this(parameters, classNames, binarizeThreshold, training, true, null, null);
    }

    /**
     * As {@link #Model(Parameters, List, Double, TrainingInfo)}, with or without a bias.
     *
     * @param hasBias false for a model without a bias: every b_k of {@code parameters} must then be 0 (it is stored as
     *                +0)
     */
    public Model(Parameters parameters, List<String> classNames, Double binarizeThreshold, TrainingInfo training,
                 boolean hasBias) {
        this(parameters, classNames, binarizeThreshold, training, hasBias, null, null);
    }

    /**
     * A model that also records what it was trained on, so that new data can be checked against it.
     *
     * @param featureNames   the D names of the features (the training data's header), or null when it had none
     * @param featureProfile the training data's per-feature range, mean and zero share, or null when not known
     */
    public Model(Parameters parameters, List<String> classNames, Double binarizeThreshold, TrainingInfo training,
                 List<String> featureNames, FeatureProfile featureProfile) {
        this(parameters, classNames, binarizeThreshold, training, true, featureNames, featureProfile);
    }

    /** The whole model: with or without a bias, and with what it was trained on when known (see above). */
    public Model(Parameters parameters, List<String> classNames, Double binarizeThreshold, TrainingInfo training,
                 boolean hasBias, List<String> featureNames, FeatureProfile featureProfile) {
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
            if (!hasBias && bias[k] != 0) {
                throw new IllegalArgumentException("bias[" + k + "] is " + bias[k] + ", expected 0 in a model "
                        + "without a bias");
            }
            if (!hasBias) {
                bias[k] = 0f; // -0 and +0 alike: a model without a bias has no sign to keep
            }
        }
        this.hasBias = hasBias;
        if (featureNames != null) {
            if (featureNames.size() != numFeatures) {
                throw new IllegalArgumentException("featureNames has " + featureNames.size() + " names, expected "
                        + numFeatures + " (the number of features of the parameters)");
            }
            Map<String, Integer> seenNames = new HashMap<>();
            for (int j = 0; j < numFeatures; j++) {
                String name = featureNames.get(j);
                if (name == null) {
                    throw new IllegalArgumentException("feature name " + j + " is null, expected a name");
                }
                Integer earlier = seenNames.putIfAbsent(name, j);
                if (earlier != null) {
                    throw new IllegalArgumentException("feature name " + j + " \"" + name + "\" repeats feature name "
                            + earlier + ", expected distinct names");
                }
            }
        }
        if (featureProfile != null && featureProfile.numFeatures() != numFeatures) {
            throw new IllegalArgumentException("featureProfile has " + featureProfile.numFeatures()
                    + " features, expected " + numFeatures + " (the number of features of the parameters)");
        }
        this.featureNames = featureNames == null ? null : List.copyOf(featureNames);
        this.featureProfile = featureProfile;
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

    /** False for a model trained without a bias ({@code --no-bias}): b is fixed at 0 and is not a parameter. */
    public boolean hasBias() {
        return hasBias;
    }

    /**
     * Whether this model can start training of the given kind (the warm start of {@code train --init}): null when it
     * can, else why not, one sentence for the user. The kind (with a bias or without) is checked first, on its own,
     * so that it can be checked before the data is read.
     *
     * @param withBias    whether the training fits a bias (false for {@code --no-bias})
     * @param classNames  the training classes, or null to check the kind alone
     * @param numFeatures the training features (ignored when {@code classNames} is null)
     */
    public String warmStartProblem(boolean withBias, List<String> classNames, int numFeatures) {
        if (hasBias != withBias) {
            return withBias ? "has no bias (trained with --no-bias); add --no-bias to continue it"
                    : "has a bias, but --no-bias trains a model without one; warm-start from a model trained with "
                            + "--no-bias";
        }
        if (classNames == null) {
            return null;
        }
        if (!this.classNames.equals(classNames)) {
            return "has classes " + this.classNames + ", expected the training classes " + classNames;
        }
        if (numFeatures() != numFeatures) {
            return "has " + numFeatures() + " features, expected " + numFeatures + " as in the training data";
        }
        return null;
    }

    /** b_k; 0 in a model without a bias. */
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

    /** The D feature names of the training data's header, or null when it had none (or the file predates them). */
    public List<String> featureNames() {
        return featureNames;
    }

    /** The training data's per-feature profile, or null when not known (a version-1 model file). */
    public FeatureProfile featureProfile() {
        return featureProfile;
    }

    /**
     * This model as ONNX bytes, shaped as skl2onnx converts scikit-learn's {@code LogisticRegression}: input
     * {@code float_input} (N×D floats, binarised at {@link #binarizeThreshold()} inside the graph when the model has
     * one), outputs {@code output_label} and {@code output_probability} (a sequence of maps from class to probability).
     * See {@link org.softmax4j.onnx.OnnxExport} for the graph and the tensor-output variant.
     */
    public byte[] toOnnx() {
        return org.softmax4j.onnx.OnnxExport.toOnnx(this);
    }

    /**
     * Equal weights and bias bit for bit (so 0.0 differs from -0.0), names, threshold, training info, both with or both
     * without a bias, and the same record of the training data.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Model m && m.hasBias == hasBias && m.parameters.equals(parameters)
                && m.classNames.equals(classNames)
                && Objects.equals(m.binarizeThreshold, binarizeThreshold) && m.training.equals(training)
                && Objects.equals(m.featureNames, featureNames) && Objects.equals(m.featureProfile, featureProfile);
    }

    @Override
    public int hashCode() {
        return Objects.hash(parameters, classNames, binarizeThreshold, training, hasBias, featureNames, featureProfile);
    }

    @Override
    public String toString() {
        return "Model[" + numClasses() + " classes x " + numFeatures() + " features" + (hasBias ? "" : ", no bias")
                + ", classes=" + classNames + ", binarizeThreshold=" + binarizeThreshold + ", stopReason="
                + training.stopReason() + "]";
    }
}
