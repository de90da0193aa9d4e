package org.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parts of scripts/gpu-check.sh that can be checked without a GPU, an emulator or a prepared .gpu-carry/: the
 * script parses, refuses an emulator folder without libcuda.so.1, and its report (scripts/gpu_report.py) writes its
 * JSON whatever its inputs are, judging nothing on the emulator. The whole dry run is
 * {@code scripts/gpu-check.sh prepare && scripts/gpu-check.sh dry-run EMU_DIR}, too slow for a unit test.
 */
class GpuCheckScriptTest {
    private static final Path ROOT = Path.of(System.getProperty("basedir", "."));
    private static final Path SCRIPT = ROOT.resolve("scripts/gpu-check.sh");
    private static final Path REPORT = ROOT.resolve("scripts/gpu_report.py");

    private record Run(int exit, String output) {
    }

    private static Run run(Path directory, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not end");
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private static void assumePython() throws InterruptedException {
        boolean present;
        try {
            present = new ProcessBuilder("python3", "--version").start().waitFor() == 0;
        } catch (IOException e) {
            present = false;
        }
        Assumptions.assumeTrue(present, "python3 not found");
    }

    @Test
    void theScriptParses() throws Exception {
        Run run = run(ROOT, "bash", "-n", SCRIPT.toString());
        assertEquals(0, run.exit(), run.output());
    }

    @Test
    void aDryRunRefusesAnEmulatorFolderWithoutTheLibrary(@TempDir Path empty) throws Exception {
        Run run = run(ROOT, "bash", SCRIPT.toString(), "dry-run", empty.toString());
        assertEquals(2, run.exit(), run.output());
        assertTrue(run.output().contains("no libcuda.so.1 in " + empty), run.output());
    }

    @Test
    void anUnknownCommandIsAUsageError() throws Exception {
        Run run = run(ROOT, "bash", SCRIPT.toString(), "dryrun");
        assertEquals(2, run.exit(), run.output());
        assertTrue(run.output().startsWith("usage: "), run.output());
    }

    @Test
    void theReportWritesItsJsonFromMissingEmptyAndBrokenInputs(@TempDir Path dir) throws Exception {
        assumePython();
        Files.writeString(dir.resolve("empty.json"), "");
        Files.writeString(dir.resolve("steps.tsv"), "probe\tok\t0\t1\t15\t\n"
                + "torch\tskipped\tskip\t0\t65\timport torch failed\n"
                + "not a step line\n");
        Run run = run(dir, "python3", REPORT.toString(), "--kernels", "empty.json", "--torch", "missing.json",
                "--steps", "steps.tsv", "--out", "report.json");
        assertEquals(0, run.exit(), run.output());
        JsonObject report = JsonParser.parseString(Files.readString(dir.resolve("report.json"))).getAsJsonObject();
        assertTrue(report.get("ours_problem").getAsString().startsWith("unreadable"), report.toString());
        assertTrue(report.get("torch_problem").getAsString().startsWith("no file"), report.toString());
        assertEquals(2, report.getAsJsonArray("steps").size(), report.toString());
        assertEquals("import torch failed",
                report.getAsJsonArray("steps").get(1).getAsJsonObject().get("reason").getAsString());
        assertFalse(report.has("report_error"), run.output());
    }

    @Test
    void onTheEmulatorNoTargetIsJudgedAndEveryFigureIsMarked(@TempDir Path dir) throws Exception {
        assumePython();
        // A kernel timing that judged a target (as CudaKernelTiming does at full size), a complete case, and a case
        // cut short (no "fused"): the report keeps the complete one and judges nothing.
        Files.writeString(dir.resolve("kernels.json"), """
                {"device": "CUDA emulator (CPU)", "runs": 11, "quick": false, "copy": {"used_gb_s": 10.0},
                 "cases": [
                  {"kind": "binary", "n": 100000000, "d": 64, "k": 10,
                   "fused": {"median_ms": 1.0},
                   "evaluation": {"median_ms": 1.5, "samples_per_s": 6.7e10, "gb_s": 800.0,
                                  "fraction_of_copy_bandwidth": 0.2, "gflop_s_dense_equivalent": 1000.0,
                                  "gflop_s_done": 500.0, "memory_floor_ms": 0.2, "fp32_floor_ms": 3.9}},
                  {"kind": "dense", "n": 10000000, "d": 784, "k": 10, "evaluation": {"median_ms": 9.0}}],
                 "targets": [{"name": "binary D=64 K=10 N=1e8: one evaluation (fused + reduce) <= 10 ms",
                              "value_ms": 1.5, "pass": true}]}
                """);
        Files.writeString(dir.resolve("torch.json"), """
                {"torch": "2.0", "device": "cpu (dry run: not a measurement)", "cases": [
                  {"kind": "binary", "n": 100000000, "best_ms": 100.0, "best": "manual"}]}
                """);
        Run run = run(dir, "python3", REPORT.toString(), "--kernels", "kernels.json", "--torch", "torch.json",
                "--steps", "missing.tsv", "--out", "report.json", "--emulator", "/tmp/emu");
        assertEquals(0, run.exit(), run.output());
        assertTrue(run.output().startsWith("== EMULATOR dry run"), run.output());
        assertTrue(run.output().contains("incomplete entry"), run.output());
        assertFalse(run.output().contains("PASS"), run.output());
        JsonObject report = JsonParser.parseString(Files.readString(dir.resolve("report.json"))).getAsJsonObject();
        assertEquals("/tmp/emu", report.get("emulator").getAsString());
        assertEquals(0, report.getAsJsonArray("comparison").size(), report.toString());
        List<String> judged = new ArrayList<>();
        for (JsonElement target : report.getAsJsonArray("targets")) {
            if (target.getAsJsonObject().has("pass")) {
                judged.add(target.toString());
            }
        }
        assertEquals(List.of(), judged);
        assertFalse(report.has("report_error"), run.output());
    }
}
