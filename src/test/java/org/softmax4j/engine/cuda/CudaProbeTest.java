package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.softmax4j.engine.Backend;
import org.softmax4j.engine.BackendUnavailableException;
import org.softmax4j.engine.Engine;

/** The probe and back-end selection, on whatever machine runs the tests. */
class CudaProbeTest {

    @Test
    void probeIsCachedAndGivesAShortReasonWhenUnavailable() {
        CudaProbe.Result result = CudaProbe.result();
        assertSame(result, CudaProbe.result(), "one probe per JVM");
        if (result.available()) {
            assertNotNull(result.device().kernelImage());
            assertTrue(result.device().fusedGridSize() > 0);
        } else {
            String reason = result.reason();
            assertFalse(reason.isBlank());
            assertFalse(reason.contains("\n"), "one line: " + reason);
            assertTrue(reason.length() < 300, reason);
        }
    }

    @Test
    void withoutADriverTheReasonSaysSo() {
        Assumptions.assumeFalse(CudaProbe.result().available(), "this machine has a usable GPU");
        Assumptions.assumeTrue(java.nio.file.Files.notExists(java.nio.file.Path.of("/dev/nvidiactl")),
                "this machine has NVIDIA device files; its reason may be another");
        assertEquals("no CUDA driver (libcuda.so.1 not found)", CudaProbe.result().reason());
    }

    @Test
    void cudaBackendFailsWithTheProbesReason() {
        CudaProbe.Result result = CudaProbe.result();
        Assumptions.assumeFalse(result.available(), "this machine has a usable GPU");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> Backend.CUDA.open(1));
        assertEquals("cuda back end not available: " + result.reason(), e.getMessage());
    }

    @Test
    void autoPicksCudaExactlyWhenTheProbePasses() {
        try (Engine engine = Backend.AUTO.open(1)) {
            assertEquals(CudaProbe.result().available() ? "cuda" : "cpu", engine.name());
        }
        try (Engine engine = Backend.CPU.open(1)) {
            assertEquals("cpu", engine.name());
        }
    }

    @Test
    void statusesReportCudaWithItsReason() {
        List<Backend.Status> statuses = Backend.statuses();
        Backend.Status cuda = statuses.stream().filter(s -> s.name().equals("cuda")).findFirst().orElseThrow();
        CudaProbe.Result result = CudaProbe.result();
        assertEquals(result.available(), cuda.available());
        if (result.available()) {
            assertTrue(cuda.detail().contains(result.device().name()), cuda.detail());
            assertTrue(cuda.detail().contains("kernels: "), cuda.detail());
        } else {
            assertEquals(result.reason(), cuda.detail());
            assertEquals(result.reason(), Backend.cudaUnavailableReason());
        }
    }
}
