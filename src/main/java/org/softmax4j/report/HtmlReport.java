package org.softmax4j.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;

import org.softmax4j.Version;
import org.softmax4j.data.Dataset;
import org.softmax4j.model.Model;
import org.softmax4j.model.TrainingInfo;
import org.softmax4j.train.IterationRecord;

/**
 * The training report: one self-contained HTML file (inline CSS and SVG, images as data URIs, no script, nothing
 * fetched) that opens from disk. It is written as well-formed XML (XHTML syntax with an HTML5 doctype), so that any
 * XML parser reads it and a test can check the charts' numbers against the run. Sections, each a
 * {@code <section id="...">}: {@code curve} (log-likelihood per example, accuracy, gradient size on a log scale, where
 * training stopped), {@code weights} (each class's weights as an image, or a heat map), {@code confusion},
 * {@code per-class} (precision, recall, F1, support), {@code confused} (the most confused pairs and their examples),
 * {@code calibration} (reliability diagram) and {@code run} (options, data, engine, device, timings, versions).
 *
 * <p>Why one file of this length: it writes one document whose sections share the page's scales, palettes, hover
 * conventions and escaping; the chart primitives (axes, ticks, legends, escaping) are kept apart in {@code Svg},
 * and each section is one method here.
 */
public final class HtmlReport {
    /** Weights drawn cell by cell with hover values up to this many (K·D); beyond, as images without hover. */
    static final int MAX_HOVER_WEIGHTS = 40_000;
    static final int CONFUSED_PAIRS = 6;
    static final int EXAMPLES_PER_PAIR = 8;
    static final int CALIBRATION_BINS = 10;

    private HtmlReport() {
    }

    /** Weights coloured on one scale for all classes, or each class on its own. */
    public enum WeightScale {
        SHARED, PER_CLASS;

