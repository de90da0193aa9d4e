package org.softmax4j.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.softmax4j.cli.Main;

/**
 * The command line on devices the CUDA emulator (cuda/emu) pretends to be: a compute capability below the kernels'
 * minimum, a 12.x driver (which must take the lowered-PTX path), no device at all; and the digits trained through the
 * emulated GPU against the CPU engine, resident and streamed. Each runs in a child JVM whose environment sets the
 * emulated device. Tagged "emulator" (run once, in the build's emulator run; needs -Dsoftmax4j.emulator.dir).
 */
@Tag("emulator")
class EmulatorDeviceTest {

    private static ChildJvm.Output run(Map<String, String> device, List<String> jvmOptions, String... args)
            throws Exception {
        String dir = System.getProperty("softmax4j.emulator.dir");
        if (dir == null || !Files.isRegularFile(Path.of(dir, "libcuda.so.1"))) {
            fail("the CUDA emulator is not built at -Dsoftmax4j.emulator.dir=" + dir + " (bash cuda/emu/build.sh)");
        }
        Map<String, String> environment = new HashMap<>(device);
        environment.put("LD_LIBRARY_PATH", dir);
        environment.putIfAbsent("S4J_EMU_SMS", "8");
        environment.put("S4J_EMU_QUIET", "1");
        return ChildJvm.run(Main.class, jvmOptions, environment, args);
    }

    /** The child's one line of JSON. */
    private static JsonObject json(ChildJvm.Output child) {
        for (String line : child.text().split("\\R")) {
            if (line.startsWith("{")) {
                return JsonParser.parseString(line).getAsJsonObject();
            }
        }
        throw new AssertionError("no JSON in:\n" + child.text());
    }

    private static JsonObject cudaBackend(JsonObject info) {
        for (var backend : info.getAsJsonArray("backends")) {
            if (backend.getAsJsonObject().get("name").getAsString().equals("cuda")) {
                return backend.getAsJsonObject();
            }
        }
        throw new AssertionError("no cuda back end in " + info);
    }

    @Test
    void computeCapability70IsBelowTheMinimumAndAutoMeansCpu() throws Exception {
        JsonObject info = json(run(Map.of("S4J_EMU_CC", "7.0"), List.of(), "info", "--json"));
        JsonObject cuda = cudaBackend(info);
        assertEquals(false, cuda.get("available").getAsBoolean(), info.toString());
        assertEquals("CUDA emulator (CPU): compute capability 7.0 < 7.5", cuda.get("detail").getAsString());
        assertEquals("cpu", info.get("auto").getAsString());
    }

    @Test
    void computeCapability75LoadsItsSassFromTheFatbin() throws Exception {
        JsonObject cuda = cudaBackend(json(run(Map.of("S4J_EMU_CC", "7.5"), List.of(), "info", "--json")));
        assertTrue(cuda.get("available").getAsBoolean(), cuda.toString());
        assertTrue(cuda.get("detail").getAsString().contains("kernels: fatbin (driver 13.0 >= 13.0)"), cuda.toString());
    }

    @Test
    void noDeviceIsSaidSo() throws Exception {
        JsonObject info = json(run(Map.of("S4J_EMU_DEVICES", "0"), List.of(), "info", "--json"));
        assertEquals("no CUDA device", cudaBackend(info).get("detail").getAsString());
        assertEquals("cpu", info.get("auto").getAsString());
    }

    @Test
    void aDriver126TakesTheLoweredPtxAndTrainsTheSameModel() throws Exception {
        JsonObject info = json(run(Map.of("S4J_EMU_DRIVER", "12.6"), List.of(), "info", "--json"));
        assertTrue(cudaBackend(info).get("detail").getAsString()
                .contains("kernels: lowered PTX, JIT-compiled by the driver 12.6"), info.toString());
        String[] train = {"train", "--backend", "cuda", "--max-iterations", "200", "--json", "--quiet"};
        JsonObject ptx = json(run(Map.of("S4J_EMU_DRIVER", "12.6"), List.of(), train));
        JsonObject fatbin = json(run(Map.of(), List.of(), train));
        // The same kernels run either way on the emulator: the PTX path changes only how the module is loaded.
        assertEquals(fatbin.get("objective").getAsDouble(), ptx.get("objective").getAsDouble(), 0.0);
        assertTrue(ptx.get("device").getAsString().endsWith("driver 12.6"), ptx.toString());
    }

    @Test
    void theDigitsTrainToTheCpuEnginesModelResidentAndStreamed() throws Exception {
        String[] train = {"train", "--max-iterations", "300", "--json", "--quiet", "--backend"};
        JsonObject cpu = json(run(Map.of(), List.of(), concat(train, "cpu")));
        JsonObject resident = json(run(Map.of(), List.of(), concat(train, "cuda")));
        JsonObject streamed = json(run(Map.of(),
                List.of("-D" + CudaEvaluator.MAX_RESIDENT_BYTES_PROPERTY + "=1000",
                        "-D" + CudaEvaluator.STREAM_CHUNK_BYTES_PROPERTY + "=4000"), concat(train, "cuda")));
        assertEquals("cuda", resident.get("backend").getAsString());
        assertTrue(resident.get("device").getAsString().startsWith("CUDA emulator (CPU), emulating compute capability"),
                resident.toString());
        for (JsonObject cuda : List.of(resident, streamed)) {
            String what = cuda.toString() + "\ncpu: " + cpu;
            // The README's float32 rounding: F within 1e-6 relative after 300 steps; the same test accuracy (digits:
            // no test example is within rounding of a tie, see CudaEngineGpuTest.MAX_FLIPS).
            double f = cpu.get("objective").getAsDouble();
            assertEquals(f, cuda.get("objective").getAsDouble(), 1e-6 * Math.abs(f), what);
            assertEquals(cpu.get("test_accuracy").getAsDouble(), cuda.get("test_accuracy").getAsDouble(), 0.0, what);
            assertEquals(300, cuda.get("iterations").getAsInt(), what);
        }
    }

    @Test
    void aSmallEmulatedDeviceStreamsALargeDataSet() throws Exception {
        // 24 MiB: a million bit-packed rows (12 MB with labels, plus 16 MiB of logits and the batch order) do not fit
        // resident, and do streamed in chunks of a sixteenth of the device.
        ChildJvm.Output child = ChildJvm.run(GpuChild.class, List.of("-Xmx2g"),
                Map.of("LD_LIBRARY_PATH", System.getProperty("softmax4j.emulator.dir"), "S4J_EMU_SMS", "8",
                        "S4J_EMU_MEMORY", "24M", "S4J_EMU_QUIET", "1"), "small-device");
        String what = child.text();
        assertEquals(0, child.code(), what);
        assertEquals("true", child.value("streaming"), what);
        assertTrue(child.value("notice").contains("24.00 MiB free on the device: streaming it in chunks of"), what);
        double relative = Double.parseDouble(child.value("log-likelihood relative difference"));
        assertTrue(relative <= 1e-6, what);  // the README's float32 tolerance for a log-likelihood
    }

    private static String[] concat(String[] head, String last) {
        String[] all = java.util.Arrays.copyOf(head, head.length + 1);
        all[head.length] = last;
        return all;
    }
}
