package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.softmax4j.cli.Main;

/**
 * The command line when the GPU fails, with faults injected by the CUDA emulator (cuda/emu: S4J_EMU_FAIL) into a
 * child JVM running {@code softmax4j train} on the built-in digits: out of device memory at bind, out of pinned memory
 * for the streamed path, a sticky fault inside a kernel, a launch the driver refuses. Each must end with one clear line
 * and its exit code ({@code --backend cuda}) or a fall-back to the CPU ({@code --backend auto}), and, except after a
 * sticky error (when nothing can be freed), with nothing left on the device: the emulator's report at exit says so.
 * Tagged "emulator": the build runs it once, in the emulator's test run (pom.xml); it needs the emulator's folder
 * (-Dsoftmax4j.emulator.dir).
 */
@Tag("emulator")
class EmulatorFaultTest {
    private static final String NOTHING_LEFT =
            "cuda emulator: leak report at exit: no device memory, pinned memory, stream or event left";

    private static ChildJvm.Output train(String backend, String fault, String... jvmOptions) throws Exception {
        String dir = System.getProperty("softmax4j.emulator.dir");
        if (dir == null || !Files.isRegularFile(Path.of(dir, "libcuda.so.1"))) {
            fail("the CUDA emulator is not built at -Dsoftmax4j.emulator.dir=" + dir + " (bash cuda/emu/build.sh)");
        }
        Map<String, String> environment = new HashMap<>();
        environment.put("LD_LIBRARY_PATH", dir);
        environment.put("S4J_EMU_SMS", "8");
        environment.put("S4J_EMU_FAIL", fault);
        environment.remove("S4J_EMU_QUIET");
        List<String> options = new ArrayList<>(List.of(jvmOptions));
        // The explicit eta = 1 pins the accuracy these tests compare (the default is --learning-rate auto).
        return ChildJvm.run(Main.class, options, environment, "train", "--backend", backend, "--learning-rate", "1",
                "--max-iterations", "20", "--quiet");
    }

    /** The line of the child's output that starts with {@code prefix}; fails when there is none. */
    private static String line(ChildJvm.Output child, String prefix) {
        for (String line : child.text().split("\\R")) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new AssertionError("no line starts with '" + prefix + "' in:\n" + child.text());
    }

    private static void assertNothingLeft(ChildJvm.Output child) {
        line(child, NOTHING_LEFT);
        assertTrue(!child.text().contains("Exception") && !child.text().contains("\tat "),
                "no stack trace:\n" + child.text());
    }

    @Test
    void outOfDeviceMemoryAtBind() throws Exception {
        String fault = "cuMemAlloc_v2#2=CUDA_ERROR_OUT_OF_MEMORY";
        ChildJvm.Output cuda = train("cuda", fault);
        assertEquals(3, cuda.code(), cuda.text());
        // The second allocation of a resident bind: the labels (1,438 ints).
        assertTrue(line(cuda, "train: ").startsWith("train: out of device memory: labels (1438 ints) needs 5.62 KiB, "),
                cuda.text());
        assertTrue(line(cuda, "train: ").endsWith("(cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY)"), cuda.text());
        assertNothingLeft(cuda);

        ChildJvm.Output auto = train("auto", fault);
        assertEquals(0, auto.code(), "auto falls back to the CPU: " + auto.text());
        line(auto, "test:  accuracy 0.9136");
        assertNothingLeft(auto);
    }

    @Test
    void outOfPinnedMemoryForTheStreamedPath() throws Exception {
        String fault = "cuMemHostAlloc#1=CUDA_ERROR_OUT_OF_MEMORY";
        String streamed = "-D" + CudaEvaluator.MAX_RESIDENT_BYTES_PROPERTY + "=1000";
        ChildJvm.Output cuda = train("cuda", fault, streamed);
        assertEquals(3, cuda.code(), cuda.text());
        assertEquals("train: out of pinned host memory: pinned rows, stage 0 (1438 x 8 bytes) needs 11.23 KiB "
                + "(cuMemHostAlloc: CUDA_ERROR_OUT_OF_MEMORY); free host memory, or use --backend cpu",
                line(cuda, "train: "), cuda.text());
        assertNothingLeft(cuda);

        ChildJvm.Output auto = train("auto", fault, streamed);
        assertEquals(0, auto.code(), "auto falls back to the CPU: " + auto.text());
        assertNothingLeft(auto);
    }

    @Test
    void aStickyFaultInsideAKernelIsNamedAndEndsTheRunWithExitCode4() throws Exception {
        ChildJvm.Output child = train("cuda", "cuLaunchKernel:fused_binary_kernel#3=CUDA_ERROR_ILLEGAL_ADDRESS",
                "-D" + Kernels.SYNC_LAUNCHES_PROPERTY + "=true");
        assertEquals(4, child.code(), child.text());
        assertEquals("train: the GPU failed: kernel fused_binary_kernel (16x256) failed: CUDA_ERROR_ILLEGAL_ADDRESS; "
                + "the GPU context is now unusable: restart the JVM", line(child, "train: "), child.text());
        // Nothing can be freed after a sticky error; the emulator says so instead of reporting leaks.
        line(child, "cuda emulator: at exit, after the sticky error CUDA_ERROR_ILLEGAL_ADDRESS");
    }

    @Test
    void withoutSyncLaunchesTheNextCopyReportsTheFault() throws Exception {
        ChildJvm.Output child = train("cuda", "cuLaunchKernel:fused_binary_kernel#3=CUDA_ERROR_LAUNCH_FAILED");
        assertEquals(4, child.code(), child.text());
        String message = line(child, "train: ");
        // The next call to see the fault is whichever launch or copy comes after the kernel has run: as on a GPU,
        // timing decides which, so only that it is a later call (not the faulting kernel, which nothing names) is
        // asserted.
        assertTrue(message.startsWith("train: the GPU failed: cuMemcpyDtoH(")
                || message.startsWith("train: the GPU failed: cuLaunchKernel("), message);
        assertTrue(!message.contains("kernel fused_binary_kernel"), message);
        assertTrue(message.contains("failed: CUDA_ERROR_LAUNCH_FAILED; the GPU context is now unusable"), message);
        assertTrue(message.contains(Kernels.SYNC_LAUNCHES_PROPERTY + "=true names the"), message);
    }

    @Test
    void aLaunchTheDriverRefusesEndsTheRunAndFreesEverything() throws Exception {
        ChildJvm.Output child = train("cuda", "cuLaunchKernel#2=CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES");
        assertEquals(4, child.code(), child.text());
        assertEquals("train: the GPU failed: cuLaunchKernel(reduce_partials_kernel, 3x256) failed: "
                + "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", line(child, "train: "), child.text());
        assertNothingLeft(child);
    }
}