        public static WeightScale parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "shared" -> SHARED;
                case "per-class", "per_class" -> PER_CLASS;
                default -> throw new IllegalArgumentException("weight scale is \"" + text
                        + "\", expected shared or per-class");
            };
        }
    }

    public static String render(ReportInput input) {
        return render(input, WeightScale.SHARED);
    }

    public static String render(ReportInput input, WeightScale scale) {
        Model model = input.model();
        Classification classification = input.evaluated() == null ? null
                : new Classification(model.numClasses(), labels(input.evaluated().data()),
                input.evaluated().probabilities());
        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
                .append("<meta charset=\"utf-8\"/>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                .append("<meta name=\"generator\" content=\"softmax4j ").append(Svg.escape(Version.get()))
                .append("\"/>\n<title>softmax4j training report</title>\n<style>\n").append(CSS)
                .append("</style>\n</head>\n<body>\n");
        html.append("<header><h1>Softmax regression: training report</h1>\n<p class=\"summary\">")
                .append(Svg.escape(summary(input, classification))).append("</p>\n").append(contents())
                .append("</header>\n");
        curveSection(html, input);
        weightsSection(html, input, scale);
        confusionSection(html, input, classification);
        perClassSection(html, input, classification);
        confusedSection(html, input, classification);
        calibrationSection(html, classification);
        runSection(html, input, classification);
        html.append("<footer>Made by softmax4j ").append(Svg.escape(Version.get()))
                .append(". Self-contained: this file fetches nothing.</footer>\n</body>\n</html>\n");
        return html.toString();
    }

    private static String contents() {
        return "<nav><a href=\"#curve\">curve</a> · <a href=\"#weights\">weights</a> · "
                + "<a href=\"#confusion\">confusion matrix</a> · <a href=\"#per-class\">per class</a> · "
                + "<a href=\"#confused\">confused pairs</a> · <a href=\"#calibration\">calibration</a> · "
                + "<a href=\"#run\">the run</a></nav>\n";
    }

    private static String summary(ReportInput input, Classification classification) {
        Model model = input.model();
        StringBuilder text = new StringBuilder();
        text.append(model.numClasses()).append(" classes, ").append(model.numFeatures()).append(" features")
                .append(model.hasBias() ? "" : ", no bias").append("; stopped: ")
                .append(model.training().stopReason()).append(" after ").append(model.training().iterations())
                .append(" iterations");
        if (classification != null) {
            text.append("; ").append(input.evaluated().name()).append(": accuracy ")
                    .append(Svg.percent(classification.accuracy()));
        }
        return text.toString();
    }

    // ---- the training curve ----

    private static void curveSection(StringBuilder html, ReportInput input) {
        html.append("<section id=\"curve\">\n<h2>Training curve</h2>\n");
        ReportInput.Curve curve = input.curve();
        if (curve == null) {
            html.append("<p class=\"note\">The model file does not keep the training history: run ")
                    .append("<code>train --report FILE</code> to see the curve.</p>\n</section>\n");
            return;
        }
        html.append("<p>Per iteration (iteration 0 is the starting point), over the whole training set of ")
                .append(curve.numTrain()).append(" examples")
                .append(curve.numValidation() > 0 ? " and the validation set of " + curve.numValidation()
                        + " examples" : "")
                .append(curve.heldOut() != null && curve.numTest() > 0 ? ", and on the " + curve.numTest()
                        + " test examples (with the weights of each iteration, where the solver evaluated them on "
                        + "the training set; gaps where it did not)" : "")
                .append(". Log-likelihoods are per example (divided by the number of examples), so that training, ")
                .append("validation and test are on one scale; F is the penalised objective. Stopped: <b>")
                .append(Svg.escape(curve.stopReason())).append("</b> (").append(Svg.escape(curve.stopDetail()))
                .append(") after ").append(lastIteration(curve)).append(" iterations in ")
                .append(String.format(Locale.ROOT, "%.2f", curve.seconds())).append(" s; the model holds the ")
                .append("weights of iteration ").append(curve.bestIteration()).append(".</p>\n");
        for (LineChart chart : curveCharts(curve)) {
            html.append("<figure>").append(chart.svg(false)).append("</figure>\n");
        }
        html.append("</section>\n");
    }

    /** The three charts of the curve: log-likelihood, accuracy, gradient size. Also used by {@link CurvePlot}. */
    static List<LineChart> curveCharts(ReportInput.Curve curve) {
        List<IterationRecord> history = curve.history();
        int n = history.size();
        double[] x = new double[n];
        double[] objective = new double[n];
        double[] trainLl = new double[n];
        double[] validationLl = new double[n];
        double[] trainAccuracy = new double[n];
        double[] gradientNorm = new double[n];
        double[] gradientMax = new double[n];
        boolean anyValidation = false;
        boolean anyMax = false;
        for (int i = 0; i < n; i++) {
            IterationRecord r = history.get(i);
            x[i] = r.iteration();
            objective[i] = r.objective() / curve.numTrain();
            trainLl[i] = r.logLikelihood() / curve.numTrain();
            validationLl[i] = curve.numValidation() > 0 ? r.validationLogLikelihood() / curve.numValidation()
                    : Double.NaN;
            anyValidation |= !Double.isNaN(validationLl[i]);
            trainAccuracy[i] = r.trainAccuracy();
            gradientNorm[i] = r.gradientNorm();
            gradientMax[i] = r.gradientMaxAbs();
            anyMax |= !Double.isNaN(gradientMax[i]);
        }
        int last = lastIteration(curve);
        String stop = "stop: " + curve.stopReason() + " (iteration " + last + ")";
        String best = "weights kept: iteration " + curve.bestIteration();

        LineChart likelihood = new LineChart("chart-likelihood", "Log-likelihood per example (higher is better)",
                "iteration", "nats per example", false)
                .series("objective", "F / N (penalised)", x, objective)
                .series("train_log_likelihood", "train L / N", x, trainLl);
        if (anyValidation) {
            likelihood.series("validation_log_likelihood", "validation L / N", x, validationLl);
        }
        ReportInput.HeldOut heldOut = curve.heldOut();
        if (heldOut != null && curve.numTest() > 0 && anyFinite(heldOut.testLogLikelihood())) {
            double[] perExample = heldOut.testLogLikelihood().clone();
            for (int i = 0; i < perExample.length; i++) {
                perExample[i] /= curve.numTest();
            }
            likelihood.series("test_log_likelihood_curve", "test L / N", x, perExample);
        }
        if (curve.numTest() > 0 && !Double.isNaN(curve.testLogLikelihood())) {
            likelihood.point("test_log_likelihood", "test L / N (final model)", curve.bestIteration(),
                    curve.testLogLikelihood() / curve.numTest());
        }
        LineChart accuracy = new LineChart("chart-accuracy", "Accuracy", "iteration", "share correct", false)
                .series("train_accuracy", "train", x, trainAccuracy).yBounds(0, 1);
        if (heldOut != null && anyFinite(heldOut.validationAccuracy())) {
            accuracy.series("validation_accuracy", "validation", x, heldOut.validationAccuracy());
        }
        if (heldOut != null && anyFinite(heldOut.testAccuracy())) {
            accuracy.series("test_accuracy_curve", "test", x, heldOut.testAccuracy());
        }
        if (!Double.isNaN(curve.testAccuracy())) {
            accuracy.point("test_accuracy", "test (final model)", curve.bestIteration(), curve.testAccuracy());
        }
        LineChart gradient = new LineChart("chart-gradient", "Gradient size (log scale)", "iteration",
                "size of the gradient of F", true)
                .series("gradient_norm", "||grad F|| / N", x, gradientNorm);
        if (anyMax) {
            gradient.series("gradient_max_abs", "max |dF| (sum form)", x, gradientMax);
        }
        for (LineChart chart : List.of(likelihood, accuracy, gradient)) {
            if (curve.bestIteration() != last) {
                chart.marker(curve.bestIteration(), best);
            }
            chart.marker(last, stop);
        }
        return List.of(likelihood, accuracy, gradient);
    }

    private static boolean anyFinite(double[] values) {
        for (double v : values) {
            if (Double.isFinite(v)) {
                return true;
            }
        }
        return false;
    }

    private static int lastIteration(ReportInput.Curve curve) {
        return curve.history().get(curve.history().size() - 1).iteration();
    }

    // ---- weights ----

    private static void weightsSection(StringBuilder html, ReportInput input, WeightScale scale) {
        Model model = input.model();
        int k = model.numClasses();
        int d = model.numFeatures();
        html.append("<section id=\"weights\">\n<h2>Weights</h2>\n");
        double shared = 0;
        double[] perClass = new double[k];
        for (int c = 0; c < k; c++) {
            for (int j = 0; j < d; j++) {
                perClass[c] = Math.max(perClass[c], Math.abs(model.weight(c, j)));
            }
            shared = Math.max(shared, perClass[c]);
        }
        html.append("<p>Red is positive (evidence for the class), blue negative, white 0; ")
                .append(scale == WeightScale.SHARED ? "one colour scale for all classes, full colour at |w| = "
                        + Svg.human(shared) : "each class on its own scale (full colour at its largest |w|)")
                .append(". Hover over a cell for its value.</p>\n");
        int[] shape = input.imageShape();
        if (shape == null && (long) k * d > MAX_HOVER_WEIGHTS) {
            html.append("<p class=\"note\">").append(k).append(" × ").append(d)
                    .append(" weights are too many to draw, and the features are not an image.</p>\n</section>\n");
            return;
        }
        if (shape != null) {
            int cell = Math.max(1, Math.min(14, 140 / Math.max(shape[0], shape[1])));
            boolean hover = (long) k * d <= MAX_HOVER_WEIGHTS;
            html.append("<div class=\"tiles\">\n");
            for (int c = 0; c < k; c++) {
                double max = scale == WeightScale.SHARED ? shared : perClass[c];
                html.append("<figure class=\"tile\" data-class=\"").append(Svg.escape(model.classNames().get(c)))
                        .append("\">");
                if (hover) {
                    html.append(weightTile(model, c, shape, cell, max));
                } else {
                    html.append(weightImage(model, c, shape, cell, max));
                }
                html.append("<figcaption>").append(Svg.escape(model.classNames().get(c)))
                        .append(model.hasBias() ? "<br/><small>b = " + Svg.human(model.bias(c)) + "</small>" : "")
                        .append(scale == WeightScale.PER_CLASS ? "<br/><small>max |w| " + Svg.human(max) + "</small>"
                                : "")
                        .append("</figcaption></figure>\n");
            }
            html.append("</div>\n");
        } else {
            html.append(weightMatrix(model, scale, shared, perClass));
        }
        html.append(colourBar(scale == WeightScale.SHARED ? shared : 1, scale == WeightScale.SHARED))
                .append("</section>\n");
    }

    private static String weightTile(Model model, int c, int[] shape, int cell, double max) {
        int h = shape[0];
        int w = shape[1];
        StringBuilder svg = new StringBuilder();
        svg.append("<svg class=\"weights\" width=\"").append(w * cell).append("\" height=\"").append(h * cell)
                .append("\" viewBox=\"0 0 ").append(w * cell).append(' ').append(h * cell)
                .append("\" role=\"img\" shape-rendering=\"crispEdges\"><title>weights of class ")
                .append(Svg.escape(model.classNames().get(c))).append("</title>");
        for (int r = 0; r < h; r++) {
            for (int col = 0; col < w; col++) {
                int j = r * w + col;
                float value = model.weight(c, j);
                svg.append("<rect x=\"").append(col * cell).append("\" y=\"").append(r * cell).append("\" width=\"")
                        .append(cell).append("\" height=\"").append(cell).append("\" fill=\"")
                        .append(Palette.diverging(max == 0 ? 0 : value / max)).append("\" data-w=\"")
                        .append(value).append("\"><title>").append(Svg.escape(featureName(model, j)))
                        .append(" (row ").append(r).append(", column ").append(col).append("): w = ")
                        .append(Svg.human(value)).append("</title></rect>");
            }
        }
        return svg.append("</svg>").toString();
    }

    private static String weightImage(Model model, int c, int[] shape, int cell, double max) {
        BufferedImage image = new BufferedImage(shape[1], shape[0], BufferedImage.TYPE_INT_RGB);
        for (int j = 0; j < model.numFeatures(); j++) {
            image.setRGB(j % shape[1], j / shape[1], Integer.parseInt(Palette.diverging(max == 0 ? 0
                    : model.weight(c, j) / max).substring(1), 16));
        }
        return "<img class=\"pixels\" alt=\"weights of class " + Svg.escape(model.classNames().get(c)) + "\" src=\""
                + dataUri(image) + "\" width=\"" + shape[1] * cell + "\" height=\"" + shape[0] * cell + "\"/>";
    }

    /** Classes as rows, features as columns: for features that are not an image. */
    private static String weightMatrix(Model model, WeightScale scale, double shared, double[] perClass) {
        int k = model.numClasses();
        int d = model.numFeatures();
        int cell = Math.max(3, Math.min(24, 900 / Math.max(1, d)));
        int left = 8 + (int) Math.ceil(Svg.textWidth(longest(model.classNames()), 12));
        int width = left + d * cell + 4;
        int height = k * cell + 4;
        StringBuilder svg = new StringBuilder("<svg class=\"weights\" width=\"" + width + "\" height=\"" + height
                + "\" viewBox=\"0 0 " + width + " " + height + "\" role=\"img\" shape-rendering=\"crispEdges\""
                + " font-size=\"12\"><title>weights: classes by features</title>");
        for (int c = 0; c < k; c++) {
            double max = scale == WeightScale.SHARED ? shared : perClass[c];
            svg.append("<text x=\"").append(left - 6).append("\" y=\"").append(c * cell + cell / 2 + 4)
                    .append("\" text-anchor=\"end\">").append(Svg.escape(model.classNames().get(c))).append("</text>");
            for (int j = 0; j < d; j++) {
                float value = model.weight(c, j);
                svg.append("<rect x=\"").append(left + j * cell).append("\" y=\"").append(c * cell)
                        .append("\" width=\"").append(cell).append("\" height=\"").append(cell).append("\" fill=\"")
                        .append(Palette.diverging(max == 0 ? 0 : value / max)).append("\" data-w=\"").append(value)
                        .append("\"><title>class ").append(Svg.escape(model.classNames().get(c))).append(", ")
                        .append(Svg.escape(featureName(model, j))).append(": w = ").append(Svg.human(value))
                        .append("</title></rect>");
            }
        }
        return "<figure>" + svg.append("</svg>") + "</figure>\n";
    }

    private static String colourBar(double max, boolean shared) {
        int width = 240;
        StringBuilder svg = new StringBuilder("<figure class=\"colour-bar\"><svg width=\"" + (width + 80)
                + "\" height=\"44\" viewBox=\"0 0 " + (width + 80) + " 44\" role=\"img\" font-size=\"11\">"
                + "<title>colour scale of the weights</title>");
        for (int i = 0; i < width; i += 4) {
            svg.append("<rect x=\"").append(40 + i).append("\" y=\"4\" width=\"4\" height=\"16\" fill=\"")
                    .append(Palette.diverging(2.0 * (i + 2) / width - 1)).append("\"/>");
        }
        String low = shared ? "-" + Svg.human(max) : "-max";
        String high = shared ? Svg.human(max) : "+max";
        svg.append("<rect x=\"40\" y=\"4\" width=\"").append(width).append("\" height=\"16\" fill=\"none\" ")
                .append("stroke=\"#333333\"/><text x=\"40\" y=\"34\" text-anchor=\"middle\">").append(low)
                .append("</text><text x=\"").append(40 + width / 2).append("\" y=\"34\" text-anchor=\"middle\">0")
                .append("</text><text x=\"").append(40 + width).append("\" y=\"34\" text-anchor=\"middle\">")
                .append(high).append("</text></svg><figcaption>weight</figcaption></figure>\n");
        return svg.toString();
    }

    // ---- confusion matrix, per class, confused pairs, calibration ----

    private static void confusionSection(StringBuilder html, ReportInput input, Classification cl) {
        html.append("<section id=\"confusion\">\n<h2>Confusion matrix</h2>\n");
        if (cl == null) {
            html.append(noData()).append("</section>\n");
            return;
        }
        List<String> names = input.model().classNames();
        int k = cl.numClasses();
        int cell = Math.max(8, Math.min(44, 600 / k));
        boolean counts = cell >= 22;
        double label = Math.min(160, Svg.textWidth(longest(names), 12) + 8);
        int left = (int) Math.ceil(label + 26);
        int top = (int) Math.ceil(label * 0.75 + 26);
        int width = left + k * cell + 10;
        int height = top + k * cell + 10;
        html.append("<p>").append(Svg.escape(input.evaluated().name())).append(": rows are the true class, columns ")
                .append("the predicted one; the colour is the share of the true class's examples in the cell (its ")
                .append("row), the number is the count").append(counts ? "" : " (hover over a cell)")
                .append(".</p>\n<figure><svg class=\"heatmap\" id=\"confusion-matrix\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ')
                .append(height).append("\" role=\"img\" font-size=\"12\"")
                .append(" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\"><title>confusion matrix</title>")
                .append("<text x=\"").append(left + k * cell / 2).append("\" y=\"12\" text-anchor=\"middle\" ")
                .append("font-weight=\"bold\">predicted class</text><text x=\"12\" y=\"").append(top + k * cell / 2)
                .append("\" text-anchor=\"middle\" font-weight=\"bold\" transform=\"rotate(-90 12 ")
                .append(top + k * cell / 2).append(")\">true class</text>\n");
        for (int c = 0; c < k; c++) {
            String name = abbreviate(names.get(c), 22);
            double cx = left + c * cell + cell / 2.0;
            html.append("<text x=\"").append(Svg.px(cx)).append("\" y=\"").append(top - 6)
                    .append("\" text-anchor=\"start\" transform=\"rotate(-45 ").append(Svg.px(cx)).append(' ')
                    .append(top - 6).append(")\">").append(Svg.escape(name)).append("</text>")
                    .append("<text x=\"").append(left - 6).append("\" y=\"").append(top + c * cell + cell / 2 + 4)
                    .append("\" text-anchor=\"end\">").append(Svg.escape(name)).append("</text>\n");
        }
        for (int a = 0; a < k; a++) {
            long support = cl.support(a);
            for (int b = 0; b < k; b++) {
                long count = cl.count(a, b);
                double share = support == 0 ? 0 : (double) count / support;
                int x = left + b * cell;
                int y = top + a * cell;
                html.append("<g class=\"cell\" data-true=\"").append(a).append("\" data-predicted=\"").append(b)
                        .append("\" data-count=\"").append(count).append("\"><rect x=\"").append(x).append("\" y=\"")
                        .append(y).append("\" width=\"").append(cell).append("\" height=\"").append(cell)
                        .append("\" fill=\"").append(Palette.sequential(share)).append("\" stroke=\"#ffffff\"/>");
                if (counts) {
                    html.append("<text x=\"").append(x + cell / 2).append("\" y=\"").append(y + cell / 2 + 4)
                            .append("\" text-anchor=\"middle\" fill=\"")
                            .append(Palette.darkSequential(share) ? "#ffffff" : "#000000").append("\">").append(count)
                            .append("</text>");
                }
                html.append("<title>true ").append(Svg.escape(names.get(a))).append(", predicted ")
                        .append(Svg.escape(names.get(b))).append(": ").append(count).append(" of ").append(support)
                        .append(" (").append(Svg.percent(share)).append(")</title></g>\n");
            }
        }
        html.append("</svg></figure>\n</section>\n");
    }

    private static void perClassSection(StringBuilder html, ReportInput input, Classification cl) {
        html.append("<section id=\"per-class\">\n<h2>Per class</h2>\n");
        if (cl == null) {
            html.append(noData()).append("</section>\n");
            return;
        }
        List<String> names = input.model().classNames();
        html.append("<table class=\"numbers\" id=\"per-class-table\"><thead><tr><th>class</th><th>precision</th>")
                .append("<th>recall</th><th>F1</th><th>support</th></tr></thead>\n<tbody>\n");
        double macroP = 0;
        double macroR = 0;
        double macroF = 0;
        double weightedF = 0;
        int definedP = 0;
        int definedR = 0;
        for (int c = 0; c < cl.numClasses(); c++) {
            double p = cl.precision(c);
            double r = cl.recall(c);
            double f = cl.f1(c);
            if (!Double.isNaN(p)) {
                macroP += p;
                definedP++;
            }
            if (!Double.isNaN(r)) {
                macroR += r;
                definedR++;
            }
            macroF += f;
            weightedF += f * cl.support(c);
            html.append("<tr data-class=\"").append(c).append("\"><td>").append(Svg.escape(names.get(c)))
                    .append("</td><td data-value=\"").append(Svg.exact(p)).append("\">").append(fixed(p))
                    .append("</td><td data-value=\"").append(Svg.exact(r)).append("\">").append(fixed(r))
                    .append("</td><td data-value=\"").append(Svg.exact(f)).append("\">").append(fixed(f))
                    .append("</td><td data-value=\"").append(cl.support(c)).append("\">").append(cl.support(c))
                    .append("</td></tr>\n");
        }
        int k = cl.numClasses();
        html.append("</tbody>\n<tfoot><tr><td>macro average</td><td>").append(fixed(macroP / definedP))
                .append("</td><td>").append(fixed(macroR / definedR)).append("</td><td>").append(fixed(macroF / k))
                .append("</td><td>").append(cl.numExamples()).append("</td></tr><tr><td>weighted F1, accuracy</td>")
                .append("<td></td><td></td><td>").append(fixed(weightedF / cl.numExamples())).append("</td><td>")
                .append("accuracy ").append(fixed(cl.accuracy())).append("</td></tr></tfoot></table>\n")
                .append("<p>Log-likelihood on these data: ").append(Svg.human(cl.logLikelihood()))
                .append(" (log-loss ").append(Svg.human(-cl.logLikelihood() / cl.numExamples()))
                .append(" nats per example). Precision is undefined (—) for a class never predicted.</p>\n")
                .append("</section>\n");
    }

    private static void confusedSection(StringBuilder html, ReportInput input, Classification cl) {
        html.append("<section id=\"confused\">\n<h2>Most confused pairs</h2>\n");
        if (cl == null) {
            html.append(noData()).append("</section>\n");
            return;
        }
        List<Classification.Confusion> pairs = cl.mostConfused(CONFUSED_PAIRS);
        if (pairs.isEmpty()) {
            html.append("<p>Every example is classified correctly.</p>\n</section>\n");
            return;
        }
        Model model = input.model();
        Dataset data = input.evaluated().data();
        int[] shape = input.imageShape();
        float[] range = shape == null ? null : range(data);
        html.append("<p>The true class predicted as another, most frequent first, with up to ")
                .append(EXAMPLES_PER_PAIR).append(" of the examples")
                .append(shape == null ? "" : " as images (dark is high), as the model sees them")
                .append(" and the three highest predicted probabilities.</p>\n");
        html.append("<div class=\"pairs\">\n");
        for (Classification.Confusion pair : pairs) {
            html.append("<div class=\"pair\" data-true=\"").append(pair.trueClass()).append("\" data-predicted=\"")
                    .append(pair.predictedClass()).append("\" data-count=\"").append(pair.count())
                    .append("\"><h3>true ").append(Svg.escape(model.classNames().get(pair.trueClass())))
                    .append(" → predicted ").append(Svg.escape(model.classNames().get(pair.predictedClass())))
                    .append(": ").append(pair.count()).append(pair.count() == 1 ? " example" : " examples")
                    .append("</h3>\n<div class=\"examples\">\n");
            for (int e : pair.examples().subList(0, Math.min(EXAMPLES_PER_PAIR, pair.examples().size()))) {
                html.append("<figure class=\"example\" data-example=\"").append(e).append("\">");
                if (shape != null) {
                    html.append(exampleImage(data, e, shape, range));
                }
                html.append("<figcaption>#").append(e).append(topProbabilities(model, cl, e)).append("</figcaption>")
                        .append("</figure>\n");
            }
            html.append("</div></div>\n");
        }
        html.append("</div>\n</section>\n");
    }

    private static String topProbabilities(Model model, Classification cl, int example) {
        int k = cl.numClasses();
        Integer[] order = new Integer[k];
        for (int c = 0; c < k; c++) {
            order[c] = c;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(cl.probability(example, b), cl.probability(example, a)));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(3, k); i++) {
            int c = order[i];
            text.append("<br/><span class=\"prob\" data-class=\"").append(c).append("\" data-p=\"")
                    .append(cl.probability(example, c)).append("\">").append(Svg.escape(abbreviate(
                            model.classNames().get(c), 14))).append(": ")
                    .append(String.format(Locale.ROOT, "%.3f", cl.probability(example, c))).append("</span>");
        }
        return text.toString();
    }

    private static String exampleImage(Dataset data, int example, int[] shape, float[] range) {
        BufferedImage image = new BufferedImage(shape[1], shape[0], BufferedImage.TYPE_INT_RGB);
        double span = range[1] - range[0];
        for (int j = 0; j < data.numFeatures(); j++) {
            double t = span == 0 ? 0 : (data.feature(example, j) - range[0]) / span;
            int grey = (int) Math.round(255 * (1 - Math.max(0, Math.min(1, t))));
            image.setRGB(j % shape[1], j / shape[1], (grey << 16) | (grey << 8) | grey);
        }
        int scale = Math.max(1, 72 / Math.max(shape[0], shape[1]));
        return "<img class=\"pixels\" alt=\"example " + example + "\" src=\"" + dataUri(image) + "\" width=\""
                + shape[1] * scale + "\" height=\"" + shape[0] * scale + "\"/>";
    }

    private static void calibrationSection(StringBuilder html, Classification cl) {
        html.append("<section id=\"calibration\">\n<h2>Calibration</h2>\n");
        if (cl == null) {
            html.append(noData()).append("</section>\n");
            return;
        }
        List<Classification.Bin> bins = cl.reliability(CALIBRATION_BINS);
        double ece = cl.expectedCalibrationError(CALIBRATION_BINS);
        int size = 320;
        int left = 64;
        int top = 16;
        int bottom = 48;
        int width = left + size + 180;
        int height = top + size + bottom;
        int maxCount = 1;
        for (Classification.Bin bin : bins) {
            maxCount = Math.max(maxCount, bin.count());
        }
        html.append("<p>Reliability diagram: the examples grouped by confidence (the highest predicted probability) ")
                .append("in ").append(CALIBRATION_BINS).append(" bins; each bar is the accuracy within its bin, the ")
                .append("dot the bin's mean confidence. A calibrated model's bars reach the diagonal. Expected ")
                .append("calibration error: <b id=\"ece\" data-value=\"").append(Svg.exact(ece)).append("\">")
                .append(String.format(Locale.ROOT, "%.4f", ece)).append("</b>. Light bars below: how many ")
                .append("examples fall in each bin.</p>\n<figure><svg class=\"chart\" id=\"chart-calibration\" ")
                .append("width=\"").append(width).append("\" height=\"").append(height).append("\" viewBox=\"0 0 ")
                .append(width).append(' ').append(height).append("\" role=\"img\" font-size=\"12\" ")
                .append("font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" data-plot=\"").append(left)
                .append(' ').append(top).append(' ').append(left + size).append(' ').append(top + size)
                .append("\"><title>reliability diagram</title>\n");
        for (int i = 0; i <= 5; i++) {
            double v = i / 5.0;
            int x = left + (int) Math.round(v * size);
            int y = top + size - (int) Math.round(v * size);
            html.append("<line x1=\"").append(left).append("\" y1=\"").append(y).append("\" x2=\"").append(left + size)
                    .append("\" y2=\"").append(y).append("\" stroke=\"#dddddd\"/>")
                    .append("<text x=\"").append(left - 6).append("\" y=\"").append(y + 4)
                    .append("\" text-anchor=\"end\">").append(Svg.human(v)).append("</text>")
                    .append("<text x=\"").append(x).append("\" y=\"").append(top + size + 16)
                    .append("\" text-anchor=\"middle\">").append(Svg.human(v)).append("</text>\n");
        }
        double barWidth = (double) size / CALIBRATION_BINS;
        for (Classification.Bin bin : bins) {
            double x = left + bin.from() * size;
            double countHeight = 0.25 * size * bin.count() / maxCount;
            html.append("<g class=\"bin\" data-from=\"").append(Svg.exact(bin.from())).append("\" data-count=\"")
                    .append(bin.count()).append("\" data-confidence=\"").append(Svg.exact(bin.meanConfidence()))
                    .append("\" data-accuracy=\"").append(Svg.exact(bin.accuracy())).append("\">")
                    .append("<rect x=\"").append(Svg.px(x + 1)).append("\" y=\"")
                    .append(Svg.px(top + size - countHeight)).append("\" width=\"").append(Svg.px(barWidth - 2))
                    .append("\" height=\"").append(Svg.px(countHeight)).append("\" fill=\"#E69F00\" ")
                    .append("fill-opacity=\"0.35\"/>");
            if (bin.count() > 0) {
                double accuracyHeight = bin.accuracy() * size;
                html.append("<rect x=\"").append(Svg.px(x + 3)).append("\" y=\"")
                        .append(Svg.px(top + size - accuracyHeight)).append("\" width=\"")
                        .append(Svg.px(barWidth - 6)).append("\" height=\"").append(Svg.px(accuracyHeight))
                        .append("\" fill=\"#0072B2\" fill-opacity=\"0.75\"/>")
                        .append("<circle cx=\"").append(Svg.px(left + bin.meanConfidence() * size)).append("\" cy=\"")
                        .append(Svg.px(top + size - bin.meanConfidence() * size))
                        .append("\" r=\"4\" fill=\"#D55E00\" stroke=\"#000000\"/>");
            }
            html.append("<title>confidence ").append(Svg.human(bin.from())).append(" to ").append(Svg.human(bin.to()))
                    .append(": ").append(bin.count()).append(" examples, accuracy ").append(Svg.percent(bin.accuracy()))
                    .append(", mean confidence ").append(Svg.percent(bin.meanConfidence())).append("</title></g>\n");
        }
        html.append("<line x1=\"").append(left).append("\" y1=\"").append(top + size).append("\" x2=\"")
                .append(left + size).append("\" y2=\"").append(top).append("\" stroke=\"#000000\" ")
                .append("stroke-dasharray=\"4 3\"/><rect x=\"").append(left).append("\" y=\"").append(top)
                .append("\" width=\"").append(size).append("\" height=\"").append(size)
                .append("\" fill=\"none\" stroke=\"#333333\"/>")
                .append("<text x=\"").append(left + size / 2).append("\" y=\"").append(height - 8)
                .append("\" text-anchor=\"middle\">confidence (highest predicted probability)</text>")
                .append("<text x=\"16\" y=\"").append(top + size / 2).append("\" text-anchor=\"middle\" ")
                .append("transform=\"rotate(-90 16 ").append(top + size / 2).append(")\">accuracy in the bin</text>");
        int lx = left + size + 16;
        html.append("<rect x=\"").append(lx).append("\" y=\"").append(top + 4)
                .append("\" width=\"14\" height=\"10\" fill=\"#0072B2\" fill-opacity=\"0.75\"/><text x=\"")
                .append(lx + 20).append("\" y=\"").append(top + 14).append("\">accuracy</text>")
                .append("<circle cx=\"").append(lx + 7).append("\" cy=\"").append(top + 28)
                .append("\" r=\"4\" fill=\"#D55E00\" stroke=\"#000000\"/><text x=\"").append(lx + 20)
                .append("\" y=\"").append(top + 32).append("\">mean confidence</text>")
                .append("<rect x=\"").append(lx).append("\" y=\"").append(top + 40)
                .append("\" width=\"14\" height=\"10\" fill=\"#E69F00\" fill-opacity=\"0.35\"/><text x=\"")
                .append(lx + 20).append("\" y=\"").append(top + 50).append("\">examples (max ").append(maxCount)
                .append(")</text><line x1=\"").append(lx).append("\" y1=\"").append(top + 64).append("\" x2=\"")
                .append(lx + 14).append("\" y2=\"").append(top + 64)
                .append("\" stroke=\"#000000\" stroke-dasharray=\"4 3\"/><text x=\"").append(lx + 20)
                .append("\" y=\"").append(top + 68).append("\">perfect calibration</text>")
                .append("</svg></figure>\n</section>\n");
    }

    // ---- the run ----

    private static void runSection(StringBuilder html, ReportInput input, Classification cl) {
        Model model = input.model();
        TrainingInfo training = model.training();
        Map<String, String> facts = new LinkedHashMap<>(input.run());
        facts.putIfAbsent("engine", training.engine());
        facts.put("stop reason", training.stopReason());
        facts.put("iterations", String.valueOf(training.iterations()));
        facts.put("seed", String.valueOf(training.seed()));
        facts.put("classes", model.numClasses() + ": " + abbreviate(String.join(", ", model.classNames()), 300));
        facts.put("features", model.numFeatures() + (input.imageShape() == null ? ""
                : " (an image of " + input.imageShape()[0] + " x " + input.imageShape()[1] + ")"));
        facts.put("inputs binarised", model.binarizeThreshold() == null ? "no"
                : "at " + model.binarizeThreshold() + " (1 where x >= threshold)");
        facts.put("bias", model.hasBias() ? "yes" : "no (--no-bias)");
        if (cl != null) {
            facts.put("evaluated on", input.evaluated().name() + ", " + cl.numExamples() + " examples");
        }
        facts.put("trained", training.createdAt() + " by softmax4j " + training.softmax4jVersion());
        facts.put("report made by", "softmax4j " + Version.get() + " on Java " + System.getProperty("java.version")
                + " (" + System.getProperty("java.vendor") + "), " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch"));
        html.append("<section id=\"run\">\n<h2>The run</h2>\n<div class=\"columns\">\n");
        table(html, "run-facts", "run", facts);
        table(html, "run-options", "options", training.options());
        Map<String, String> metrics = new LinkedHashMap<>();
        training.metrics().forEach((name, value) -> metrics.put(name, Svg.human(value)));
        table(html, "run-metrics", "final metrics", metrics);
        html.append("</div>\n</section>\n");
    }

    private static void table(StringBuilder html, String id, String caption, Map<String, String> rows) {
        html.append("<table class=\"facts\" id=\"").append(id).append("\"><caption>").append(Svg.escape(caption))
                .append("</caption><tbody>\n");
        rows.forEach((key, value) -> html.append("<tr><th>").append(Svg.escape(key)).append("</th><td>")
                .append(Svg.escape(value)).append("</td></tr>\n"));
        html.append("</tbody></table>\n");
    }

    // ---- helpers ----

    private static String noData() {
        return "<p class=\"note\">No labelled data: give <code>report --data FILE</code>, or use "
                + "<code>train --report</code>, which evaluates the test set.</p>\n";
    }

    private static String featureName(Model model, int j) {
        return model.featureNames() == null ? "feature " + j : model.featureNames().get(j);
    }

    private static int[] labels(Dataset data) {
        int[] labels = new int[data.numExamples()];
        for (int n = 0; n < labels.length; n++) {
            labels[n] = data.label(n);
        }
        return labels;
    }

    private static float[] range(Dataset data) {
        float low = Float.POSITIVE_INFINITY;
        float high = Float.NEGATIVE_INFINITY;
        for (int n = 0; n < data.numExamples(); n++) {
            for (int j = 0; j < data.numFeatures(); j++) {
                float v = data.feature(n, j);
                low = Math.min(low, v);
                high = Math.max(high, v);
            }
        }
        return low <= high ? new float[] {low, high} : new float[] {0, 1};
    }

    private static String fixed(double value) {
        return Double.isNaN(value) ? "—" : String.format(Locale.ROOT, "%.3f", value);
    }

    private static String longest(List<String> names) {
        String longest = "";
        for (String name : names) {
            String shown = abbreviate(name, 22);
            if (shown.length() > longest.length()) {
                longest = shown;
            }
        }
        return longest;
    }

    static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    private static String dataUri(BufferedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    private static final String CSS = """
            body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; margin: 0 auto;
                   max-width: 1120px; padding: 16px 24px; line-height: 1.4; background: #fff; }
            h1 { font-size: 1.5em; margin: 0.2em 0; } h2 { font-size: 1.2em; margin: 0 0 0.5em; }
            h3 { font-size: 1em; margin: 0.6em 0 0.3em; }
            header .summary { color: #444; } nav { margin: 0.5em 0 1em; font-size: 0.95em; }
            section { border-top: 1px solid #ccc; padding: 12px 0 16px; }
            figure { margin: 6px 0; } svg { display: block; max-width: 100%; height: auto; }
            .tiles, .examples, .columns, .pairs { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
            .pair { border: 1px solid #e0e0e0; padding: 4px 8px; }
            .tile, .example { text-align: center; font-size: 0.85em; }
            .tile svg, .tile img { margin: 0 auto; border: 1px solid #999; }
            img.pixels { image-rendering: pixelated; border: 1px solid #999; display: block; margin: 0 auto; }
            .example figcaption { font-family: "DejaVu Sans Mono", monospace; font-size: 0.8em; }
            .colour-bar figcaption { font-size: 0.85em; }
            table { border-collapse: collapse; margin: 6px 0; font-size: 0.9em; }
            th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
            table.numbers td + td { text-align: right; font-variant-numeric: tabular-nums; }
            table.facts td { max-width: 420px; overflow-wrap: anywhere; }
            caption { font-weight: bold; text-align: left; padding-bottom: 3px; }
            tfoot td { font-weight: bold; } .note { color: #8a4b00; }
            footer { border-top: 1px solid #ccc; padding-top: 8px; color: #666; font-size: 0.85em; }
            """;
}
