package org.softmax4j.data;

final class Labels {
    private Labels() {
    }

    static void check(int[] labels, int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("no class names");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("label of example " + i + " is " + labels[i]
                        + ", expected 0.." + (numClasses - 1));
            }
        }
    }

    // Labels of one byte each, read unsigned.
    static void check(byte[] labels, int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("no class names");
        }
        for (int i = 0; i < labels.length; i++) {
            if ((labels[i] & 0xFF) >= numClasses) {
                throw new IllegalArgumentException("label of example " + i + " is " + (labels[i] & 0xFF)
                        + ", expected 0.." + (numClasses - 1));
            }
        }
    }
}
