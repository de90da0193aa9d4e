package org.softmax4j.engine.cuda;

import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

import jcuda.Pointer;

/**
 * Seeded random data written straight into device buffers, for timing at sizes no Java array holds (10^7 dense rows of
 * 784 floats are 31 GB). The host generates fixed chunks of elements, each cut into parts filled in parallel by their
 * own {@link SplittableRandom}; chunk c+1 is generated while chunk c is copied to the device. The values depend on the
 * seed and the element index alone, not on the number of threads.
 *
 * <p>The same distributions as the bench and scripts/numpy_baseline.py: binary features on with
 * probability {@link #BIT_DENSITY} (the binarized digits' density), dense features uniform in [0, 1), labels uniform.
 */
final class RandomDeviceData {
    /** Elements per host chunk: 256 MB of floats or ints, 512 MB of longs; two chunks are live at a time. */
    static final int CHUNK_ELEMENTS = 1 << 26;
    /** 1323/4096 = 0.32300: the probability of a set bit, a 12-digit binary fraction (see {@link #bits}). */
    static final int DENSITY_NUMERATOR = 1323;
    static final int DENSITY_DIGITS = 12;
    static final double BIT_DENSITY = DENSITY_NUMERATOR / (double) (1 << DENSITY_DIGITS);

    private RandomDeviceData() {
    }

    /** Fills elements [from, to) of one host chunk. */
    @FunctionalInterface
    interface RangeFill<A> {
        void fill(A array, int from, int to, SplittableRandom random);
    }

    /** {@code count} 64-bit words, each bit on with probability {@link #BIT_DENSITY}, into {@code target}. */
    static void words(DeviceBuffer target, long count, long seed) {
        upload(target, count, Long.BYTES, long[]::new, Pointer::to, RandomDeviceData::bits, seed);
    }

    /** {@code count} floats uniform in [0, 1) (24 random bits each), into {@code target}. */
    static void uniformFloats(DeviceBuffer target, long count, long seed) {
        upload(target, count, Float.BYTES, float[]::new, Pointer::to, RandomDeviceData::uniform, seed);
    }

    /** {@code count} ints uniform in 0..numClasses-1, into {@code target}. */
    static void labels(DeviceBuffer target, long count, int numClasses, long seed) {
        upload(target, count, Integer.BYTES, int[]::new, Pointer::to,
                (array, from, to, random) -> {
                    for (int i = from; i < to; i++) {
                        array[i] = random.nextInt(numClasses);
                    }
                }, seed);
    }

    /**
     * Bits with probability DENSITY_NUMERATOR / 2^DENSITY_DIGITS: from the last binary digit of that fraction to the
     * first, x = digit ? (r | x) : (r & x) with a fresh random word r; each step maps P(bit) = q to (digit + q) / 2.
     */
    static void bits(long[] array, int from, int to, SplittableRandom random) {
        for (int i = from; i < to; i++) {
            long x = 0;
            for (int digit = 0; digit < DENSITY_DIGITS; digit++) {
                long r = random.nextLong();
                x = ((DENSITY_NUMERATOR >>> digit) & 1) != 0 ? (r | x) : (r & x);
            }
            array[i] = x;
        }
    }

    /** Two floats per random long: the top 24 bits and the next 24, each times 2^-24. */
    static void uniform(float[] array, int from, int to, SplittableRandom random) {
        int i = from;
        for (; i + 1 < to; i += 2) {
            long r = random.nextLong();
            array[i] = (r >>> 40) * 0x1.0p-24f;
            array[i + 1] = ((r >>> 16) & 0xFFFFFF) * 0x1.0p-24f;
        }
        if (i < to) {
            array[i] = (random.nextLong() >>> 40) * 0x1.0p-24f;
        }
    }

    private static <A> void upload(DeviceBuffer target, long count, int elementBytes, IntFunction<A> allocate,
                                   java.util.function.Function<A, Pointer> pointer, RangeFill<A> fill, long seed) {
        if (count * elementBytes > target.bytes()) {
            throw new IllegalArgumentException(count + " elements of " + elementBytes + " bytes do not fit in "
                    + target.bytes() + " bytes");
        }
        long chunks = (count + CHUNK_ELEMENTS - 1) / CHUNK_ELEMENTS;
        if (chunks == 0) {
            return;
        }
        int chunkSize = (int) Math.min(CHUNK_ELEMENTS, count);
        @SuppressWarnings("unchecked")
        A[] stage = (A[]) new Object[]{allocate.apply(chunkSize), chunks > 1 ? allocate.apply(chunkSize) : null};
        ExecutorService generator = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "random-device-data");
            thread.setDaemon(true);
            return thread;
        });
        try {
            Future<?> next = generator.submit(() -> fillChunk(stage[0], 0, count, fill, seed));
            for (long chunk = 0; chunk < chunks; chunk++) {
                await(next);
                if (chunk + 1 < chunks) {
                    long following = chunk + 1;
                    next = generator.submit(() -> fillChunk(stage[(int) (following % 2)], following, count, fill,
                            seed));
                }
                long first = chunk * CHUNK_ELEMENTS;
                long elements = Math.min(CHUNK_ELEMENTS, count - first);
                target.upload(pointer.apply(stage[(int) (chunk % 2)]), first * elementBytes, elements * elementBytes);
            }
        } finally {
            generator.shutdownNow();
        }
    }

    /** Chunk {@code chunk}'s elements, in parts of at most 2^20 filled in parallel, each part by its own seed. */
    private static <A> void fillChunk(A array, long chunk, long count, RangeFill<A> fill, long seed) {
        long first = chunk * CHUNK_ELEMENTS;
        int elements = (int) Math.min(CHUNK_ELEMENTS, count - first);
        int partSize = 1 << 20;
        int parts = (elements + partSize - 1) / partSize;
        IntStream.range(0, parts).parallel().forEach(part -> {
            int from = part * partSize;
            int to = Math.min(elements, from + partSize);
            fill.fill(array, from, to, new SplittableRandom(mix(seed, (first + from) / partSize)));
        });
    }

    /** A seed per (seed, part), well spread (Stafford's mix13 of a Weyl step), so neighbouring parts differ. */
    static long mix(long seed, long part) {
        long z = seed * 0x9E3779B97F4A7C15L + part * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void await(Future<?> future) {
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while generating data", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("generating data failed: " + e.getCause(), e.getCause());
        }
    }
}
