package org.softmax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.softmax4j.engine.cuda.CudaProbe;

/** The {@code device} field of --json and auto's notice on the CPU (the GPU's side: {@link CliGpuTest}). */
class CliDeviceTest {
    @TempDir
    Path dir;

    private static final String CPU_TWO = "CPU, 2 threads";

    @Test
    void trainAndEvalNameTheCpuTheyRanOn() {
        Path model = dir.resolve("m.model");
        CliTest.Run train = CliTest.run("train", "--json", "--quiet", "--backend", "cpu", "--threads", "2",
                "--max-iterations", "20", "--model-out", model.toString());
        assertEquals(0, train.code(), train.err());
        assertEquals("cpu", train.json().get("backend").getAsString());
        assertEquals(CPU_TWO, train.json().get("device").getAsString());

        CliTest.Run eval = CliTest.run("eval", "--json", "--backend", "cpu", "--threads", "2", "--model",
                model.toString());
        assertEquals(0, eval.code(), eval.err());
        assertEquals("cpu", eval.json().get("backend").getAsString());
        assertEquals(CPU_TWO, eval.json().get("device").getAsString());
    }

    @Test
    void autoWithoutAGpuSaysWhyInOneLine() {
        Assumptions.assumeFalse(CudaProbe.result().available(), "a usable GPU is here");
        CliTest.Run run = CliTest.run("train", "--json", "--threads", "1", "--max-iterations", "5",
                "--class-weight", "balanced");
        assertEquals(0, run.code(), run.err());
        assertEquals("CPU, 1 thread", run.json().get("device").getAsString());
        assertTrue(run.err().contains("backend auto: using cpu, 1 thread"), run.err());
        assertTrue(run.err().contains("(cuda: " + CudaProbe.result().reason() + ")"), run.err());
    }

    @Test
    void infoAndBenchNameTheDevicesAndNeverCallTheCpuEmulated() {
        CliTest.Run info = CliTest.run("info", "--json");
        assertEquals(0, info.code(), info.err());
        JsonObject json = info.json();
        JsonObject cpu = json.getAsJsonArray("backends").get(0).getAsJsonObject();
        assertEquals("CPU, " + Runtime.getRuntime().availableProcessors() + " threads", cpu.get("device").getAsString());
        assertFalse(cpu.get("emulated").getAsBoolean());
        boolean gpu = CudaProbe.result().available();
        assertEquals(gpu ? "cuda" : "cpu", json.get("auto").getAsString());
        assertEquals(gpu ? CudaProbe.result().device().summary() : cpu.get("device").getAsString(),
                json.get("device").getAsString());
        assertEquals(gpu && CudaProbe.result().device().emulated(), json.get("emulated").getAsBoolean());

        CliTest.Run bench = CliTest.run("bench", "--json", "--quiet", "--engines", "cpu", "--threads", "1",
                "--kinds", "binary", "--binary-sizes", "1000", "--repetitions", "1", "--warmup", "0", "--no-train");
        assertEquals(0, bench.code(), bench.err());
        JsonObject result = bench.json().getAsJsonArray("results").get(0).getAsJsonObject();
        assertEquals("CPU, 1 thread", result.get("device").getAsString());
        assertFalse(result.has("emulated"), "only cuda figures can be emulated");
        assertEquals(gpu && CudaProbe.result().device().emulated(), bench.json().get("emulated").getAsBoolean());
        assertFalse(bench.out().contains(BenchCommand.EMULATED_NOTE), "no cuda figures here");
    }
}
