package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The device plan: which kernels, which chunks, resident or streamed. Plain arithmetic, no GPU needed. */
class DevicePlanTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;
    /** An H200 with its memory free, a fused grid of 2 blocks × 132 SMs, cuBLAS loaded. */
    private static final DevicePlan.Device H200 = new DevicePlan.Device("NVIDIA H200", 139 * GIB, 141 * GIB, 264, true);

    private static DevicePlan.Shape dense(int n, int d, int k) {
        return new DevicePlan.Shape(n, d, k, false, 0, false);
    }

    private static DevicePlan.Shape binary(int n, int d, int k) {
        return new DevicePlan.Shape(n, d, k, true, (d + 63) / 64, false);
    }

    private static DevicePlan.Device withFree(long free, long total) {
        return new DevicePlan.Device("a small GPU", free, total, 16, false);
    }

    @Test
    void smallDataIsResidentOnTheFusedPathUpTo32Classes() {
        DevicePlan plan = DevicePlan.of(binary(1_797, 64, 10), H200, true, Streaming.DEFAULT);
        assertTrue(plan.fused());
        assertFalse(plan.streamed());
        assertFalse(plan.cublas(), "cuBLAS is only for dense rows on the unfused path");
        assertEquals("resident on the device", plan.residency());
        assertEquals(10 * 64 + 10 + 2, plan.width());
        assertEquals(264, plan.partialRows(), "one row of partials per fused block");
        assertEquals(1_797, plan.residentChunkRows(), "the fused kernels take all rows in one launch");
        assertEquals(0, plan.streamRows());

        DevicePlan many = DevicePlan.of(binary(1_797, 64, 33), H200, true, Streaming.DEFAULT);
        assertFalse(many.fused(), "K = 33 is past MAX_FUSED_CLASSES");
        DevicePlan asked = DevicePlan.of(binary(1_797, 64, 10), H200, false, Streaming.DEFAULT);
        assertFalse(asked.fused(), "the unfused kernels when asked");
        assertEquals(asked.maxChunks(), asked.partialRows(), "one row of partials per chunk");
    }

    @Test
    void cublasComputesTheDenseLogitsOfTheUnfusedPathWhenItLoads() {
        assertTrue(DevicePlan.of(dense(1_000, 784, 40), H200, true, Streaming.DEFAULT).cublas());
        assertFalse(DevicePlan.of(dense(1_000, 784, 10), H200, true, Streaming.DEFAULT).cublas(), "fused");
        assertFalse(DevicePlan.of(binary(1_000, 784, 40), H200, true, Streaming.DEFAULT).cublas(), "binary");
        DevicePlan.Device noCublas = new DevicePlan.Device("GPU", 139 * GIB, 141 * GIB, 264, false);
        assertFalse(DevicePlan.of(dense(1_000, 784, 40), noCublas, true, Streaming.DEFAULT).cublas(), "not loaded");
    }

    @Test
    void chunksHoldAbout16MiBOfRowsAndAreAtMost1024() {
        // Dense rows of 784 floats: 16 MiB / 3,136 bytes = 5,349 rows per chunk.
        DevicePlan dense = DevicePlan.of(dense(1_000_000, 784, 10), H200, false, Streaming.DEFAULT);
        assertEquals(5_349, dense.chunkRows());
        assertEquals(187, dense.maxChunks());
        // Binary rows of one word, K = 10: the logits (40 bytes a row) set the size, 419,430 rows; a billion rows
        // would make more than 1,024 such chunks, so the chunks grow instead.
        DevicePlan big = DevicePlan.of(binary(1_000_000_000, 64, 10), H200, false, Streaming.DEFAULT);
        assertEquals(976_563, big.chunkRows());
        assertEquals(1_024, big.maxChunks());
        DevicePlan small = DevicePlan.of(binary(7, 64, 10), H200, false, Streaming.DEFAULT);
        assertEquals(7, small.chunkRows(), "never more rows than N");
        assertEquals(1, small.maxChunks());
        DevicePlan empty = DevicePlan.of(binary(0, 64, 10), H200, false, Streaming.DEFAULT);
        assertEquals(1, empty.chunkRows());
        assertEquals(1, empty.maxChunks());
    }

    @Test
    void dataAboveThePropertyIsStreamedAndSaysWhy() {
        DevicePlan fused = DevicePlan.of(binary(20_011, 130, 10), H200, true, new Streaming(1_000, 3_000L * 28));
        assertTrue(fused.streamed());
        assertEquals(3_000, fused.streamRows(), "3,000 rows of 3 words and a 4-byte label");
        assertEquals(264 + 1, fused.partialRows(), "a running-total row before the blocks' rows");
        assertTrue(fused.residency().startsWith("data set is 547.18 KiB, above -Dsoftmax4j.cuda.maxResidentBytes=1000: "
                + "streaming it in chunks of 82.03 KiB (3000 rows)"), fused.residency());

        DevicePlan unfused = DevicePlan.of(binary(20_011, 130, 10), H200, false, new Streaming(1_000, 3_000L * 28));
        assertTrue(unfused.streamed());
        assertEquals(unfused.chunkRows(), unfused.streamRows(), "the unfused path streams its own chunks");
        assertEquals(unfused.maxChunks(), unfused.partialRows());
    }

    @Test
    void dataThatDoesNotFitIsStreamedAndDataThatCannotBeStreamedIsRefused() {
        // 64 MiB device: the margin is a sixteenth, 4 MiB; 100,000 dense rows of 130 floats (50 MiB) do not fit in 40.
        DevicePlan.Shape shape = dense(100_000, 130, 10);
        DevicePlan streamed = DevicePlan.of(shape, withFree(40 * MIB, 64 * MIB), true, Streaming.DEFAULT);
        assertTrue(streamed.streamed());
        assertEquals(DevicePlan.streamRowsPerChunk(0, 64 * MIB, 130 * 4, 100_000), streamed.streamRows());
        assertTrue(streamed.residency().contains("40.00 MiB free on the device"), streamed.residency());
        DevicePlan resident = DevicePlan.of(shape, withFree(60 * MIB, 64 * MIB), true, Streaming.DEFAULT);
        assertFalse(resident.streamed(), "50 MiB of data, its work buffers and the margin fit in 60 MiB");

        DeviceMemoryException e = assertThrows(DeviceMemoryException.class,
                () -> DevicePlan.of(shape, withFree(4 * MIB, 64 * MIB), true, Streaming.DEFAULT));
        assertTrue(e.getMessage().startsWith("the data set does not fit on a small GPU: its rows and labels take "
                + "49.97 MiB and 4.00 MiB of 64.00 MiB are free; streaming them from host memory would still need "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("use --backend cpu"), e.getMessage());
    }

    @Test
    void exampleWeightsTravelWithTheRows() {
        DevicePlan.Shape weighted = new DevicePlan.Shape(1_000, 64, 10, true, 1, true);
        assertEquals(8 + 4 + 4, weighted.rowBytes() + weighted.sideBytes());
        assertEquals(1_000L * 16, weighted.dataBytes());
        DevicePlan plan = DevicePlan.of(weighted, H200, true, new Streaming(0, 100L * 16));
        assertEquals(100, plan.streamRows(), "a row's weight counts as part of the row");
    }

    @Test
    void tooManyParametersAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DevicePlan.of(dense(10, 50_000_000, 40), H200, true, Streaming.DEFAULT));
        assertEquals("40 classes x 50000000 features is too many parameters for the CUDA engine", e.getMessage());
    }

    @Test
    void thePlanIsAFunctionOfItsInputs() {
        DevicePlan.Shape shape = dense(12_345, 300, 50);
        Streaming streaming = new Streaming(1_000, 0);
        DevicePlan first = DevicePlan.of(shape, H200, true, streaming);
        for (int i = 0; i < 3; i++) {
            assertEquals(first, DevicePlan.of(shape, H200, true, streaming));
        }
    }
}
