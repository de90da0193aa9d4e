package org.softmax4j.engine.cpu;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;

import com.sun.management.HotSpotDiagnosticMXBean;

import sun.misc.Unsafe;

/**
 * Where the elements of a heap array meet 64-byte cache lines. A Java array's data start 16 bytes past an address
 * that is only 8-byte aligned, and the collector may move it; so a row of 16 floats (one AVX-512 register) at an index
 * that is a multiple of 16 usually straddles two lines, and every load or store of it costs two. Evaluators that load
 * and store whole rows at random (the lookup tables and the residual accumulators of bit-packed rows) give their
 * arrays a line's worth of slack and start their rows at {@link #firstLineStart}, asked again before each evaluation:
 * if the collector moves an array in between, the next evaluation follows; if it moves it during one, that evaluation
 * runs at the old index, slower, with the same results (where the rows start never changes what is summed). An
 * evaluator that relies on rows it does not write each time being 0 (the double path builds only the table rows of
 * byte values that occur) must clear the array when the start moves: the rows written at the old start lie across the
 * new ones.
 *
 * <p>The address comes from {@code sun.misc.Unsafe} (module jdk.unsupported, as for {@code sun.misc.Signal} in the
 * CLI): the array is put into a one-slot holder and the reference read back as a number. With compressed references
 * (heaps below 32 GB) that number is the address shifted right by log2 of the object alignment (8: by 3), or the address
 * itself where the whole heap lies below 4 GB; which of the two is told apart once, from 64 fresh objects (shifted
 * numbers are not all multiples of the alignment; addresses are). A heap base, where there is one, is aligned far
 * beyond 64 bytes. Where any of this is unavailable, every index is 0: the rows where they were before, no worse.
 * Measured on this project's machine (Zen 4, one evaluation of 10^6 bit-packed rows, D = 64, K = 10, 2 threads, with
 * every object 64-byte aligned by -XX:ObjectAlignmentInBytes=64 to compare): rows on line boundaries 0.0231–0.0233 s,
 * rows 16 bytes off 0.0253–0.0262 s.
 */
final class CacheLines {
    /** Floats in a 64-byte line. */
    static final int FLOATS = 16;

    private static final Unsafe UNSAFE = unsafe();
    /** Bytes from an array's address to its first float. */
    private static final long FLOAT_BASE = UNSAFE == null ? 0 : UNSAFE.arrayBaseOffset(float[].class);
    /** Bytes from an array's address to its first double. */
    private static final long DOUBLE_BASE = UNSAFE == null ? 0 : UNSAFE.arrayBaseOffset(double[].class);
    private static final long HOLDER_BASE = UNSAFE == null ? 0 : UNSAFE.arrayBaseOffset(Object[].class);
    /** How far a reference's number is shifted right of the address; −1 where addresses cannot be read. */
    private static final int SHIFT = UNSAFE == null ? -1 : shift();

    private CacheLines() {
    }

    /**
     * Where an evaluator starts the rows of its arrays: {@link #NOW} asks this JVM at each call; tests put in a
     * placement that moves between calls, as the collector may, to check that nothing an evaluation reads was left
     * where the previous one started.
     */
    interface Placement {
        /** As {@link CacheLines#firstLineStart(float[], Object[])}. */
        int firstLineStart(float[] array, Object[] holder);

        /** As {@link CacheLines#firstLineStart(double[], Object[])}. */
        int firstLineStart(double[] array, Object[] holder);
    }

    /** The lines where they are now. */
    static final Placement NOW = new Placement() {
        @Override
        public int firstLineStart(float[] array, Object[] holder) {
            return CacheLines.firstLineStart(array, holder);
        }

        @Override
        public int firstLineStart(double[] array, Object[] holder) {
            return CacheLines.firstLineStart(array, holder);
        }
    };

    /** Whether {@link #firstLineStart} knows where the lines are in this JVM (otherwise it answers 0). */
    static boolean known() {
        return SHIFT >= 0;
    }

    /**
     * The index (0 to 15) of the first element of {@code array} that starts a 64-byte line, now; 0 where this JVM
     * does not say. {@code holder} is a one-slot array of the caller's, reused so that asking allocates nothing; it is
     * left empty.
     */
    static int firstLineStart(float[] array, Object[] holder) {
        return SHIFT < 0 ? 0 : (int) (((-(addressOf(array, holder) + FLOAT_BASE)) & 63) >>> 2);
    }

    /** As {@link #firstLineStart(float[], Object[])} for doubles: 0 to 7. */
    static int firstLineStart(double[] array, Object[] holder) {
        return SHIFT < 0 ? 0 : (int) (((-(addressOf(array, holder) + DOUBLE_BASE)) & 63) >>> 3);
    }

    private static long addressOf(Object array, Object[] holder) {
        holder[0] = array;
        long reference = UNSAFE.arrayIndexScale(Object[].class) == 4
                ? UNSAFE.getInt(holder, HOLDER_BASE) & 0xFFFF_FFFFL : UNSAFE.getLong(holder, HOLDER_BASE);
        holder[0] = null;
        return reference << SHIFT;
    }

    private static int shift() {
        try {
            if (UNSAFE.arrayIndexScale(Object[].class) != 4) {
                return 0;
            }
            int alignment = Integer.parseInt(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("ObjectAlignmentInBytes").getValue());
            Object[] objects = new Object[64];
            for (int i = 0; i < objects.length; i++) {
                objects[i] = new Object();
            }
            for (int i = 0; i < objects.length; i++) {
                long reference = UNSAFE.getInt(objects, HOLDER_BASE + 4L * i) & 0xFFFF_FFFFL;
                if (reference % alignment != 0) {
                    return Integer.numberOfTrailingZeros(alignment);
                }
            }
            return 0;
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    private static Unsafe unsafe() {
        try {
            Field field = Unsafe.class.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return (Unsafe) field.get(null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }
}
