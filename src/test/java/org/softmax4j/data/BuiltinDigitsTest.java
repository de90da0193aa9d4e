package org.softmax4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;

import org.junit.jupiter.api.Test;

class BuiltinDigitsTest {
    private static final int[] CLASS_COUNTS = {178, 182, 177, 183, 181, 182, 181, 179, 174, 180};
    private static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    @Test
    void binaryDigitsAtTheDefaultThreshold() {
        BinaryDataset data = BuiltinDigits.load();
        assertEquals(1797, data.numExamples());
        assertEquals(64, data.numFeatures());
        assertEquals(DIGITS, data.classNames());
        assertArrayEquals(CLASS_COUNTS, data.classCounts());
        assertEquals("built-in digits", data.source());
        long set = 0;
        for (long word : data.words()) {
            set += Long.bitCount(word);
        }
        assertEquals(0.323, (double) set / (1797 * 64), 0.0005);
    }

    @Test
    void countsWithoutAThreshold() {
        DenseDataset data = assertInstanceOf(DenseDataset.class, BuiltinDigits.load(null));
        assertEquals(1797, data.numExamples());
        assertArrayEquals(CLASS_COUNTS, data.classCounts());
        float max = 0;
        for (float v : data.values()) {
            max = Math.max(max, v);
            assertEquals(Math.rint(v), v);
        }
        assertEquals(16f, max);
        // The first row of the resource, as in the UCI file: a zero.
        assertEquals(0, data.label(0));
        assertEquals(5f, data.feature(0, 2));
        assertEquals(13f, data.feature(0, 3));
    }

    @Test
    void binarizingTheCountsMatchesTheBuiltInBits() {
        DenseDataset counts = (DenseDataset) BuiltinDigits.load(null);
        BinaryDataset bits = BuiltinDigits.load();
        for (int n = 0; n < counts.numExamples(); n++) {
            for (int j = 0; j < 64; j++) {
                assertEquals(counts.feature(n, j) >= BuiltinDigits.DEFAULT_THRESHOLD ? 1f : 0f, bits.feature(n, j));
            }
            assertEquals(counts.label(n), bits.label(n));
        }
    }
}
