package org.softmax4j.train;

import org.softmax4j.data.Dataset;

/**
 * The weight of each example in F: ω_n = s_n · c_{y_n}, from sample weights s (one per example) and class weights c
 * (one per class), either of which may be absent (all 1).
 */
public final class ExampleWeights {
    private ExampleWeights() {
    }

    /** scikit-learn's "balanced": c_k = N / (K · count_k); a class with no examples gets 1 (it never counts). */
    public static double[] balanced(Dataset data) {
        int[] counts = data.classCounts();
        double[] weights = new double[counts.length];
        for (int k = 0; k < counts.length; k++) {
            weights[k] = counts[k] == 0 ? 1.0
                    : (double) data.numExamples() / ((double) counts.length * counts[k]);
        }
        return weights;
    }

    /** ω_n = s_n · c_{y_n}; null when both are null (every ω_n = 1). */
    public static double[] combine(Dataset data, double[] sampleWeights, double[] classWeights) {
        if (sampleWeights == null && classWeights == null) {
            return null;
        }
        int numExamples = data.numExamples();
        if (sampleWeights != null && sampleWeights.length != numExamples) {
            throw new IllegalArgumentException("sample weights has " + sampleWeights.length + " values, expected "
                    + numExamples + " (one per example)");
        }
        if (classWeights != null && classWeights.length != data.numClasses()) {
            throw new IllegalArgumentException("class weights has " + classWeights.length + " values, expected "
                    + data.numClasses() + " (one per class)");
        }
        double[] weights = new double[numExamples];
        for (int n = 0; n < numExamples; n++) {
            double s = sampleWeights == null ? 1.0 : sampleWeights[n];
            double c = classWeights == null ? 1.0 : classWeights[data.label(n)];
            if (!(s >= 0) || Double.isInfinite(s) || !(c >= 0) || Double.isInfinite(c)) {
                throw new IllegalArgumentException("example " + n + " has sample weight " + s + " and class weight "
                        + c + ", expected finite numbers >= 0");
            }
            weights[n] = s * c;
        }
        return weights;
    }

    /** The weights of the given examples, in the given order (for splits); null stays null. */
    public static double[] select(double[] weights, int[] examples) {
        if (weights == null) {
            return null;
        }
        double[] selected = new double[examples.length];
        for (int i = 0; i < examples.length; i++) {
            selected[i] = weights[examples[i]];
        }
        return selected;
    }
}
