package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/** The device for GPU tests: skipped with the probe's reason when none, failed instead under -Dsoftmax4j.requireGpu. */
final class GpuTests {
    static final String REQUIRE_GPU = "softmax4j.requireGpu";

    private GpuTests() {
    }

    static CudaDevice device() {
        CudaProbe.Result probe = CudaProbe.result();
        if (!probe.available()) {
            if (Boolean.getBoolean(REQUIRE_GPU)) {
                fail("a usable GPU is required (-D" + REQUIRE_GPU + "=true) but " + probe.reason());
            }
            Assumptions.abort("no usable GPU: " + probe.reason());
        }
        return probe.device();
    }
}
