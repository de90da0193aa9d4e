package org.softmax4j.data;

import java.util.SplittableRandom;

import org.softmax4j.InputException;

/** Ways to hold out part of a data set for testing. */
public final class Splits {
    private Splits() {
    }

    /**
     * A split that keeps each class's share: of each class's c examples, round(c × testFraction) drawn at random go to
     * the test set, but never all of them, so that every class present is trained on. Both parts keep the original row
     * order. The same seed gives the same split.
     *
     * @param testFraction in [0, 1); 0 gives an empty test set
     * @throws InputException when a positive fraction rounds to no test example at all
     */
    public static Split stratified(Dataset data, double testFraction, long seed) {
        int[][] parts = stratifiedIndices(data, testFraction, seed);
        return new Split(data.select(parts[0]), data.select(parts[1]));
    }

    /** The indices of {@link #stratified}: {train indices, test indices}, each ascending. */
    public static int[][] stratifiedIndices(Dataset data, double testFraction, long seed) {
        if (!(testFraction >= 0 && testFraction < 1)) {
            throw new IllegalArgumentException("testFraction is " + testFraction + ", expected a value in [0, 1)");
        }
        int numExamples = data.numExamples();
        int[] counts = data.classCounts();
        int[][] byClass = new int[counts.length][];
        for (int k = 0; k < counts.length; k++) {
            byClass[k] = new int[counts[k]];
        }
        int[] filled = new int[counts.length];
        for (int n = 0; n < numExamples; n++) {
            int k = data.label(n);
            byClass[k][filled[k]++] = n;
        }
        SplittableRandom random = new SplittableRandom(seed);
        boolean[] isTest = new boolean[numExamples];
        int numTest = 0;
        for (int[] members : byClass) {
            shuffle(members, random);
            int classTest = (int) Math.min(Math.round(members.length * testFraction), Math.max(0, members.length - 1));
            for (int i = 0; i < classTest; i++) {
                isTest[members[i]] = true;
            }
            numTest += classTest;
        }
        if (testFraction > 0 && numTest == 0) {
            throw new InputException("test fraction " + testFraction + " puts none of the " + numExamples
                    + " examples of " + data.source() + " in the test set, expected at least 1; use a larger fraction,"
                    + " or 0 for no test set");
        }
        int[] train = new int[numExamples - numTest];
        int[] test = new int[numTest];
        int numTrain = 0;
        numTest = 0;
        for (int n = 0; n < numExamples; n++) {
            if (isTest[n]) {
                test[numTest++] = n;
            } else {
                train[numTrain++] = n;
            }
        }
        return new int[][] {train, test};
    }

    // Fisher–Yates, drawing from random in a fixed order so that the result depends only on the seed.
    private static void shuffle(int[] values, SplittableRandom random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
    }
}
