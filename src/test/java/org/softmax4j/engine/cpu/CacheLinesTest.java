package org.softmax4j.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * {@link CacheLines} reads where arrays lie. Checked in fresh JVMs whose every object starts on a 64-byte line
 * (-XX:ObjectAlignmentInBytes=64), where the answer is known without reading an address: the first float of a line is
 * at index (64 − base)/4 for the array's base offset (12 with the usual 16-byte header), the first double at
 * (64 − base)/8. Under each way this JVM encodes references: shifted (the default heap), unshifted (a heap below
 * 4 GB) and uncompressed.
 */
class CacheLinesTest {
    @Test
    void findsTheLinesOfFreshArraysInEveryReferenceEncoding() {
        for (String[] options : new String[][] {{}, {"-Xmx512m"}, {"-XX:-UseCompressedOops"}}) {
            String answer = probe(64, options);
            String[] fields = answer.split(" ");
            assertEquals("known", fields[0], String.join(" ", options) + ": " + answer);
            int floatBase = Integer.parseInt(fields[1]);
            int doubleBase = Integer.parseInt(fields[2]);
            for (int i = 3; i < fields.length; i++) {
                String[] pair = fields[i].split("/");
                assertEquals((64 - floatBase) / 4, Integer.parseInt(pair[0]),
                        String.join(" ", options) + ": float array " + (i - 3) + " of " + answer);
                assertEquals((64 - doubleBase) / 8, Integer.parseInt(pair[1]),
                        String.join(" ", options) + ": double array " + (i - 3) + " of " + answer);
            }
            assertTrue(fields.length > 10, "arrays checked: " + answer);
        }
    }

    /**
     * With every object on a 32-byte boundary an array starts on a line or half a line from one: the first float of a
     * line is at one of two indexes 8 apart, the first double at one of two 4 apart. A wrong shift of the references
     * would put it anywhere.
     */
    @Test
    void findsTheHalfLinesOfFreshArraysAt32ByteAlignment() {
        for (String[] options : new String[][] {{}, {"-Xmx512m"}, {"-XX:-UseCompressedOops"}}) {
            String[] fields = probe(32, options).split(" ");
            int floatStart = (64 - Integer.parseInt(fields[1])) / 4;
            int doubleStart = (64 - Integer.parseInt(fields[2])) / 8;
            for (int i = 3; i < fields.length; i++) {
                String[] pair = fields[i].split("/");
                int floats = Integer.parseInt(pair[0]);
                int doubles = Integer.parseInt(pair[1]);
                assertTrue(floats == floatStart || floats == (floatStart + 8) % 16,
                        String.join(" ", options) + ": float array " + (i - 3) + " at " + floats);
                assertTrue(doubles == doubleStart || doubles == (doubleStart + 4) % 8,
                        String.join(" ", options) + ": double array " + (i - 3) + " at " + doubles);
            }
        }
    }

    @Test
    void answersWithinALineInThisJvm() {
        Object[] holder = new Object[1];
        for (int n = 0; n < 40; n++) {
            int start = CacheLines.firstLineStart(new float[n * 37 + 1], holder);
            assertTrue(start >= 0 && start < CacheLines.FLOATS, "float start " + start);
            int doubles = CacheLines.firstLineStart(new double[n * 37 + 1], holder);
            assertTrue(doubles >= 0 && doubles < 8, "double start " + doubles);
        }
        assertEquals(null, holder[0], "the holder is left empty");
    }

    /**
     * A fresh JVM's answers for arrays it allocates, "known FLOAT_BASE DOUBLE_BASE f/d f/d ...", the last pair for the
     * first two arrays again after a collection (which may have moved them).
     */
    public static void main(String[] args) {
        Object[] holder = new Object[1];
        StringBuilder answer = new StringBuilder(CacheLines.known() ? "known" : "unknown");
        answer.append(' ').append(sun.misc.Unsafe.ARRAY_FLOAT_BASE_OFFSET).append(' ')
                .append(sun.misc.Unsafe.ARRAY_DOUBLE_BASE_OFFSET);
        List<Object> keep = new ArrayList<>();
        for (int n = 1; n < 40_000; n = n * 3 + 1) {
            float[] floats = new float[n];
            double[] doubles = new double[n];
            keep.add(floats);
            keep.add(doubles);
            answer.append(' ').append(CacheLines.firstLineStart(floats, holder)).append('/')
                    .append(CacheLines.firstLineStart(doubles, holder));
        }
        System.gc();
        float[] moved = (float[]) keep.get(0);
        double[] movedDoubles = (double[]) keep.get(1);
        answer.append(' ').append(CacheLines.firstLineStart(moved, holder)).append('/')
                .append(CacheLines.firstLineStart(movedDoubles, holder));
        System.out.println(answer);
    }

    private static String probe(int alignment, String... options) {
        List<String> arguments = new ArrayList<>();
        arguments.add("-XX:ObjectAlignmentInBytes=" + alignment);
        arguments.addAll(List.of(options));
        arguments.add("-cp");
        arguments.add(FreshJvm.classPath(CacheLines.class, CacheLinesTest.class));
        arguments.add(CacheLinesTest.class.getName());
        return FreshJvm.lastLine("the cache-line probe", 60, arguments);
    }
}
