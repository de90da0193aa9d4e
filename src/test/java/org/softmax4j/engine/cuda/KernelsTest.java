package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jcuda.driver.CUresult;

import org.junit.jupiter.api.Test;

/** The fused grid's occupancy rule and the launch settings, with the driver's answers given (no GPU). */
class KernelsTest {

    private static Kernels.Occupancy answers(Map<String, Integer> blocks) {
        return (kernel, out) -> {
            out[0] = blocks.get(kernel.cudaName());
            return CUresult.CUDA_SUCCESS;
        };
    }

    @Test
    void theFusedGridIsTheFewestResidentBlocksOfTheFusedKernels() {
        // sm_90: 90 registers (binary) allow 2 blocks of 256 threads, 126 (dense) allow 2; sm_75 reads differently.
        assertEquals(2, Kernels.fusedBlocksPerSm(answers(Map.of("fused_binary_kernel", 2, "fused_dense_kernel", 2))));
        assertEquals(1, Kernels.fusedBlocksPerSm(answers(Map.of("fused_binary_kernel", 3, "fused_dense_kernel", 1))));
        assertEquals(3, Kernels.fusedBlocksPerSm(answers(Map.of("fused_binary_kernel", 3, "fused_dense_kernel", 4))));
        // A kernel that fits no block at all still gets one per multiprocessor (the launch then reports why).
        assertEquals(1, Kernels.fusedBlocksPerSm(answers(Map.of("fused_binary_kernel", 0, "fused_dense_kernel", 0))));
    }

    @Test
    void bothFusedKernelsAreAskedAtTheLaunchBlockSize() {
        List<String> asked = new ArrayList<>();
        Kernels.fusedBlocksPerSm((kernel, out) -> {
            asked.add(kernel.cudaName());
            out[0] = 2;
            return CUresult.CUDA_SUCCESS;
        });
        assertEquals(List.of("fused_binary_kernel", "fused_dense_kernel"), asked);
        assertEquals(256, Kernels.BLOCK_SIZE);
    }

    @Test
    void aDriverWithoutTheQueryGetsTheDocumentedFallback() {
        assertEquals(Kernels.FALLBACK_FUSED_BLOCKS_PER_SM,
                Kernels.fusedBlocksPerSm((kernel, out) -> CUresult.CUDA_ERROR_NOT_SUPPORTED));
        assertEquals(2, Kernels.FALLBACK_FUSED_BLOCKS_PER_SM);
    }

    @Test
    void anyOtherErrorOfTheQueryFailsNamingIt() {
        CudaException e = assertThrows(CudaException.class,
                () -> Kernels.fusedBlocksPerSm((kernel, out) -> CUresult.CUDA_ERROR_INVALID_VALUE));
        assertEquals("cuOccupancyMaxActiveBlocksPerMultiprocessor(fused_binary_kernel, 256 threads) failed: "
                + "CUDA_ERROR_INVALID_VALUE", e.getMessage());
    }

    @Test
    void syncLaunchesIsOnlyForTrue() {
        assertTrue(Kernels.syncLaunchesRequested("true"));
        assertTrue(Kernels.syncLaunchesRequested(" TRUE "));
        assertFalse(Kernels.syncLaunchesRequested(null));
        assertFalse(Kernels.syncLaunchesRequested("false"));
        assertFalse(Kernels.syncLaunchesRequested("1"));
        assertEquals("softmax4j.cuda.syncLaunches", Kernels.SYNC_LAUNCHES_PROPERTY);
    }
}
