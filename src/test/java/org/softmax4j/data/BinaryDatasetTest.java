package org.softmax4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class BinaryDatasetTest {

    private static List<String> names(int count) {
        List<String> names = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            names.add("c" + k);
        }
        return names;
    }

    @Test
    void labelsTakeOneByteUpTo256ClassesAndReadBackUnsigned() {
        int n = 1000;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (i * 37) % 256;
        }
        BinaryDataset data = new BinaryDataset(new long[n], labels, 64, names(256), "test");
        // Label 255 is stored as the byte -1: it must read back as 255 (37 is odd, so some row below 256 has it).
        int row255 = -1;
        for (int i = 0; i < n && row255 < 0; i++) {
            row255 = labels[i] == 255 ? i : -1;
        }
        assertEquals(255, data.label(row255));
        for (int i = 0; i < n; i++) {
            assertEquals(labels[i], data.label(i), "label " + i);
        }
        assertArrayEquals(labels, data.labels());
        // 10^7 rows of 64 features at this rate: 80 MB of words + 10 MB of labels.
        assertEquals(8L * n + n, data.memoryBytes());
    }

    @Test
    void moreThan256ClassesKeepIntLabels() {
        int n = 600;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 300;
        }
        BinaryDataset data = new BinaryDataset(new long[n * 2], labels, 100, names(300), "test");
        for (int i = 0; i < n; i++) {
            assertEquals(labels[i], data.label(i));
        }
        assertEquals(8L * 2 * n + 4L * n, data.memoryBytes());
        assertArrayEquals(new int[] {299, 0}, data.select(new int[] {299, 300}).labels());
    }
}
