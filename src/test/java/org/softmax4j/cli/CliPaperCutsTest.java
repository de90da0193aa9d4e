package org.softmax4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.softmax4j.cli.CliTest.Run;
import org.softmax4j.train.IterationRecord;

/** The command line's small faults of issue 17, item 5, each with its test. */
class CliPaperCutsTest {
    @TempDir
    Path dir;

    @Test
    void theBenchTableLinesUpWhateverTheEngineSays() {
        String shortRow = BenchCommand.tableRow("binary", 1000, 64, 10, 2, 0.001, 0.0009, 0.002, 1e6, "cpu");
        String longRow = BenchCommand.tableRow("dense", 10_000_000, 784, 10, 0, 1.5, 1.4, 1.6, 6.7e6,
                "cuda, CUDA emulator (CPU), emulating compute capability 9.0, 132 SMs, a description of any length");
        String header = String.format(java.util.Locale.ROOT, BenchCommand.TABLE_HEADER, "kind", "N", "D", "K",
                "threads", "median s", "min s", "max s", "samples/s", "engine");
        // Every column ends at the same place: the engine's description comes last.
        int numbersEnd = header.indexOf("engine");
        assertEquals(numbersEnd, shortRow.indexOf("cpu"));
        assertEquals(numbersEnd, longRow.indexOf("cuda,"));
        assertEquals(header.indexOf("samples/s") + "samples/s".length(), numbersEnd - 2);
    }

    @Test
    void theProgressLineNamesBothGradientSizesAsTheJsonDoes() {
        String line = Progress.line(new IterationRecord(3, -10, -9, 0.25, 0.5, 1.0, 7.5, Double.NaN), 10);
        assertTrue(line.contains("gradient norm per example 0.250, max|dF| 7.50"), line);
        Run run = CliTest.run("train", "--json", "--quiet", "--backend", "cpu", "--max-iterations", "3");
        assertEquals(0, run.code(), run.err());
        var json = run.json();
        assertFalse(json.has("gradient_norm"), "the ambiguous name is gone: " + json);
        assertTrue(json.get("gradient_max_abs").getAsDouble() > 0, json.toString());
        assertTrue(json.get("gradient_norm_per_example").getAsDouble() > 0, json.toString());
    }

    @Test
    void toleranceZeroPrintsNoInfinityTimes() {
        for (String solver : List.of("ascent", "lbfgs")) {
            Run run = CliTest.run("train", "--json", "--quiet", "--backend", "cpu", "--solver", solver,
                    "--tolerance", "0", "--max-iterations", "3");
            assertEquals(0, run.code(), run.err());
            String detail = run.json().get("stop_detail").getAsString();
            assertFalse(detail.contains("Infinity"), detail);
            assertFalse(detail.contains("times the tolerance"), detail);
        }
    }

    @Test
    void predictCanPutRowNumbersAndInputLabelsBesideThePredictions() throws IOException {
        Path train = dir.resolve("train.csv");
        Files.write(train, List.of("0,0,low", "0,1,low", "1,0,low", "3,3,high", "3,4,high", "4,3,high"));
        Path model = dir.resolve("m.s4j");
        assertEquals(0, CliTest.run("train", "--quiet", "--backend", "cpu", "--solver", "lbfgs", "--lambda", "1",
                "--test-fraction", "0", "--train", train.toString(), "--model-out", model.toString()).code());
        Run labelled = CliTest.run("predict", "--backend", "cpu", "--model", model.toString(), "--input",
                train.toString(), "--with-input-labels");
        assertEquals(0, labelled.code(), labelled.err());
        List<String> lines = labelled.out().lines().toList();
        assertEquals("row,input_label,label,p_high,p_low", lines.get(0));
        assertTrue(lines.get(1).startsWith("1,low,low,"), lines.get(1));
        assertTrue(lines.get(6).startsWith("6,high,high,"), lines.get(6));

        Path unlabelled = dir.resolve("unlabelled.csv");
        Files.write(unlabelled, List.of("0,0", "4,4"));
        Run rows = CliTest.run("predict", "--backend", "cpu", "--model", model.toString(), "--input",
                unlabelled.toString(), "--with-input-labels");
        assertEquals(0, rows.code(), rows.err());
        assertEquals("row,label,p_high,p_low", rows.out().lines().findFirst().orElseThrow());
        assertTrue(rows.out().lines().toList().get(2).startsWith("2,high,"), rows.out());
    }

    @Test
    void aHundredClassesGetATopConfusionsListInsteadOfAnUnreadableMatrix() throws IOException {
        List<String> rows = new ArrayList<>();
        for (int k = 0; k < 100; k++) {
            for (int r = 0; r < 3; r++) {
                rows.add((k % 10) + r * 0.1 + "," + (k / 10) + "," + "c" + k);
            }
        }
        Path data = dir.resolve("hundred.csv");
        Files.write(data, rows);
        Path model = dir.resolve("hundred.s4j");
        assertEquals(0, CliTest.run("train", "--quiet", "--backend", "cpu", "--max-iterations", "5",
                "--test-fraction", "0", "--train", data.toString(), "--model-out", model.toString()).code());
        Run run = CliTest.run("eval", "--backend", "cpu", "--model", model.toString(), "--data", data.toString());
        assertEquals(0, run.code(), run.err());
        // After the first line (which names the data file, of any length).
        int widest = run.out().lines().skip(1).mapToInt(String::length).max().orElse(0);
        assertTrue(widest <= 120, "a line of " + widest + " characters");
        assertTrue(run.out().contains("most frequent of"), run.out());
        assertFalse(run.out().contains("confusion matrix (rows"), run.out());
        // Ten classes still get the matrix.
        Run digits = CliTest.run("eval", "--backend", "cpu", "--model", trainedDigits().toString());
        assertTrue(digits.out().contains("confusion matrix (rows: true class, columns: predicted class):"),
                digits.out());
    }

    private Path trainedDigits() {
        Path model = dir.resolve("digits.s4j");
        assertEquals(0, CliTest.run("train", "--quiet", "--backend", "cpu", "--solver", "lbfgs", "--model-out",
                model.toString()).code());
        return model;
    }

    @Test
    void theReadmeQuickStartWritesNoFileIntoTheRepository() throws IOException {
        Path readme = Path.of(System.getProperty("basedir", "."), "README.md");
        assumeTrue(Files.isRegularFile(readme), "README.md is found from the project directory");
        String text = Files.readString(readme);
        String quickStart = text.substring(text.indexOf("```\n") + 4);
        quickStart = quickStart.substring(0, quickStart.indexOf("```\n"));
        Matcher written = Pattern.compile("--(model-out|output) (\\S+)").matcher(quickStart);
        int count = 0;
        while (written.find()) {
            count++;
            String path = written.group(2);
            assertTrue(path.startsWith("$out/") || path.startsWith("target/"), "the quick start writes " + path);
        }
        assertEquals(2, count, quickStart);
        assertTrue(quickStart.contains("out=$(mktemp -d)"), quickStart);
    }
}
