package org.softmax4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The row store gives the same data set whatever the blocks: a count given in advance that is right, too high, too
 * low or absent; rows unpacked from bits to floats in the middle of a block; labels widened past 255.
 */
class RowStoreTest {
    private static List<String> names(int count) {
        List<String> names = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            names.add(Integer.toString(k));
        }
        return names;
    }

    // Row n: bits from CsvFiles' pattern, or for rows from nonBinaryFrom on, the same with feature 0 set to n + 0.5.
    private static float value(int n, int j, int nonBinaryFrom) {
        return j == 0 && n >= nonBinaryFrom ? n + 0.5f : CsvFiles.bit(n, j);
    }

    private static Dataset store(int rows, int numFeatures, int numClasses, int nonBinaryFrom, int expectedRows) {
        RowStore store = new RowStore(numFeatures, true, true, expectedRows);
        float[] row = new float[numFeatures];
        for (int n = 0; n < rows; n++) {
            for (int j = 0; j < numFeatures; j++) {
                row[j] = value(n, j, nonBinaryFrom);
            }
            assertTrue(store.add(row, n < nonBinaryFrom, (n * 7) % numClasses));
        }
        assertEquals(rows, store.size());
        return store.toDataset(null, names(numClasses), "test");
    }

    private static void assertRows(Dataset data, int rows, int numFeatures, int numClasses, int nonBinaryFrom) {
        assertEquals(rows, data.numExamples());
        for (int n = 0; n < rows; n++) {
            assertEquals((n * 7) % numClasses, data.label(n), "label of row " + n);
            for (int j = 0; j < numFeatures; j++) {
                assertEquals(value(n, j, nonBinaryFrom), data.feature(n, j), "row " + n + " feature " + j);
            }
        }
    }

    @Test
    void anyCountGivesTheSameRows() {
        int rows = 5000;
        for (int numFeatures : new int[] {1, 64, 200}) {
            for (int expected : new int[] {0, rows, rows + 3, rows - 1000, 1}) {
                Dataset binary = store(rows, numFeatures, 10, rows, expected);
                assertInstanceOf(BinaryDataset.class, binary);
                assertRows(binary, rows, numFeatures, 10, rows);
                Dataset dense = store(rows, numFeatures, 10, 3333, expected);
                assertInstanceOf(DenseDataset.class, dense);
                assertRows(dense, rows, numFeatures, 10, 3333);
            }
        }
    }

    @Test
    void rowsUnpackAtAnyPointOfAnyBlock() {
        // Blocks of unknown size start at 16 rows and double: the unpacking row falls at a block's first row, its
        // last, its middle, and in the very first row.
        for (int nonBinaryFrom : new int[] {0, 1, 15, 16, 17, 47, 48, 1000}) {
            assertRows(store(1200, 70, 3, nonBinaryFrom, 0), 1200, 70, 3, nonBinaryFrom);
            assertRows(store(1200, 70, 3, nonBinaryFrom, 1200), 1200, 70, 3, nonBinaryFrom);
        }
    }

    @Test
    void labelsPast255AreWidened() {
        Dataset binary = store(2000, 10, 300, 2000, 0);
        assertInstanceOf(BinaryDataset.class, binary);
        assertRows(binary, 2000, 10, 300, 2000);
        Dataset dense = store(2000, 10, 300, 1500, 2000);
        assertRows(dense, 2000, 10, 300, 1500);
        // Byte labels read against more than 256 classes, all labels below 256.
        RowStore store = new RowStore(3, true, true, 0);
        store.add(new float[] {1, 0, 1}, true, 255);
        Dataset wide = store.toDataset(null, names(400), "test");
        assertEquals(255, wide.label(0));
    }

    @Test
    void classIndicesReplaceLabelIds() {
        RowStore store = new RowStore(2, true, true, 3);
        store.add(new float[] {1, 0}, true, 0);
        store.add(new float[] {0, 1}, true, 1);
        store.add(new float[] {1, 1}, true, 0);
        Dataset data = store.toDataset(new int[] {1, 0}, List.of("x", "y"), "test");
        assertEquals(List.of(1, 0, 1), List.of(data.label(0), data.label(1), data.label(2)));
    }

    @Test
    void rowsToPredictGetLabelZero() {
        RowStore store = new RowStore(2, false, false, 0);
        store.add(new float[] {0.5f, 2}, false, 7);
        Dataset data = store.toDataset(null, List.of("x", "y"), "test");
        assertInstanceOf(DenseDataset.class, data);
        assertEquals(0, data.label(0));
        assertEquals(0.5f, data.feature(0, 0));
    }
}
