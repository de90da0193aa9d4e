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
        // 420,000 bytes at 21 bytes per 5 values: 100,000 values, 400,000 bytes as floats.
        assertEquals(400_000, MemoryEstimate.leastBytes(file, false), 1);
        assertEquals(12_500, MemoryEstimate.leastBytes(file, true), 1, "binarized: a bit per value");
    }

    @Test
    void gzipIsMeasuredByItsRecordedUncompressedSize() throws IOException {
        Path file = dense("dense.csv.gz", true);
        assertTrue(Files.size(file) < 100_000, "the test file compresses");
        // Too small compressed to be sampled (under 256 KiB): unsure, so no estimate.
        assertEquals(0, MemoryEstimate.leastBytes(file, false));
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
        // 3,200,000 uncompressed bytes at 4 bytes per value (the label counted as a value): 800,000 values.
        assertEquals(3_200_000, MemoryEstimate.leastBytes(big, false), 3_200_000 * 0.01);
    }

    @Test
    void aFileThatCannotFitIsRefusedWithTheNeedAndTheRemedy() throws IOException {
        Path file = dense("dense.csv", false);
        MemoryShortage e = assertThrows(MemoryShortage.class, () -> MemoryEstimate.check(file, false, 300_000));
        assertTrue(e.getMessage().startsWith(file + ": its values need at least 390.6 KiB in memory, more than the "
                + "293.0 KiB this JVM has left"), e.getMessage());
        assertTrue(e.getMessage().contains("JAVA_OPTS=-Xmx1g"), e.getMessage());
        assertDoesNotThrow(() -> MemoryEstimate.check(file, false, 500_000));
        assertDoesNotThrow(() -> MemoryEstimate.check(file, true, 300_000), "bit-packed it fits");
    }

    @Test
    void theSuggestedHeapHasRoomToSpare() {
        assertEquals("-Xmx1g", MemoryShortage.suggestedXmx(100e6));
        assertEquals("-Xmx8g", MemoryShortage.suggestedXmx(5e9));
    }
}
