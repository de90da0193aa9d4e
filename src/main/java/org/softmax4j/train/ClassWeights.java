package org.softmax4j.train;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.softmax4j.data.Dataset;

/**
 * The class weights c_k of {@code --class-weight}: {@code balanced} (N / (K·count_k), from the training set) or a list
 * {@code CLASS=W,...} (the classes not named get 1). {@link #parse} checks the text before any data is read;
 * {@link #of} checks the names against the training classes and gives the K weights.
 */
public final class ClassWeights {
    private final String text;
    private final boolean balanced;
    /** Class name → weight, in the order given. */
    private final Map<String, Double> named;

    private ClassWeights(String text, boolean balanced, Map<String, Double> named) {
        this.text = text;
        this.balanced = balanced;
        this.named = named;
    }

    /**
     * @throws IllegalArgumentException naming the item that is neither balanced nor CLASS=W with a finite W ≥ 0
     */
    public static ClassWeights parse(String text) {
        if (text.trim().equalsIgnoreCase("balanced")) {
            return new ClassWeights(text, true, Map.of());
        }
        Map<String, Double> named = new LinkedHashMap<>();
        for (String item : text.split(",", -1)) {
            int equals = item.lastIndexOf('=');
            String name = equals < 0 ? "" : item.substring(0, equals).trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("\"" + item + "\": expected balanced or CLASS=WEIGHT");
            }
            double weight;
            try {
                weight = Double.parseDouble(item.substring(equals + 1).trim());
            } catch (NumberFormatException e) {
                weight = Double.NaN;
            }
            if (!(weight >= 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("\"" + item + "\": expected a finite weight >= 0");
            }
            named.put(name, weight);
        }
        return new ClassWeights(text, false, named);
    }

    /**
     * c_k for each class of {@code train}.
     *
     * @throws IllegalArgumentException naming an item whose class is not one of the training classes
     */
    public double[] of(Dataset train) {
        if (balanced) {
            return ExampleWeights.balanced(train);
        }
        double[] weights = new double[train.numClasses()];
        Arrays.fill(weights, 1.0);
        for (Map.Entry<String, Double> entry : named.entrySet()) {
            int k = train.classNames().indexOf(entry.getKey());
            if (k < 0) {
                throw new IllegalArgumentException("\"" + entry.getKey() + "=" + entry.getValue()
                        + "\": expected balanced or CLASS=WEIGHT with a class of " + train.classNames());
            }
            weights[k] = entry.getValue();
        }
        return weights;
    }

    /** The text given. */
    @Override
    public String toString() {
        return text;
    }
}
