package org.softmax4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.softmax4j.cli.Main;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.Split;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.cpu.CpuEngine;
import org.softmax4j.model.Model;
import org.softmax4j.model.TrainingInfo;
import org.softmax4j.train.IterationRecord;
import org.softmax4j.train.Trainer;
import org.softmax4j.train.TrainingListener;
import org.softmax4j.train.TrainingOptions;
import org.softmax4j.train.TrainingResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The report of a real run on the digits: parsed as XML (so well-formed), every chart's numbers against the run's
 * history, every drawn point against its number through the axis, the confusion matrix, per-class scores and the
 * reliability bins against counts made here from the probabilities, and nothing that reaches the network.
 */
class ReportTest {
    @TempDir
    static Path dir;
    static TrainingResult result;
    static Model model;
    static Split split;
    static Dataset train;
    static Dataset validation;
    static float[] testProbabilities;
    static double testLogLikelihood;
    static double testAccuracy;
    static Path html;
    static ReportInput.HeldOut heldOut;
    static Document document;

    @BeforeAll
    static void run() throws Exception {
        build(dir);
        document = parse(html);
    }

    /** Trains on the digits (ascent, 40 iterations at most, a validation set) and writes the report into a folder. */
    static void build(Path folder) throws Exception {
        split = Splits.stratified(BuiltinDigits.load(BuiltinDigits.DEFAULT_THRESHOLD), 0.2, 1);
        Split inner = Splits.stratified(split.train(), 0.2, 2);
        train = inner.train();
        validation = inner.test();
        TrainingOptions options = TrainingOptions.defaults().withLearningRate(TrainingOptions.AUTO_LEARNING_RATE)
                .withMaxIterations(40).withPatience(5);
        try (CpuEngine engine = new CpuEngine(2); Evaluator evaluator = engine.bind(train);
             Evaluator validationEvaluator = engine.bind(validation);
             HeldOutCurves curves = new HeldOutCurves(engine, split.test(), TrainingListener.NONE)) {
            result = new Trainer(options).train(curves.training(evaluator, options), null,
                    curves.validation(validationEvaluator), new org.softmax4j.engine.Parameters(10, 64), curves);
            heldOut = curves.curves();
            Evaluation evaluation = new Evaluation(10, 64);
            try (Evaluator test = engine.bind(split.test())) {
                test.evaluate(result.parameters(), evaluation);
                testProbabilities = new float[split.test().numExamples() * 10];
                test.probabilities(result.parameters(), testProbabilities);
            }
            testLogLikelihood = evaluation.logLikelihood();
            testAccuracy = evaluation.accuracy();
            TrainingInfo info = new TrainingInfo(engine.description(), 1, result.stopReason().id(),
                    result.iterations(), Map.of("solver", "ascent"), Map.of("test_accuracy", testAccuracy),
                    Instant.now().toString(), "test");
            model = new Model(result.parameters(), train.classNames(), 8.0, info);
            html = folder.resolve("run.html");
            ReportFiles.writeForRun(html, null, model, result, train.numExamples(), validation.numExamples(),
                    split.test(), testLogLikelihood, testAccuracy, engine, "built-in digits binarized at 8", curves);
        }
    }

    static Document parse(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        return factory.newDocumentBuilder().parse(file.toFile()); // throws on anything not well-formed
    }

