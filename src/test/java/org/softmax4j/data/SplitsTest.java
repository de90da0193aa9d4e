package org.softmax4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.softmax4j.InputException;

class SplitsTest {
    // Classes of 50, 20, 7, 1 and 3 examples, interleaved, with feature 0 holding the row number.
    private static DenseDataset data() {
        int[] sizes = {50, 20, 7, 1, 3};
        int total = Arrays.stream(sizes).sum();
        int[] labels = new int[total];
        int[] left = sizes.clone();
        int n = 0;
        while (n < total) {
            for (int k = 0; k < sizes.length; k++) {
                if (left[k] > 0) {
                    labels[n++] = k;
                    left[k]--;
                }
            }
        }
        float[] values = new float[total * 2];
        for (int i = 0; i < total; i++) {
            values[2 * i] = i;
            values[2 * i + 1] = labels[i];
        }
        return new DenseDataset(values, labels, 2, List.of("a", "b", "c", "d", "e"), "test");
    }

    @Test
    void keepsEachClassShare() {
        Split split = Splits.stratified(data(), 0.2, 42);
        // round(c * 0.2): 10, 4, 1 (of 7: 1.4), 0 (of 1), 1 (of 3: 0.6)
        assertArrayEquals(new int[] {10, 4, 1, 0, 1}, split.test().classCounts());
        assertArrayEquals(new int[] {40, 16, 6, 1, 2}, split.train().classCounts());
    }

    @Test
    void leavesAtLeastOneExampleOfEachClassInTraining() {
        Split split = Splits.stratified(data(), 0.9, 1);
        assertArrayEquals(new int[] {45, 18, 6, 0, 2}, split.test().classCounts());
        assertArrayEquals(new int[] {5, 2, 1, 1, 1}, split.train().classCounts());
    }

    @Test
    void partsAreDisjointCoveringAndInOriginalOrder() {
        DenseDataset data = data();
        int[][] parts = Splits.stratifiedIndices(data, 0.3, 7);
        int[] all = IntStream.concat(Arrays.stream(parts[0]), Arrays.stream(parts[1])).sorted().toArray();
        assertArrayEquals(IntStream.range(0, data.numExamples()).toArray(), all);
        for (int[] part : parts) {
            for (int i = 1; i < part.length; i++) {
                assertTrue(part[i - 1] < part[i], "ascending");
            }
        }
        Split split = Splits.stratified(data, 0.3, 7);
        for (int i = 0; i < parts[1].length; i++) {
            assertEquals(parts[1][i], split.test().feature(i, 0));
            assertEquals(data.label(parts[1][i]), split.test().label(i));
        }
        for (int i = 0; i < parts[0].length; i++) {
            assertEquals(parts[0][i], split.train().feature(i, 0));
        }
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        DenseDataset data = data();
        int[][] first = Splits.stratifiedIndices(data, 0.25, 123);
        int[][] again = Splits.stratifiedIndices(data, 0.25, 123);
        int[][] other = Splits.stratifiedIndices(data, 0.25, 124);
        assertArrayEquals(first[1], again[1]);
        assertArrayEquals(first[0], again[0]);
        assertFalse(Arrays.equals(first[1], other[1]));
    }

    @Test
    void keepsTheRepresentationAndClasses() {
        BinaryDataset bits = BinaryDataset.pack(new DenseDataset(new float[] {0, 1, 1, 0, 1, 1, 0, 0},
                new int[] {0, 1, 0, 1}, 2, List.of("x", "y"), "bits"));
        Split split = Splits.stratified(bits, 0.5, 3);
        assertTrue(split.train() instanceof BinaryDataset);
        assertTrue(split.test() instanceof BinaryDataset);
        assertEquals(List.of("x", "y"), split.test().classNames());
        assertArrayEquals(new int[] {1, 1}, split.test().classCounts());
    }

    @Test
    void fractionZeroGivesAnEmptyTestSet() {
        Split split = Splits.stratified(data(), 0, 5);
        assertEquals(0, split.test().numExamples());
        assertEquals(81, split.train().numExamples());
    }

    @Test
    void rejectsFractionsOutsideZeroToOne() {
        for (double fraction : new double[] {-0.1, 1, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Splits.stratified(data(), fraction, 5));
            assertTrue(e.getMessage().contains("expected a value in [0, 1)"), e.getMessage());
        }
    }

    @Test
    void rejectsAPositiveFractionThatRoundsToNoTestExample() {
        InputException e = assertThrows(InputException.class, () -> Splits.stratified(data(), 0.005, 5));
        assertTrue(e.getMessage().startsWith("test fraction 0.005 puts none of the 81 examples of test in the test"
                + " set"), e.getMessage());
    }
}
