package org.softmax4j.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.softmax4j.MemoryShortage;

// Before a CSV file is read: whether its values can fit in this JVM's heap at all. The number of values is estimated
// from the file's size (for gzip, the uncompressed size its trailer records, modulo 2^32, or the compressed size if
// larger) and the bytes per value of its first lines; the least memory they can take is 4 bytes each as floats, or
// one bit each when every value sampled is 0 or 1 (or a threshold binarizes them). Only a file that cannot fit even
// so is refused, before any row is read; the rest is left to the reader, and an OutOfMemoryError on the way is turned
// into the same kind of message by the command line.
final class MemoryEstimate {
    /** How much of the file's start is sampled: enough lines of a wide file to measure bytes per value. */
    private static final int SAMPLE_BYTES = 1 << 18;

    private MemoryEstimate() {
    }

    /** Throws {@link MemoryShortage} when {@code file}'s values cannot fit in the heap left; silent when unsure. */
    static void check(Path file, CsvOptions options, long availableBytes) {
        double needed;
        try {
            needed = leastBytes(file, options);
        } catch (IOException | RuntimeException e) {
            return;
        }
        if (needed > availableBytes) {
            throw new MemoryShortage(file + ": its values need at least " + MemoryShortage.describeBytes(needed)
                    + " in memory, more than the " + MemoryShortage.describeBytes(availableBytes) + " this JVM "
                    + "has left (limit " + MemoryShortage.describeBytes(Runtime.getRuntime().maxMemory())
                    + "); run it with more, e.g. JAVA_OPTS=" + MemoryShortage.suggestedXmx(needed));
        }
    }

    /** The heap this JVM can still grow into. */
    static long availableBytes() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
    }

    /**
     * The least memory the file's rows can take: per row, its label (4 bytes) and its features (4 bytes each as
     * floats, or a bit each when every feature sampled is 0 or 1, or a threshold binarizes them); rows estimated from
     * the file's size and the sampled lines' length. 0 when the file is too small or too odd to tell.
     */
    static double leastBytes(Path file, CsvOptions options) throws IOException {
        long size = Files.size(file);
        if (size < SAMPLE_BYTES) {
            return 0;
        }
        boolean gzip;
        try (InputStream in = Files.newInputStream(file)) {
            gzip = in.read() == 0x1f && in.read() == 0x8b;
        }
        long textBytes = gzip ? Math.max(size, gzipRecordedSize(file)) : size;
        long rows = 0;
        long features = 0;
        long bytes = 0;
        boolean allBits = true;
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = gzip ? new GZIPInputStream(raw) : raw;
             BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            boolean first = true;
            while (bytes < SAMPLE_BYTES && (line = lines.readLine()) != null) {
                bytes += line.length() + 1;
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.split("[,;\\t ]+");
                int label = options.labelColumn() == null ? fields.length - 1 : options.labelColumn() - 1;
                boolean bits = true;
                boolean numeric = true;
                for (int i = 0; i < fields.length; i++) {
                    if (i != label) {
                        String value = fields[i].trim();
                        bits &= value.equals("0") || value.equals("1");
                        numeric &= isNumber(value);
                    }
                }
                if (first && !numeric) {
                    first = false;
                    continue;
                }
                first = false;
                rows++;
                features += fields.length - 1;
                allBits &= bits;
            }
        }
        if (rows == 0) {
            return 0;
        }
        double estimatedRows = (double) textBytes * rows / bytes;
        double featuresPerRow = (double) features / rows;
        boolean packed = options.binarizeThreshold() != null || allBits;
        return estimatedRows * (Integer.BYTES + (packed ? featuresPerRow / 8 : featuresPerRow * Float.BYTES));
    }

    private static boolean isNumber(String value) {
        try {
            Double.parseDouble(value);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The uncompressed size in a gzip file's last four bytes (ISIZE, modulo 2^32). */
    private static long gzipRecordedSize(Path file) throws IOException {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            in.seek(in.length() - 4);
            int b0 = in.read();
            int b1 = in.read();
            int b2 = in.read();
            int b3 = in.read();
            return (b0 | b1 << 8 | b2 << 16 | (long) b3 << 24) & 0xffffffffL;
        }
    }
}
