package org.softmax4j.data;

import java.util.List;

/** Dense float32 rows: feature j of example n is {@code values[n * numFeatures + j]}. */
public final class DenseDataset implements Dataset {
    private final float[] values;
    private final int[] labels;
    private final int numFeatures;
    private final List<String> classNames;
    private final String source;

    public DenseDataset(float[] values, int[] labels, int numFeatures, List<String> classNames, String source) {
        if (numFeatures < 1) {
            throw new IllegalArgumentException("numFeatures is " + numFeatures + ", expected at least 1");
        }
        if ((long) labels.length * numFeatures != values.length) {
            throw new IllegalArgumentException("values has " + values.length + " floats, expected " + labels.length
                    + " examples x " + numFeatures + " features = " + (long) labels.length * numFeatures);
        }
        Labels.check(labels, classNames.size());
        this.values = values;
        this.labels = labels;
        this.numFeatures = numFeatures;
        this.classNames = List.copyOf(classNames);
        this.source = source;
    }

    @Override
    public int numExamples() {
        return labels.length;
    }

    @Override
    public int numFeatures() {
        return numFeatures;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public int label(int example) {
        return labels[example];
    }

    @Override
    public float feature(int example, int feature) {
        return values[example * numFeatures + feature];
    }

    /** The row-major N×D values, shared, not copied: callers must not modify them. */
    public float[] values() {
        return values;
    }

    /** The labels, shared, not copied: callers must not modify them. */
    public int[] labels() {
        return labels;
    }

    @Override
    public DenseDataset select(int[] examples) {
        float[] selected = new float[Math.multiplyExact(examples.length, numFeatures)];
        int[] selectedLabels = new int[examples.length];
        for (int i = 0; i < examples.length; i++) {
            System.arraycopy(values, examples[i] * numFeatures, selected, i * numFeatures, numFeatures);
            selectedLabels[i] = labels[examples[i]];
        }
        return new DenseDataset(selected, selectedLabels, numFeatures, classNames, source);
    }

    @Override
    public String source() {
        return source;
    }
}
