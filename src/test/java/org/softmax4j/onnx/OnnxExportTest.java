package org.softmax4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxMap;
import ai.onnxruntime.OnnxSequence;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.softmax4j.cli.Main;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.cpu.CpuEngine;
import org.softmax4j.model.Model;
import org.softmax4j.model.ModelFile;

/**
 * Runs exported models in ONNX Runtime and compares them with softmax4j: labels exactly, probabilities within 1e-6 of
 * both the engine's (what {@code predict} prints) and softmax(Wx + b) summed in double from the model's weights.
 */
class OnnxExportTest {
    private static final double PROBABILITY_TOLERANCE = 1e-6;

    @TempDir
    static Path dir;
    private static OrtEnvironment environment;

    @BeforeAll
    static void environment() {
        environment = OrtEnvironment.getEnvironment();
    }

    @Test
    void digitsRawCountsAreBinarisedInsideTheGraph() throws Exception {
        Model model = train("digits.s4j", "--solver", "lbfgs", "--max-iterations", "40", "--lambda", "1");
        assertEquals(8.0, model.binarizeThreshold());
        Dataset counts = BuiltinDigits.load(null); // counts 0..16, as a user would feed them
        Dataset binary = BuiltinDigits.load(BuiltinDigits.DEFAULT_THRESHOLD);
        compare(model, counts, binary, OnnxExport.Probabilities.MAP);
        compare(model, counts, binary, OnnxExport.Probabilities.TENSOR);
    }

    @Test
    void denseDataWithStringLabels() throws Exception {
        Path csv = denseCsv("dense.csv", 600, 7, List.of("setosa", "versicolor", "virginica"), 3);
        Model model = train("dense.s4j", "--train", csv.toString(), "--solver", "lbfgs", "--max-iterations", "60");
        assertEquals(null, model.binarizeThreshold());
        Dataset data = org.softmax4j.data.CsvReader.read(csv, org.softmax4j.data.CsvOptions.defaults());
        compare(model, data, data, OnnxExport.Probabilities.MAP);
        compare(model, data, data, OnnxExport.Probabilities.TENSOR);
    }

    @Test
    void twoClassesWithoutBiasAndIntegerLabels() throws Exception {
        Path csv = denseCsv("two.csv", 300, 5, List.of("-1", "1"), 11);
        Model model = train("two.s4j", "--train", csv.toString(), "--solver", "lbfgs", "--no-bias",
                "--max-iterations", "60");
        Dataset data = org.softmax4j.data.CsvReader.read(csv, org.softmax4j.data.CsvOptions.defaults());
        compare(model, data, data, OnnxExport.Probabilities.MAP);
    }

    @Test
    void thresholdIsStrictOnTheFloatBelow() {
        assertEquals(Math.nextDown(8f), OnnxExport.strictThreshold(8));
        // 0.1 is not a float: x >= 0.1 holds from the least float above 0.1 on.
        float least = Math.nextUp((float) 0.1) > 0.1 && (double) (float) 0.1 < 0.1 ? Math.nextUp((float) 0.1)
                : (float) 0.1;
        assertEquals(Math.nextDown(least), OnnxExport.strictThreshold(0.1));
        assertTrue(least >= 0.1 && Math.nextDown(least) < 0.1);
        assertEquals(null, OnnxExport.integerLabels(List.of("1", "07")));
        assertArrayEquals(new long[] {-3, 4}, OnnxExport.integerLabels(List.of("-3", "4")));
    }

    @Test
    void exportCommandWritesWhatTheApiWrites() throws Exception {
        Path modelFile = dir.resolve("digits.s4j");
        if (!Files.exists(modelFile)) {
            train("digits.s4j", "--solver", "lbfgs", "--max-iterations", "40", "--lambda", "1");
        }
        Path onnx = dir.resolve("cli.onnx");
        Run run = cli("export", "--quiet", "--model", modelFile.toString(), "--format", "onnx",
                "--output", onnx.toString());
        assertEquals(0, run.code(), run.err());
        assertArrayEquals(ModelFile.read(modelFile).toOnnx(), Files.readAllBytes(onnx));
        Run bad = cli("export", "--model", modelFile.toString(), "--format", "pmml", "--output",
                dir.resolve("x.pmml").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().strip().contains("--format pmml"), bad.err());
        assertTrue(!Files.exists(dir.resolve("x.pmml")));
    }

