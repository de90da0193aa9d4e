package org.softmax4j.data;

/** How feature values read from a file are stored in memory. */
public enum Representation {
    /** {@link BinaryDataset} when every feature value is exactly 0 or 1, else {@link DenseDataset}. */
    AUTO,
    /** Always {@link DenseDataset}. */
    DENSE,
    /** Always {@link BinaryDataset}; a value other than 0 or 1 is an error. */
    BINARY
}
