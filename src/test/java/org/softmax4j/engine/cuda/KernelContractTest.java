package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The host side agrees with cuda/README.md and cuda/softmax4j.cuh. */
class KernelContractTest {
    private static final Path CUDA = Path.of(System.getProperty("basedir", "."), "cuda");

    @Test
    void everyKernelLaunchedIsInTheContract() throws IOException {
        Path readme = CUDA.resolve("README.md");
        Assumptions.assumeTrue(Files.exists(readme), readme + " is not here");
        String text = Files.readString(readme);
        for (Kernels.Kernel kernel : Kernels.Kernel.values()) {
            String name = kernel.cudaName();
            assertTrue(text.contains("`" + name + "("), name + " is not in " + readme);
        }
    }

    @Test
    void maxFusedClassesMatchesTheHeader() throws IOException {
        Path header = CUDA.resolve("softmax4j.cuh");
        Assumptions.assumeTrue(Files.exists(header), header + " is not written yet");
        Matcher m = Pattern.compile("MAX_FUSED_CLASSES\\s*=?\\s*\\(?\\s*(\\d+)").matcher(Files.readString(header));
        assertTrue(m.find(), "no MAX_FUSED_CLASSES in " + header);
        assertEquals(Integer.parseInt(m.group(1)), Kernels.MAX_FUSED_CLASSES);
    }
}