    /** Python's onnx checker, where Python has onnx (full check, with shape inference); skipped elsewhere. */
    @Test
    void onnxCheckerAcceptsTheModel() throws Exception {
        Path onnx = dir.resolve("checked.onnx");
        Model model = train("checked.s4j", "--solver", "lbfgs", "--max-iterations", "5");
        Files.write(onnx, model.toOnnx());
        Path tensor = dir.resolve("checked-tensor.onnx");
        Files.write(tensor, OnnxExport.toOnnx(model, OnnxExport.Probabilities.TENSOR));
        String script = "import onnx,sys\nfor f in sys.argv[1:]:\n  onnx.checker.check_model(onnx.load(f), "
                + "full_check=True)\nprint('ok')\n";
        Process probe;
        try {
            probe = new ProcessBuilder("python3", "-c", "import onnx").redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("no python3: " + e.getMessage());
            return;
        }
        probe.getInputStream().readAllBytes();
        Assumptions.assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0,
                "Python's onnx package is not installed (pip install onnx to run the checker)");
        Process check = new ProcessBuilder("python3", "-c", script, onnx.toString(), tensor.toString())
                .redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), output);
    }

    record Run(int code, String out, String err) {
    }

    static Run cli(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Main.run(args, new java.io.PrintWriter(out), new java.io.PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private static Model train(String name, String... options) {
        Path file = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of("train", "--quiet", "--model-out", file.toString()));
        args.addAll(List.of(options));
        Run run = cli(args.toArray(String[]::new));
        assertEquals(0, run.code(), run.err());
        return ModelFile.read(file);
    }

    /** Features of class c centred on a class-specific point, so that the classes are learnable but overlap. */
    private static Path denseCsv(String name, int rows, int numFeatures, List<String> classes, long seed)
            throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder text = new StringBuilder();
        for (int j = 0; j < numFeatures; j++) {
            text.append('x').append(j).append(',');
        }
        text.append("label\n");
        for (int n = 0; n < rows; n++) {
            int c = random.nextInt(classes.size());
            for (int j = 0; j < numFeatures; j++) {
                double centre = ((c * 7 + j * 3) % 5) - 2.0;
                text.append(String.format(Locale.ROOT, "%.5f,", centre * 0.8 + 1.5 * random.nextDouble() - 0.75
                        + 10 * (j == 0 ? 1 : 0)));
            }
            text.append(classes.get(c)).append('\n');
        }
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    /**
     * Runs the exported model on {@code input}, compares with softmax4j on {@code seen} (the same rows as the model
     * sees them: binarised for a binarised model).
     */
    private static void compare(Model model, Dataset input, Dataset seen, OnnxExport.Probabilities shape)
            throws OrtException {
        int n = input.numExamples();
        int d = input.numFeatures();
        int k = model.numClasses();
        float[][] rows = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                rows[i][j] = input.feature(i, j);
            }
        }
        float[] engine = new float[n * k];
        try (CpuEngine cpu = new CpuEngine(1); Evaluator evaluator = cpu.bind(seen)) {
            evaluator.probabilities(model.parameters(), engine);
        }
        boolean integerLabels = OnnxExport.integerLabels(model.classNames()) != null;
        try (OrtSession session = environment.createSession(OnnxExport.toOnnx(model, shape),
                new OrtSession.SessionOptions());
             OnnxTensor tensor = OnnxTensor.createTensor(environment, rows);
             OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, tensor))) {
            Object labels = ((OnnxTensor) result.get(OnnxExport.LABEL_OUTPUT).orElseThrow()).getValue();
            OnnxValue probabilityValue = result.get(OnnxExport.PROBABILITY_OUTPUT).orElseThrow();
            float[][] onnxProbabilities = new float[n][k];
            if (shape == OnnxExport.Probabilities.MAP) {
                List<? extends OnnxValue> maps = ((OnnxSequence) probabilityValue).getValue();
                assertEquals(n, maps.size());
                for (int i = 0; i < n; i++) {
                    Map<?, ?> map = ((OnnxMap) maps.get(i)).getValue();
                    assertEquals(k, map.size(), "classes in the map of example " + i);
                    for (int c = 0; c < k; c++) {
                        Object key = integerLabels ? (Object) Long.parseLong(model.classNames().get(c))
                                : model.classNames().get(c);
                        Object value = map.get(key);
                        assertTrue(value != null, "example " + i + " has no probability for class " + key);
                        onnxProbabilities[i][c] = (Float) value;
                    }
                }
            } else {
                onnxProbabilities = (float[][]) ((OnnxTensor) probabilityValue).getValue();
            }
            for (int i = 0; i < n; i++) {
                double[] exact = softmaxInDouble(model, seen, i);
                int best = 0;
                for (int c = 0; c < k; c++) {
                    double onnx = onnxProbabilities[i][c];
                    assertEquals(exact[c], onnx, PROBABILITY_TOLERANCE, "p(class " + c + ") of example " + i
                            + " against double; " + shape);
                    assertEquals(engine[i * k + c], onnx, PROBABILITY_TOLERANCE, "p(class " + c + ") of example "
                            + i + " against the engine; " + shape);
                    if (engine[i * k + c] > engine[i * k + best]) {
                        best = c;
                    }
                }
                String expected = model.classNames().get(best);
                String actual = integerLabels ? Long.toString(((long[]) labels)[i]) : ((String[]) labels)[i];
                assertEquals(expected, actual, "label of example " + i + "; " + shape);
            }
        }
    }

    private static double[] softmaxInDouble(Model model, Dataset data, int example) {
        int k = model.numClasses();
        double[] z = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            double sum = model.bias(c);
            for (int j = 0; j < model.numFeatures(); j++) {
                sum += (double) model.weight(c, j) * data.feature(example, j);
            }
            z[c] = sum;
            max = Math.max(max, sum);
        }
        double total = 0;
        for (int c = 0; c < k; c++) {
            z[c] = Math.exp(z[c] - max);
            total += z[c];
        }
        for (int c = 0; c < k; c++) {
            z[c] /= total;
        }
        return z;
    }
}
