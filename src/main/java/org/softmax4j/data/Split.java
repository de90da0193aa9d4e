package org.softmax4j.data;

import java.util.Objects;

/** A data set cut in two: examples to train on and held-out examples to test on, with the same classes and features. */
public record Split(Dataset train, Dataset test) {
    public Split {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        if (!train.classNames().equals(test.classNames())) {
            throw new IllegalArgumentException("test classes are " + test.classNames() + ", expected the training"
                    + " classes " + train.classNames());
        }
        if (train.numFeatures() != test.numFeatures()) {
            throw new IllegalArgumentException("test has " + test.numFeatures() + " features, expected "
                    + train.numFeatures() + " as in train");
        }
    }
}
