package org.softmax4j.data;

import java.nio.file.Path;
import java.util.Locale;

import org.softmax4j.MemoryShortage;

/**
 * A benchmark's main, not a test: loads one CSV file as {@code train --train FILE} does and prints one line with the
 * rows, the features, the representation, the seconds the load took (without the JVM's start) and the heap in use
 * after it. Exit 3 when the heap is too small. Run by {@code scripts/load-bench.sh}, under {@code /usr/bin/time} for
 * the peak resident set.
 */
public final class LoadTime {
    private LoadTime() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        long start = System.nanoTime();
        Dataset data;
        try {
            data = CsvReader.readProfiled(file, CsvOptions.defaults()).data();
        } catch (OutOfMemoryError | MemoryShortage e) {
            System.out.println(file + " out of memory: " + e.getMessage());
            System.exit(3);
            return;
        }
        double seconds = (System.nanoTime() - start) * 1e-9;
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        long used = runtime.totalMemory() - runtime.freeMemory();
        System.out.println(String.format(Locale.ROOT, "%s rows %d features %d %s load_s %.3f heap_after_mib %.1f",
                file.getFileName(), data.numExamples(), data.numFeatures(),
                data instanceof BinaryDataset ? "binary" : "dense", seconds, used / 1048576.0));
    }
}
