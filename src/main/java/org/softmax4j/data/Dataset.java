package org.softmax4j.data;

import java.util.List;

/**
 * A labelled data set in memory: N examples of D features each, and for each example a label, the index of its class
 * in {@link #classNames()}. Two representations share this interface: {@link DenseDataset} (float32 rows, any D) and
 * {@link BinaryDataset} (0/1 features bit-packed, 64 per {@code long}); a third, {@link PartitionedDataset}, is the
 * driver's view of rows held in Spark partitions, whose rows are read only where they live.
 */
public sealed interface Dataset permits DenseDataset, BinaryDataset, PartitionedDataset {

    int numExamples();

    int numFeatures();

    /** Class names in model order; label k of an example means {@code classNames().get(k)}. */
    List<String> classNames();

    default int numClasses() {
        return classNames().size();
    }

    /** The class index (0..K-1) of one example. */
    int label(int example);

    /** One feature value; for tests and slow paths, not for hot loops. */
    float feature(int example, int feature);

    /** A new data set holding the given examples in the given order (duplicates allowed). */
    Dataset select(int[] examples);

    /** Where the data came from, for messages: a file path or "built-in digits". */
    String source();

    /** How many examples of each class. */
    default int[] classCounts() {
        int[] counts = new int[numClasses()];
        for (int i = 0; i < numExamples(); i++) {
            counts[label(i)]++;
        }
        return counts;
    }
}