    static List<Element> select(Object context, String xpath) throws Exception {
        NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, context,
                XPathConstants.NODESET);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add((Element) nodes.item(i));
        }
        return out;
    }

    static Element one(Object context, String xpath) throws Exception {
        List<Element> found = select(context, xpath);
        assertEquals(1, found.size(), "elements matching " + xpath);
        return found.get(0);
    }

    @Test
    void everySectionIsThere() throws Exception {
        for (String id : List.of("curve", "weights", "confusion", "per-class", "confused", "calibration", "run")) {
            Element section = one(document, "//section[@id='" + id + "']");
            assertFalse(section.getTextContent().isBlank(), id);
        }
        assertTrue(Files.size(html) < 2_000_000, "small enough to mail: " + Files.size(html));
    }

    @Test
    void selfContained() throws Exception {
        assertTrue(select(document, "//script|//link|//iframe|//object|//embed").isEmpty());
        for (Element e : select(document, "//*[@src or @href]")) {
            String ref = e.hasAttribute("src") ? e.getAttribute("src") : e.getAttribute("href");
            assertTrue(ref.startsWith("data:") || ref.startsWith("#"), "a reference outside the file: " + ref);
        }
        assertFalse(Files.readString(html).contains("url("), "no CSS url()");
    }

    @Test
    void curveChartsHoldTheHistory() throws Exception {
        List<IterationRecord> history = result.history();
        int n = history.size();
        double[] iterations = new double[n];
        for (int i = 0; i < n; i++) {
            iterations[i] = history.get(i).iteration();
        }
        checkSeries("chart-likelihood", "objective", iterations, history.stream()
                .mapToDouble(r -> r.objective() / train.numExamples()).toArray());
        checkSeries("chart-likelihood", "train_log_likelihood", iterations, history.stream()
                .mapToDouble(r -> r.logLikelihood() / train.numExamples()).toArray());
        checkSeries("chart-likelihood", "validation_log_likelihood", iterations, history.stream()
                .mapToDouble(r -> r.validationLogLikelihood() / validation.numExamples()).toArray());
        checkSeries("chart-likelihood", "test_log_likelihood", new double[] {result.best().iteration()},
                new double[] {testLogLikelihood / split.test().numExamples()});
        checkSeries("chart-accuracy", "train_accuracy", iterations, history.stream()
                .mapToDouble(IterationRecord::trainAccuracy).toArray());
        checkSeries("chart-accuracy", "test_accuracy", new double[] {result.best().iteration()},
                new double[] {testAccuracy});
        checkSeries("chart-gradient", "gradient_norm", iterations, history.stream()
                .mapToDouble(IterationRecord::gradientNorm).toArray());
        checkSeries("chart-gradient", "gradient_max_abs", iterations, history.stream()
                .mapToDouble(IterationRecord::gradientMaxAbs).toArray());
        double[] testCurve = heldOut.testLogLikelihood().clone();
        for (int i = 0; i < n; i++) {
            testCurve[i] /= split.test().numExamples();
        }
        checkSeries("chart-likelihood", "test_log_likelihood_curve", iterations, testCurve);
        checkSeries("chart-accuracy", "test_accuracy_curve", iterations, heldOut.testAccuracy());
        checkSeries("chart-accuracy", "validation_accuracy", iterations, heldOut.validationAccuracy());
        // Where training stopped, and which iteration's weights the model holds.
        for (String chart : List.of("chart-likelihood", "chart-accuracy", "chart-gradient")) {
            List<Double> marked = new ArrayList<>();
            for (Element marker : select(document, "//svg[@id='" + chart + "']/g[@class='marker']")) {
                marked.add(Double.parseDouble(marker.getAttribute("data-x")));
                assertFalse(marker.getTextContent().isBlank());
            }
            assertTrue(marked.contains((double) result.iterations()), chart + " marks the stop: " + marked);
            assertTrue(marked.contains((double) result.best().iteration()), chart + " marks the best: " + marked);
        }
        assertTrue(one(document, "//svg[@id='chart-likelihood']/g[@class='marker'][last()]").getTextContent()
                .contains(result.stopReason().id()));
    }

    /**
     * The series' numbers equal the run's, and each drawn vertex maps back through the axes to its number (to the
     * 0.01 px the coordinates are written with).
     */
    private static void checkSeries(String chartId, String seriesId, double[] x, double[] y) throws Exception {
        Element chart = one(document, "//svg[@id='" + chartId + "']");
        Element series = one(chart, "g[@class='series'][@data-series='" + seriesId + "']");
        double[] shownX = numbers(series.getAttribute("data-x"));
        double[] shownY = numbers(series.getAttribute("data-y"));
        assertEquals(x.length, shownX.length, seriesId);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], shownX[i], 0, seriesId + " x[" + i + "]");
            assertEquals(y[i], shownY[i], 0, seriesId + " y[" + i + "]"); // exact: the numbers are the run's
        }
        String[] plot = chart.getAttribute("data-plot").split(" ");
        double left = Double.parseDouble(plot[0]);
        double top = Double.parseDouble(plot[1]);
        double right = Double.parseDouble(plot[2]);
        double bottom = Double.parseDouble(plot[3]);
        double xMin = Double.parseDouble(chart.getAttribute("data-x-min"));
        double xMax = Double.parseDouble(chart.getAttribute("data-x-max"));
        double yMin = Double.parseDouble(chart.getAttribute("data-y-min"));
        double yMax = Double.parseDouble(chart.getAttribute("data-y-max"));
        boolean log = Boolean.parseBoolean(chart.getAttribute("data-y-log"));
        List<double[]> vertices = new ArrayList<>();
        for (Element line : select(series, "polyline")) {
            for (String point : line.getAttribute("points").trim().split(" ")) {
                String[] xy = point.split(",");
                vertices.add(new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])});
            }
        }
        for (Element point : select(series, "path[@class='point']")) {
            String[] d = point.getAttribute("d").substring(1).split("[ L]+");
            vertices.add(new double[] {Double.parseDouble(d[0]), Double.parseDouble(d[1]) + 6});
        }
        int drawn = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(y[i]) && (!log || y[i] > 0)) {
                drawn++;
            }
        }
        assertEquals(drawn, vertices.size(), seriesId + ": one vertex per finite value");
        int v = 0;
        for (int i = 0; i < x.length; i++) {
            if (!(Double.isFinite(y[i]) && (!log || y[i] > 0))) {
                continue;
            }
            double[] vertex = vertices.get(v++);
            double backX = xMin + (vertex[0] - left) / (right - left) * (xMax - xMin);
            double t = (bottom - vertex[1]) / (bottom - top);
            double backY = log ? Math.pow(10, Math.log10(yMin) + t * (Math.log10(yMax) - Math.log10(yMin)))
                    : yMin + t * (yMax - yMin);
            double pixel = 0.006;
            assertEquals(x[i], backX, pixel / (right - left) * (xMax - xMin), seriesId + " vertex " + i + " x");
            double yTolerance = log ? Math.abs(y[i]) * (Math.pow(10, pixel / (bottom - top)
                    * (Math.log10(yMax) - Math.log10(yMin))) - 1) : pixel / (bottom - top) * (yMax - yMin);
            assertEquals(y[i], backY, yTolerance, seriesId + " vertex " + i + " y");
            assertTrue(vertex[0] >= left - 0.01 && vertex[0] <= right + 0.01 && vertex[1] >= top - 0.01
                    && vertex[1] <= bottom + 0.01, seriesId + " vertex " + i + " inside the plot");
        }
    }

    /**
     * The test curve belongs to the iterations' weights: at the best iteration (whose weights the model holds) it is
     * the final model's test score, and the validation accuracy there is the one of the kept weights.
     */
    @Test
    void heldOutCurvesBelongToTheirIterations() throws Exception {
        int best = result.history().indexOf(result.best());
        assertTrue(best >= 0);
        long known = java.util.Arrays.stream(heldOut.testLogLikelihood()).filter(Double::isFinite).count();
        assertTrue(known >= result.history().size() / 2, "test values for " + known + " of "
                + result.history().size() + " iterations");
        assertTrue(Double.isFinite(heldOut.testLogLikelihood()[best]), "a test value at the best iteration");
        assertEquals(testLogLikelihood, heldOut.testLogLikelihood()[best], 0, "test L at the best iteration");
        assertEquals(testAccuracy, heldOut.testAccuracy()[best], 0, "test accuracy at the best iteration");
        Evaluation validationScore = new Evaluation(10, 64);
        try (CpuEngine engine = new CpuEngine(2); Evaluator evaluator = engine.bind(validation)) {
            evaluator.evaluate(result.parameters(), validationScore);
        }
        assertEquals(validationScore.accuracy(), heldOut.validationAccuracy()[best], 0);
    }

    @Test
    void confusionPerClassAndCalibrationMatchTheProbabilities() throws Exception {
        Dataset test = split.test();
        int k = 10;
        long[][] counts = new long[k][k];
        for (int n = 0; n < test.numExamples(); n++) {
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (testProbabilities[n * k + c] > testProbabilities[n * k + best]) {
                    best = c;
                }
            }
            counts[test.label(n)][best]++;
        }
        List<Element> cells = select(document, "//svg[@id='confusion-matrix']/g[@class='cell']");
        assertEquals(k * k, cells.size());
        long total = 0;
        for (Element cell : cells) {
            int a = Integer.parseInt(cell.getAttribute("data-true"));
            int b = Integer.parseInt(cell.getAttribute("data-predicted"));
            long count = Long.parseLong(cell.getAttribute("data-count"));
            assertEquals(counts[a][b], count, "cell " + a + "," + b);
            assertEquals(Long.toString(count), one(cell, "text").getTextContent(), "the count is printed");
            total += count;
        }
        assertEquals(test.numExamples(), total);
        long correct = 0;
        for (int c = 0; c < k; c++) {
            correct += counts[c][c];
            long support = 0;
            long predicted = 0;
            for (int i = 0; i < k; i++) {
                support += counts[c][i];
                predicted += counts[i][c];
            }
            List<Element> row = select(document, "//table[@id='per-class-table']/tbody/tr[@data-class='" + c
                    + "']/td[@data-value]");
            double precision = (double) counts[c][c] / predicted;
            double recall = (double) counts[c][c] / support;
            assertEquals(precision, Double.parseDouble(row.get(0).getAttribute("data-value")), 1e-12);
            assertEquals(recall, Double.parseDouble(row.get(1).getAttribute("data-value")), 1e-12);
            assertEquals(2 * precision * recall / (precision + recall),
                    Double.parseDouble(row.get(2).getAttribute("data-value")), 1e-12);
            assertEquals(support, Long.parseLong(row.get(3).getAttribute("data-value")));
        }
        assertEquals(testAccuracy, (double) correct / test.numExamples(), 1e-12, "the engine's accuracy");
        List<Element> bins = select(document, "//svg[@id='chart-calibration']/g[@class='bin']");
        assertEquals(10, bins.size());
        long binned = 0;
        for (Element bin : bins) {
            double from = Double.parseDouble(bin.getAttribute("data-from"));
            int count = 0;
            for (int n = 0; n < test.numExamples(); n++) {
                float max = 0;
                for (int c = 0; c < k; c++) {
                    max = Math.max(max, testProbabilities[n * k + c]);
                }
                int index = Math.min(9, (int) Math.floor(max * 10));
                if (Math.abs(index / 10.0 - from) < 1e-9) {
                    count++;
                }
            }
            assertEquals(count, Integer.parseInt(bin.getAttribute("data-count")), "bin from " + from);
            binned += count;
        }
        assertEquals(test.numExamples(), binned);
    }

    @Test
    void weightsAndConfusedExamples() throws Exception {
        List<Element> tiles = select(document, "//section[@id='weights']//figure[@class='tile']");
        assertEquals(10, tiles.size());
        for (int c = 0; c < 10; c++) {
            List<Element> cells = select(tiles.get(c), ".//rect[@data-w]");
            assertEquals(64, cells.size());
            for (int j = 0; j < 64; j++) {
                assertEquals(model.weight(c, j), Float.parseFloat(cells.get(j).getAttribute("data-w")), 0);
                assertFalse(select(cells.get(j), "title").isEmpty(), "hover text");
            }
        }
        List<Element> pairs = select(document, "//section[@id='confused']//div[@class='pair']");
        assertFalse(pairs.isEmpty(), "a 40-iteration model makes mistakes on the digits");
        Dataset test = split.test();
        for (Element pair : pairs) {
            int a = Integer.parseInt(pair.getAttribute("data-true"));
            int b = Integer.parseInt(pair.getAttribute("data-predicted"));
            for (Element example : select(pair, ".//figure[@class='example']")) {
                int n = Integer.parseInt(example.getAttribute("data-example"));
                assertEquals(a, test.label(n), "example " + n + " is of the true class");
                Element image = one(example, "img");
                assertTrue(image.getAttribute("src").startsWith("data:image/png;base64,"));
                Element top = select(example, ".//span[@class='prob']").get(0);
                assertEquals(b, Integer.parseInt(top.getAttribute("data-class")), "the top probability is b");
                assertEquals(testProbabilities[n * 10 + b], Float.parseFloat(top.getAttribute("data-p")), 0);
                byte[] png = java.util.Base64.getDecoder().decode(image.getAttribute("src").substring(22));
                BufferedImage picture = ImageIO.read(new ByteArrayInputStream(png));
                assertEquals(8, picture.getWidth());
                for (int j = 0; j < 64; j++) {
                    int grey = picture.getRGB(j % 8, j / 8) & 0xff;
                    assertEquals(test.feature(n, j) == 1f ? 0 : 255, grey, "pixel " + j + " of example " + n);
                }
            }
        }
    }

    @Test
    void plotsAsPngAndSvg() throws Exception {
        ReportInput.Curve curve = new ReportInput.Curve(result.history(), result.stopReason().id(),
                result.stopDetail(), result.best().iteration(), train.numExamples(), validation.numExamples(),
                result.seconds(), testAccuracy, testLogLikelihood, split.test().numExamples(), heldOut);
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(CurvePlot.png(curve)));
        assertNotNull(png);
        assertEquals(900, png.getWidth());
        assertEquals(3 * 340, png.getHeight());
        Path svg = dir.resolve("curve.svg");
        Files.write(svg, CurvePlot.svg(curve));
        Document parsed = parse(svg);
        assertEquals(3, select(parsed, "//*[local-name()='svg'][@class='chart']").size());
    }

    @Test
    void reportCommandWithoutDataAndWithBadOutput() throws Exception {
        Path modelFile = dir.resolve("m.s4j");
        Path curve = dir.resolve("c.png");
        Run trained = cli("train", "--quiet", "--solver", "lbfgs", "--max-iterations", "10", "--model-out",
                modelFile.toString(), "--plot", curve.toString());
        assertEquals(0, trained.code(), trained.err());
        assertNotNull(ImageIO.read(curve.toFile()));
        Path out = dir.resolve("from-model.html");
        Run run = cli("report", "--quiet", "--model", modelFile.toString(), "--output", out.toString(),
                "--weight-scale", "per-class");
        assertEquals(0, run.code(), run.err());
        Document parsed = parse(out);
        // The digits' held-out split, as train made it, counted in the matrix.
        long total = 0;
        for (Element cell : select(parsed, "//svg[@id='confusion-matrix']/g[@class='cell']")) {
            total += Long.parseLong(cell.getAttribute("data-count"));
        }
        assertEquals(split.test().numExamples(), total);
        assertTrue(one(parsed, "//section[@id='curve']").getTextContent().contains("train --report"));

        Run bad = cli("report", "--model", modelFile.toString(), "--output", dir.resolve("r.txt").toString());
        assertEquals(2, bad.code());
        assertEquals(1, bad.err().strip().split("\n").length, bad.err());
        assertTrue(bad.err().contains("--output") && bad.err().contains(".html"), bad.err());
        assertFalse(Files.exists(dir.resolve("r.txt")));
        Run badTrain = cli("train", "--report", dir.resolve("none/r.html").toString());
        assertEquals(2, badTrain.code());
        assertTrue(badTrain.err().contains("--report") && badTrain.err().contains("does not exist"), badTrain.err());
        Run badPlot = cli("train", "--plot", dir.resolve("c.gif").toString());
        assertEquals(2, badPlot.code());
        assertTrue(badPlot.err().contains(".png or .svg"), badPlot.err());
    }

    /**
     * Recording the held-out curves for the report must not change training: the same weights, bit for bit, for
     * lbfgs on the CPU (which runs in double because the evaluator is the CPU engine's) and for ascent.
     */
    @Test
    void aReportLeavesTrainingAsItWas() throws Exception {
        for (List<String> solver : List.of(
                List.of("--solver", "lbfgs", "--max-iterations", "15", "--validation-fraction", "0.2"),
                List.of("--solver", "ascent", "--max-iterations", "30", "--validation-fraction", "0.2"))) {
            Path plain = dir.resolve("plain.s4j");
            Path reported = dir.resolve("reported.s4j");
            List<String> args = new ArrayList<>(List.of("train", "--quiet", "--backend", "cpu"));
            args.addAll(solver);
            List<String> first = new ArrayList<>(args);
            first.addAll(List.of("--model-out", plain.toString()));
            List<String> second = new ArrayList<>(args);
            second.addAll(List.of("--model-out", reported.toString(), "--report", dir.resolve("same.html").toString()));
            assertEquals(0, cli(first.toArray(String[]::new)).code());
            assertEquals(0, cli(second.toArray(String[]::new)).code());
            Model a = org.softmax4j.model.ModelFile.read(plain);
            Model b = org.softmax4j.model.ModelFile.read(reported);
            assertEquals(a.parameters(), b.parameters(), "weights with and without --report, " + solver);
            assertEquals(a.training().iterations(), b.training().iterations(), solver.toString());
            Document report = parse(dir.resolve("same.html"));
            assertEquals(1, select(report, "//g[@class='series'][@data-series='validation_accuracy']").size(),
                    "the report of " + solver + " has the validation accuracy curve");
            // lbfgs on the CPU evaluates in double, outside the engine: its report has the final test point only.
            assertEquals(solver.contains("ascent") ? 1 : 0,
                    select(report, "//g[@class='series'][@data-series='test_accuracy_curve']").size(),
                    "the test curve of " + solver);
        }
    }

    @Test
    void denseDataWithoutAnImageGetAHeatMapOfWeights() throws Exception {
        StringBuilder csv = new StringBuilder("a,b,c,label\n");
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        for (int n = 0; n < 120; n++) {
            int c = n % 3;
            csv.append(c + random.nextDouble()).append(',').append(random.nextDouble()).append(',')
                    .append(2 - c + random.nextDouble()).append(",k").append(c).append('\n');
        }
        Path data = dir.resolve("dense.csv");
        Files.writeString(data, csv);
        Path modelFile = dir.resolve("dense.s4j");
        Path report = dir.resolve("dense.html");
        Run run = cli("train", "--quiet", "--train", data.toString(), "--solver", "lbfgs", "--model-out",
                modelFile.toString(), "--report", report.toString());
        assertEquals(0, run.code(), run.err());
        Document parsed = parse(report);
        assertEquals(9, select(parsed, "//section[@id='weights']//rect[@data-w]").size());
        Path again = dir.resolve("dense-again.html");
        Run fromModel = cli("report", "--quiet", "--model", modelFile.toString(), "--data", data.toString(),
                "--output", again.toString());
        assertEquals(0, fromModel.code(), fromModel.err());
        long total = 0;
        for (Element cell : select(parse(again), "//svg[@id='confusion-matrix']/g[@class='cell']")) {
            total += Long.parseLong(cell.getAttribute("data-count"));
        }
        assertEquals(120, total);
    }

    private static double[] numbers(String text) {
        String[] parts = text.trim().split(" ");
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Double.parseDouble(parts[i]);
        }
        return out;
    }

    record Run(int code, String out, String err) {
    }

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }
}
