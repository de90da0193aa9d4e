package org.softmax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.softmax4j.engine.cuda.CudaDevice;
import org.softmax4j.engine.cuda.CudaProbe;

/** The command line where the CUDA engine is usable: the device it names, weighted examples, the emulator's marks. */
@Tag("gpu")
class CliGpuTest {
    @TempDir
    Path dir;

    private static CudaDevice device() {
        CudaProbe.Result probe = CudaProbe.result();
        if (!probe.available()) {
            if (Boolean.getBoolean("softmax4j.requireGpu")) {
                throw new AssertionError("a usable GPU is required but " + probe.reason());
            }
            Assumptions.abort("no usable GPU: " + probe.reason());
        }
        return probe.device();
    }

    @Test
    void trainAndEvalOnCudaNameTheDevice() {
        CudaDevice device = device();
        Path model = dir.resolve("m.model");
        CliTest.Run train = CliTest.run("train", "--json", "--quiet", "--backend", "cuda", "--max-iterations", "20",
                "--model-out", model.toString());
        assertEquals(0, train.code(), train.err());
        assertEquals("cuda", train.json().get("backend").getAsString());
        assertEquals(device.summary(), train.json().get("device").getAsString());
        CliTest.Run eval = CliTest.run("eval", "--json", "--model", model.toString());
        assertEquals(0, eval.code(), eval.err());
        assertEquals("cuda", eval.json().get("backend").getAsString());
        assertEquals(device.summary(), eval.json().get("device").getAsString());
        if (device.emulated()) {
            assertTrue(device.summary().startsWith("CUDA emulator"), device.summary());
            assertTrue(device.summary().contains(", emulating compute capability "), device.summary());
        }
    }

    @Test
    void weightedExamplesUnderAutoTrainOnCuda() {
        device();
        for (String[] weights : new String[][]{{"--class-weight", "balanced"}, {"--class-weight", "3=2"}}) {
            CliTest.Run run = CliTest.run("train", "--json", "--max-iterations", "20", weights[0], weights[1]);
            assertEquals(0, run.code(), run.err());
            assertEquals("cuda", run.json().get("backend").getAsString());
            assertFalse(run.err().contains("backend auto: using cpu"), run.err());
        }
    }

    @Test
    void weightedExamplesOnCudaTrainAsOnTheCpu() {
        device();
        String[] args = {"train", "--json", "--quiet", "--max-iterations", "20", "--class-weight", "balanced",
                "--backend"};
        CliTest.Run cuda = CliTest.run(concat(args, "cuda"));
        assertEquals(0, cuda.code(), cuda.err());
        assertEquals("cuda", cuda.json().get("backend").getAsString());
        CliTest.Run cpu = CliTest.run(concat(args, "cpu"));
        assertEquals(0, cpu.code(), cpu.err());
        // Twenty iterations from the same start on the same weighted objective: the float32 rounding of two engines
        // apart (the README's 1e-6 of one evaluation, widened for the iterations it compounds over).
        double objective = cpu.json().get("objective").getAsDouble();
        assertEquals(objective, cuda.json().get("objective").getAsDouble(), 1e-5 * Math.abs(objective), cuda.out());
        assertEquals(cpu.json().get("iterations").getAsInt(), cuda.json().get("iterations").getAsInt());
    }

    private static String[] concat(String[] first, String last) {
        String[] all = java.util.Arrays.copyOf(first, first.length + 1);
        all[first.length] = last;
        return all;
    }

    @Test
    void benchMarksEmulatorFiguresAsNotGpuFigures() {
        CudaDevice device = device();
        CliTest.Run run = CliTest.run("bench", "--json", "--engines", "cuda", "--kinds", "binary", "--binary-sizes",
                "1000", "--repetitions", "1", "--warmup", "0", "--no-train");
        assertEquals(0, run.code(), run.err());
        JsonObject json = run.json();
        assertEquals(device.emulated(), json.get("emulated").getAsBoolean());
        JsonObject result = json.getAsJsonArray("results").get(0).getAsJsonObject();
        assertEquals("cuda", result.get("engine").getAsString());
        assertEquals(device.summary(), result.get("device").getAsString());
        assertEquals(device.emulated(), result.get("emulated").getAsBoolean());
        assertEquals(device.emulated(), run.err().contains(BenchCommand.EMULATED_NOTE), run.err());
    }
}
