package org.softmax4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.softmax4j.MemoryShortage;

// Before a CSV file is read: whether its values can fit in this JVM's heap at all. The number of values is estimated
// from the file's size (for gzip, the uncompressed size its trailer records, modulo 2^32, or the compressed size if
// larger) and the bytes per value of its first lines; the memory they take is what the reader stores (RowStore): a
// float and an int label per row, or, when every value sampled is 0 or 1 (or a threshold binarizes them), 64-bit words
// of bits and a byte of label. The reader reads a regular file into arrays of exactly that size (plus fixed buffers),
// so this is its need. Only a file that cannot fit is refused, before any row is read; the rest is left to the reader,
// and an OutOfMemoryError on the way is turned into the same kind of message by the command line.
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
     * The memory the file's rows take once read: per row, its features as floats and an int label, or when every
     * feature sampled is 0 or 1 (or a threshold binarizes them) its bits in 64-bit words and a byte of label (at most
     * 256 classes, the least); rows estimated from the file's size and the sampled lines' length. 0 when the file is
     * too small or too odd to tell.
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
        // The sample is read as the reader reads (bytes, no String per line or field), so that sampling a wide file
        // allocates the line buffers and nothing per value.
        try (InputStream in = Files.newInputStream(file); CsvLines lines = CsvLines.open(in, file.toString())) {
            boolean first = true;
            while (bytes < SAMPLE_BYTES && lines.next()) {
                bytes += lines.end() - lines.start() + 1;
                Line line = Line.of(lines, options.labelColumn());
                if (line.fields() == 0) {
                    continue;
                }
                if (first && !line.numeric()) {
                    first = false;
                    continue;
                }
                first = false;
                rows++;
                features += line.fields() - 1;
                allBits &= line.bits();
            }
        }
        if (rows == 0) {
            return 0;
        }
        double estimatedRows = (double) textBytes * rows / bytes;
        double featuresPerRow = (double) features / rows;
        boolean packed = options.binarizeThreshold() != null || allBits;
        return estimatedRows * (packed ? Long.BYTES * Math.ceil(featuresPerRow / 64) + Byte.BYTES
                : Float.BYTES * featuresPerRow + Integer.BYTES);
    }

    /**
     * One sampled line: its fields, separated by runs of ',', ';', tabs and spaces; whether every field but the
     * label's is 0 or 1, and whether every one is a number.
     */
    private record Line(int fields, boolean bits, boolean numeric) {
        // labelColumn: 1-based, or null for the last field.
        static Line of(CsvLines lines, Integer labelColumn) {
            byte[] b = lines.bytes();
            int end = lines.end();
            int label = labelColumn == null ? -1 : labelColumn - 1;
            int count = 0;
            boolean bits = true;
            boolean numeric = true;
            // The last field's kind, held back until the next one shows that it was not the label.
            boolean lastBits = true;
            boolean lastNumeric = true;
            for (int i = lines.start(); ; ) {
                while (i < end && isSeparator(b[i])) {
                    i++;
                }
                if (i == end) {
                    break;
                }
                int start = i;
                while (i < end && !isSeparator(b[i])) {
                    i++;
                }
                if (count > 0 && label < 0) {
                    bits &= lastBits;
                    numeric &= lastNumeric;
                }
                lastBits = i - start == 1 && (b[start] == '0' || b[start] == '1');
                lastNumeric = CsvNumbers.looksLikeNumber(b, start, i);
                if (label >= 0 && count != label) {
                    bits &= lastBits;
                    numeric &= lastNumeric;
                }
                count++;
            }
            return new Line(count, bits, numeric);
        }
    }

    private static boolean isSeparator(byte c) {
        return c == ',' || c == ';' || c == '\t' || c == ' ';
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
