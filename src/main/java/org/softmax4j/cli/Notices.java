package org.softmax4j.cli;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;

/** Short lines shared by several commands. */
final class Notices {
    private Notices() {
    }

    static String representation(Dataset data) {
        return data instanceof BinaryDataset ? "bit-packed binary" : "dense float";
    }
}
