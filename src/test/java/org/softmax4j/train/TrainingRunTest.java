package org.softmax4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.softmax4j.InputException;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.Split;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Backend;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;

/** {@link TrainingRun}, {@link ClassWeights} and {@link SampleWeights}: the run of {@code train} without the CLI. */
class TrainingRunTest {
    @TempDir
    Path dir;

    private static final Split DIGITS = Splits.stratified(BuiltinDigits.load(), 0.2, 1);

    @Test
    void aRunReportsOneMetricsMapOfItsBestIteration() {
        TrainingOptions options = TrainingOptions.defaults().withMaxIterations(20);
        TrainingRun.Inputs inputs = TrainingRun.Inputs.of(DIGITS.train(), null, ClassWeights.parse("balanced"), 0.1,
                1, DIGITS.test(), null);
        assertTrue(inputs.validation().numExamples() > 0);
        assertEquals(DIGITS.train().numExamples(), inputs.train().numExamples() + inputs.validation().numExamples());
        try (Engine engine = Backend.CPU.open(1)) {
            TrainingRun.Report report = TrainingRun.run(engine, options, inputs, TrainingListener.NONE);
            IterationRecord best = report.result().best();
            assertEquals(List.of("log_likelihood", "objective", "gradient_max_abs", "gradient_norm_per_example",
                    "validation_log_likelihood", "train_accuracy", "test_log_likelihood", "test_accuracy"),
                    List.copyOf(report.metrics().keySet()));
            assertEquals(best.logLikelihood(), report.metrics().get("log_likelihood"));
            assertEquals(best.objective(), report.metrics().get("objective"));
            assertEquals(best.validationLogLikelihood(), report.metrics().get("validation_log_likelihood"));
            Evaluation test = new Evaluation(10, 64);
            try (Evaluator evaluator = engine.bind(DIGITS.test())) {
                evaluator.evaluate(report.result().parameters(), test);
            }
            assertEquals(test.logLikelihood(), report.testLogLikelihood());
            assertEquals(test.accuracy(), report.testAccuracy());
        }
    }

    @Test
    void withoutValidationOrTestTheirMetricsAreAbsentOrNaN() {
        TrainingRun.Inputs inputs = TrainingRun.Inputs.of(DIGITS.train(), null, null, 0, 1, null, null);
        assertNull(inputs.validation());
        assertNull(inputs.exampleWeights());
        try (Engine engine = Backend.CPU.open(1)) {
            TrainingRun.Report report = TrainingRun.run(engine, TrainingOptions.defaults().withMaxIterations(3), inputs,
                    TrainingListener.NONE);
            assertTrue(!report.metrics().containsKey("validation_log_likelihood"));
            assertTrue(Double.isNaN(report.testAccuracy()));
        }
        assertThrows(IllegalArgumentException.class,
                () -> TrainingRun.Inputs.of(DIGITS.train(), null, null, 1.0, 1, null, null));
    }

    @Test
    void classWeightsAreParsedBeforeAndResolvedAfterTheData() {
        ClassWeights weights = ClassWeights.parse("3=2, 7=0.5");
        double[] c = weights.of(DIGITS.train());
        assertEquals(2.0, c[3]);
        assertEquals(0.5, c[7]);
        assertEquals(1.0, c[0]);
        assertThrows(IllegalArgumentException.class, () -> ClassWeights.parse("3=-1"));
        assertThrows(IllegalArgumentException.class, () -> ClassWeights.parse("3"));
        assertThrows(IllegalArgumentException.class, () -> ClassWeights.parse("3=inf"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassWeights.parse("eleven=2").of(DIGITS.train()));
        assertTrue(e.getMessage().contains("eleven"), e.getMessage());
        assertArrayEquals(ExampleWeights.balanced(DIGITS.train()), ClassWeights.parse("balanced").of(DIGITS.train()));
    }

    @Test
    void sampleWeightsAreReadAsTheCsvFilesAre() throws IOException {
        Path plain = dir.resolve("w.txt");
        Files.writeString(plain, "\uFEFF1\r\n\r\n2.5\n0\n");
        Path gzipped = dir.resolve("w.bin");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gzipped))) {
            out.write("1\n2.5\n0".getBytes(StandardCharsets.UTF_8));
        }
        for (Path file : new Path[] {plain, gzipped}) {
            SampleWeights weights = SampleWeights.read(file);
            assertEquals(3, weights.count(), file.toString());
            assertArrayEquals(new double[] {1, 2.5, 0}, weights.forRows(3), file.toString());
            InputException e = assertThrows(InputException.class, () -> weights.forRows(4));
            assertTrue(e.getMessage().contains("has 3 weights, expected 4"), e.getMessage());
        }
        Path bad = dir.resolve("bad.txt");
        Files.writeString(bad, "1\n-2\n");
        InputException e = assertThrows(InputException.class, () -> SampleWeights.read(bad));
        assertEquals(2, e.line(), e.getMessage());
        assertThrows(InputException.class, () -> SampleWeights.read(dir.resolve("missing.txt")));
    }

    @Test
    void aWarmStartMustBeOfTheSameKindAndShape() {
        Dataset train = DIGITS.train();
        var info = new org.softmax4j.model.TrainingInfo("cpu", 1, "converged", 1, java.util.Map.of(),
                java.util.Map.of(), "2026-01-01T00:00:00Z", "test");
        var model = new org.softmax4j.model.Model(new org.softmax4j.engine.Parameters(10, 64), train.classNames(),
                8.0, info);
        assertNull(model.warmStartProblem(true, train.classNames(), 64));
        assertTrue(model.warmStartProblem(false, null, 0).contains("has a bias"));
        assertTrue(model.warmStartProblem(true, train.classNames(), 63).contains("64 features, expected 63"));
        assertTrue(model.warmStartProblem(true, List.of("a", "b"), 64).contains("has classes"));
    }
}
