package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The host side of the timing data (no GPU needed): the distributions and their dependence on the seed alone. */
class RandomDeviceDataTest {
    @Test
    void bitsAreOnWithTheDigitsDensity() {
        long[] words = new long[100_000];
        RandomDeviceData.bits(words, 0, words.length, new SplittableRandom(7));
        long set = 0;
        for (long word : words) {
            set += Long.bitCount(word);
        }
        double density = set / (64.0 * words.length);
        // 6.4e6 bits: the standard deviation of the density is ~1.8e-4.
        assertEquals(0.323, RandomDeviceData.BIT_DENSITY, 1e-4);
        assertEquals(RandomDeviceData.BIT_DENSITY, density, 1e-3, "fraction of bits set");
    }

    @Test
    void uniformFloatsFillEveryElementInZeroToOne() {
        float[] values = new float[100_001];
        java.util.Arrays.fill(values, Float.NaN);
        RandomDeviceData.uniform(values, 0, values.length, new SplittableRandom(7));
        double sum = 0;
        for (float value : values) {
            assertTrue(value >= 0f && value < 1f, "value " + value + " outside [0, 1)");
            sum += value;
        }
        assertEquals(0.5, sum / values.length, 0.005, "mean");
    }

    @Test
    void oddRangesAreFilledToTheirEnd() {
        float[] values = new float[5];
        java.util.Arrays.fill(values, -1f);
        RandomDeviceData.uniform(values, 1, 4, new SplittableRandom(3));
        assertEquals(-1f, values[0]);
        assertEquals(-1f, values[4]);
        for (int i = 1; i < 4; i++) {
            assertTrue(values[i] >= 0f && values[i] < 1f);
        }
    }

    @Test
    void partSeedsDependOnSeedAndPartOnly() {
        assertEquals(RandomDeviceData.mix(5, 3), RandomDeviceData.mix(5, 3));
        assertNotEquals(RandomDeviceData.mix(5, 3), RandomDeviceData.mix(5, 4));
        assertNotEquals(RandomDeviceData.mix(5, 3), RandomDeviceData.mix(6, 3));
        long[] a = new long[16];
        long[] b = new long[16];
        RandomDeviceData.bits(a, 0, 16, new SplittableRandom(RandomDeviceData.mix(1, 2)));
        RandomDeviceData.bits(b, 0, 16, new SplittableRandom(RandomDeviceData.mix(1, 2)));
        assertArrayEquals(a, b);
    }
}
