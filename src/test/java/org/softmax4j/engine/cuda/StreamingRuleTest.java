package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The streamed chunk size rule and the streaming settings: plain arithmetic, no GPU needed. */
class StreamingRuleTest {
    private static final long GIB = 1L << 30;

    @Test
    void chunksHoldAboutOneGibibyteOnALargeDevice() {
        // Binary rows of one word: 8 bytes of row and 4 of label.
        assertEquals(GIB / 12, DevicePlan.streamRowsPerChunk(0, 141 * GIB, 8, 1_000_000_000));
        // Dense rows of 784 floats.
        assertEquals(GIB / (784 * 4 + 4), DevicePlan.streamRowsPerChunk(0, 141 * GIB, 784 * 4, 10_000_000));
    }

    @Test
    void chunksTakeAtMostASixteenthOfASmallDevice() {
        assertEquals(4 * GIB / 16 / 12, DevicePlan.streamRowsPerChunk(0, 4 * GIB, 8, 1_000_000_000));
    }

    @Test
    void theChunkSizeCanBeSetAndIsClamped() {
        assertEquals(3_000, DevicePlan.streamRowsPerChunk(3_000L * 28, 141 * GIB, 24, 20_011));
        assertEquals(1, DevicePlan.streamRowsPerChunk(1, 141 * GIB, 24, 20_011), "at least one row");
        assertEquals(20_011, DevicePlan.streamRowsPerChunk(100 * GIB, 141 * GIB, 24, 20_011), "at most N rows");
        assertEquals(1, DevicePlan.streamRowsPerChunk(0, 141 * GIB, 24, 0), "one row for an empty data set");
        long rows = DevicePlan.streamRowsPerChunk(100 * GIB, 141 * GIB, 4096, Integer.MAX_VALUE);
        assertTrue(rows * (4096 + 4) < 2 * GIB, rows + " rows of 4 KiB: one chunk must stay under 2 GiB");
    }

    @Test
    void theRuleDependsOnlyOnTheDeviceAndTheShape() {
        int first = DevicePlan.streamRowsPerChunk(0, 80 * GIB, 256, 50_000_000);
        for (int i = 0; i < 3; i++) {
            assertEquals(first, DevicePlan.streamRowsPerChunk(0, 80 * GIB, 256, 50_000_000));
        }
    }

    @Test
    void settingsComeFromSystemPropertiesAndAreChecked() {
        String maxResident = System.getProperty(CudaEvaluator.MAX_RESIDENT_BYTES_PROPERTY);
        String chunk = System.getProperty(CudaEvaluator.STREAM_CHUNK_BYTES_PROPERTY);
        try {
            System.clearProperty(CudaEvaluator.MAX_RESIDENT_BYTES_PROPERTY);
            System.clearProperty(CudaEvaluator.STREAM_CHUNK_BYTES_PROPERTY);
            assertEquals(Streaming.DEFAULT, Streaming.fromSystemProperties());

            System.setProperty(CudaEvaluator.MAX_RESIDENT_BYTES_PROPERTY, " 1000 ");
            System.setProperty(CudaEvaluator.STREAM_CHUNK_BYTES_PROPERTY, "65536");
            assertEquals(new Streaming(1000, 65536), Streaming.fromSystemProperties());

            System.setProperty(CudaEvaluator.MAX_RESIDENT_BYTES_PROPERTY, "1 GB");
            IllegalArgumentException notANumber = assertThrows(IllegalArgumentException.class,
                    Streaming::fromSystemProperties);
            assertTrue(notANumber.getMessage().contains(CudaEvaluator.MAX_RESIDENT_BYTES_PROPERTY),
                    notANumber.getMessage());

            System.setProperty(CudaEvaluator.MAX_RESIDENT_BYTES_PROPERTY, "-1");
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    Streaming::fromSystemProperties);
            assertTrue(negative.getMessage().contains("-1"), negative.getMessage());
        } finally {
            restore(CudaEvaluator.MAX_RESIDENT_BYTES_PROPERTY, maxResident);
            restore(CudaEvaluator.STREAM_CHUNK_BYTES_PROPERTY, chunk);
        }
    }

    @Test
    void streamedBuffersAreTwoChunksOfRowsAndLabels() {
        assertEquals(2L * 3_000 * (24 + 4), StreamedRows.bytesFor(3_000, 24));
    }

    private static void restore(String name, String value) {
        if (value == null) {
            System.clearProperty(name);
        } else {
            System.setProperty(name, value);
        }
    }
}
