package org.softmax4j.data;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.softmax4j.MemoryShortage;

class MemoryEstimateTest {
    @TempDir
    Path dir;

    /** 20,000 rows of "0.25,0.5,0.75,1.25,a": 5 values in 20 bytes, so 4 bytes of text per value. */
    private Path dense(String name, boolean gzip) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream out = gzip ? new GZIPOutputStream(raw) : raw;
             Writer writer = new java.io.OutputStreamWriter(out, StandardCharsets.US_ASCII)) {
            for (int i = 0; i < 20_000; i++) {
                writer.write("0.25,0.5,0.75,1.25,a\n");
            }
        }
        return file;
    }

    @Test
    void denseValuesNeedFourBytesEach() throws IOException {
        Path file = dense("dense.csv", false);
        // 420,000 bytes at 21 bytes per row: 20,000 rows of 4 floats and a label, 20 bytes each.
        assertEquals(400_000, MemoryEstimate.leastBytes(file, CsvOptions.defaults()), 1);
        assertEquals(180_000, MemoryEstimate.leastBytes(file, CsvOptions.defaults().withBinarizeThreshold(0.5)), 1,
                "binarized: the 4 bits in one 8-byte word and a byte of label per row");
    }

    @Test
    void gzipIsMeasuredByItsRecordedUncompressedSize() throws IOException {
        Path file = dense("dense.csv.gz", true);
        assertTrue(Files.size(file) < 100_000, "the test file compresses");
        // Too small compressed to be sampled (under 256 KiB): unsure, so no estimate.
        assertEquals(0, MemoryEstimate.leastBytes(file, CsvOptions.defaults()));
        Path big = dir.resolve("big.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(big));
             Writer writer = new java.io.OutputStreamWriter(out, StandardCharsets.US_ASCII)) {
            java.util.SplittableRandom random = new java.util.SplittableRandom(1);
            for (int i = 0; i < 200_000; i++) {
                // Random digits so that the file stays over 256 KiB compressed: 4 values in 16 bytes.
                writer.write(String.format(java.util.Locale.ROOT, "%03d,%03d,%03d,%d\n", random.nextInt(1000),
                        random.nextInt(1000), random.nextInt(1000), random.nextInt(10)));
            }
        }
        assertTrue(Files.size(big) > (1 << 18));
        // 3,200,000 uncompressed bytes at 16 bytes per row: 200,000 rows of 3 floats and a label.
        assertEquals(3_200_000, MemoryEstimate.leastBytes(big, CsvOptions.defaults()), 3_200_000 * 0.01);
    }

    @Test
    void aFileThatCannotFitIsRefusedWithTheNeedAndTheRemedy() throws IOException {
        Path file = dense("dense.csv", false);
        MemoryShortage e = assertThrows(MemoryShortage.class, () -> MemoryEstimate.check(file, CsvOptions.defaults(), 300_000));
        assertTrue(e.getMessage().startsWith(file + ": its values need at least 390.6 KiB in memory, more than the "
                + "293.0 KiB this JVM has left"), e.getMessage());
        assertTrue(e.getMessage().contains("JAVA_OPTS=-Xmx1g"), e.getMessage());
        assertDoesNotThrow(() -> MemoryEstimate.check(file, CsvOptions.defaults(), 500_000));
        assertDoesNotThrow(() -> MemoryEstimate.check(file, CsvOptions.defaults().withBinarizeThreshold(0.5), 300_000), "bit-packed it fits");
    }

    @Test
    void zeroOneFeaturesArePackedWhateverTheLabelAndTheHeader() throws IOException {
        Path file = dir.resolve("bits.csv");
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            writer.write("x1,x2,x3,x4,x5,x6,x7,x8,digit\n");
            for (int i = 0; i < 20_000; i++) {
                writer.write("0,1,1,0,0,0,1,1," + (i % 10) + "\n");
            }
        }
        // 20,000 rows of 8 bits (one 8-byte word) and a byte of label; the header line counts in the size only.
        assertEquals(180_000, MemoryEstimate.leastBytes(file, CsvOptions.defaults()), 180);
        assertEquals(180_000, MemoryEstimate.leastBytes(file, CsvOptions.defaults().withLabelColumn(9)), 180);
    }

    @Test
    void theSuggestedHeapHasRoomToSpare() {
        assertEquals("-Xmx1g", MemoryShortage.suggestedXmx(100e6));
        assertEquals("-Xmx8g", MemoryShortage.suggestedXmx(5e9));
    }
}
