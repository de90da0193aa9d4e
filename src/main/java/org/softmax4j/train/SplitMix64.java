package org.softmax4j.train;

/**
 * The generator of the mini-batch order: SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014) with the golden-ratio gamma 0x9e3779b97f4a7c15, whose whole state is one {@code long}, so
 * that a checkpoint can store it. Its stream is that of {@code new java.util.SplittableRandom(seed)} (which hides
 * its state): each draw adds the gamma to the state and mixes it (the 32-bit mix for ints), and {@link #nextInt(int)}
 * rejects the top of the range as SplittableRandom does (SplitMix64Test compares the two draw by draw), so the
 * pinned training results did not change when it replaced SplittableRandom.
 */
final class SplitMix64 {
    private static final long GAMMA = 0x9e3779b97f4a7c15L;

    private long state;

    /** The generator seeded with {@code seed}, or restored at a {@link #state()} (the two are the same thing). */
    SplitMix64(long state) {
        this.state = state;
    }

    /** The whole state: a generator made from it draws what this one draws next. */
    long state() {
        return state;
    }

    /** A uniform int in [0, bound), bound &gt; 0. */
    int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound is " + bound + ", expected > 0");
        }
        int r = nextInt();
        int m = bound - 1;
        if ((bound & m) == 0) {
            return r & m;
        }
        // u % bound is uniform unless u falls in the last, incomplete copy of [0, bound) below 2^31: draw again.
        int u = r >>> 1;
        while (u + m - (r = u % bound) < 0) {
            u = nextInt() >>> 1;
        }
        return r;
    }

    private int nextInt() {
        state += GAMMA;
        long z = state;
        z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
        return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
    }
}
