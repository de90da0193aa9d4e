package org.softmax4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading takes the data set's own bytes plus a fixed allowance, measured as every byte the reading thread allocates
 * (an upper bound of the peak): a regular file, plain or gzip, is read into arrays of its exact size; a stream costs one
 * more copy. Rows that grew by half and were trimmed at the end allocated about 3 to 4 times the data set, and fail
 * these bounds.
 */
class CsvLoadMemoryTest {
    // The reader's buffers (64 KiB each for the file, the lines and gzip, twice for the two passes), the parser's
    // per-column arrays, the features' profile, the label table, and for a stream the unused end of its last block
    // (at most 1 MiB): none of them grows with the rows.
    private static final long FIXED_BYTES = 2L << 20;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    static Path dir;
    private static Path dense;
    private static Path denseGzip;
    private static Path binary;

    /** 20,000 rows of 200 one-decimal values (16 MB as floats) and 300,000 rows of 64 bits (2.4 MB as words). */
    @BeforeAll
    static void writeFiles() throws IOException {
        SplittableRandom random = new SplittableRandom(5);
        StringBuilder text = new StringBuilder();
        for (int n = 0; n < 20_000; n++) {
            for (int j = 0; j < 200; j++) {
                text.append(random.nextInt(10)).append('.').append(random.nextInt(10)).append(',');
            }
            text.append(n % 10).append('\n');
        }
        dense = Files.writeString(dir.resolve("dense.csv"), header(200) + text,
                StandardCharsets.US_ASCII);
        denseGzip = dir.resolve("dense.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(denseGzip));
             Writer writer = new java.io.OutputStreamWriter(out, StandardCharsets.US_ASCII)) {
            writer.write(text.toString());
        }
        binary = dir.resolve("binary.csv");
        try (Writer writer = Files.newBufferedWriter(binary, StandardCharsets.US_ASCII)) {
            StringBuilder row = new StringBuilder();
            for (int n = 0; n < 300_000; n++) {
                row.setLength(0);
                for (int j = 0; j < 64; j++) {
                    row.append(random.nextInt(2)).append(',');
                }
                // A blank line now and then: counted out, as the reader skips it.
                row.append(n % 10).append(n % 1000 == 0 ? "\n \n" : "\n");
                writer.write(row.toString());
            }
        }
    }

    private static String header(int numFeatures) {
        StringBuilder header = new StringBuilder();
        for (int j = 0; j < numFeatures; j++) {
            header.append('x').append(j).append(',');
        }
        return header.append("label\n").toString();
    }

    private record Loaded(Dataset data, long allocated) {
    }

    // The second of two loads: the first loads classes and compiles code, which allocates on this thread too.
    private static Loaded load(Supplier<Dataset> read) {
        read.get();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        Dataset data = read.get();
        return new Loaded(data, THREADS.getCurrentThreadAllocatedBytes() - before);
    }

    private static long bytesOf(Dataset data) {
        if (data instanceof BinaryDataset bits) {
            return bits.memoryBytes();
        }
        return 4L * data.numExamples() * (data.numFeatures() + 1);
    }

    private static void assertAllocatedAtMost(Loaded loaded, double timesData, String what) {
        long data = bytesOf(loaded.data);
        long bound = (long) (timesData * data) + FIXED_BYTES;
        assertTrue(loaded.allocated <= bound, what + " allocated " + loaded.allocated + " bytes for a data set of "
                + data + " bytes, more than " + timesData + " times it plus " + FIXED_BYTES);
    }

    @Test
    void aFileIsReadIntoArraysOfItsExactSize() {
        Loaded loaded = load(() -> CsvReader.read(dense, CsvOptions.defaults()));
        assertInstanceOf(DenseDataset.class, loaded.data);
        assertEquals(20_000, loaded.data.numExamples());
        assertAllocatedAtMost(loaded, 1, "reading " + dense);
    }

    @Test
    void aGzipFileToo() {
        Loaded loaded = load(() -> CsvReader.read(denseGzip, CsvOptions.defaults()));
        assertEquals(20_000, loaded.data.numExamples());
        assertAllocatedAtMost(loaded, 1, "reading " + denseGzip);
    }

    @Test
    void bitPackedRowsTakeTheirWordsAndAByteOfLabel() {
        Loaded loaded = load(() -> CsvReader.read(binary, CsvOptions.defaults()));
        BinaryDataset bits = assertInstanceOf(BinaryDataset.class, loaded.data);
        assertEquals(300_000, bits.numExamples());
        assertEquals(300_000L * (8 + 1), bits.memoryBytes());
        assertAllocatedAtMost(loaded, 1, "reading " + binary);
    }

    @Test
    void aStreamIsReadIntoBlocksCopiedOnce() {
        Loaded loaded = load(() -> {
            try (InputStream in = Files.newInputStream(dense)) {
                return CsvReader.read(in, "dense.csv", CsvOptions.defaults());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals(20_000, loaded.data.numExamples());
        assertAllocatedAtMost(loaded, 2, "reading a stream of " + dense);
    }
}
