package org.softmax4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** {@link SplitMix64} draws what {@link SplittableRandom} draws, and its state is all a restart needs. */
class SplitMix64Test {
    @Test
    void drawsTheStreamOfSplittableRandom() {
        int[] bounds = {1, 2, 3, 7, 64, 1000, 1797, 65_536, 1 << 30, (1 << 30) + 1, Integer.MAX_VALUE};
        for (long seed : new long[] {0, 1, 2, -1, 42, Long.MIN_VALUE, 0x9e3779b97f4a7c15L}) {
            SplittableRandom expected = new SplittableRandom(seed);
            SplitMix64 actual = new SplitMix64(seed);
            for (int i = 0; i < 200_000; i++) {
                int bound = bounds[i % bounds.length];
                assertEquals(expected.nextInt(bound), actual.nextInt(bound), "seed " + seed + ", draw " + i);
            }
        }
    }

    @Test
    void aGeneratorMadeFromTheStateDrawsWhatTheFirstDrawsNext() {
        SplitMix64 first = new SplitMix64(7);
        for (int i = 0; i < 1000; i++) {
            first.nextInt(1 + i);
        }
        SplitMix64 second = new SplitMix64(first.state());
        for (int i = 0; i < 1000; i++) {
            assertEquals(first.nextInt(1 << 30 | i), second.nextInt(1 << 30 | i));
        }
    }
}
