package org.softmax4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The training curve alone, for {@code train --plot}: the report's three charts (log-likelihood per example,
 * accuracy, gradient size on a log scale, with where training stopped) stacked in one picture. SVG is the report's
 * own drawing; PNG is drawn by XChart from the same series, colours and dashes.
 */
public final class CurvePlot {
    private static final int PNG_WIDTH = 900;
    private static final int PNG_PANEL_HEIGHT = 340;

    private CurvePlot() {
    }

    /** "png" or "svg" from the file name's extension, or null for anything else. */
    public static String format(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        return lower.endsWith(".png") ? "png" : lower.endsWith(".svg") ? "svg" : null;
    }

    public static byte[] svg(ReportInput.Curve curve) {
        List<LineChart> charts = HtmlReport.curveCharts(curve);
        int height = LineChart.HEIGHT * charts.size();
        StringBuilder svg = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\""
                + LineChart.WIDTH + "\" height=\"" + height + "\" viewBox=\"0 0 " + LineChart.WIDTH + " " + height
                + "\">\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        for (int i = 0; i < charts.size(); i++) {
            svg.append("<g transform=\"translate(0 ").append(i * LineChart.HEIGHT).append(")\">\n")
                    .append(charts.get(i).svg(false)).append("</g>\n");
        }
        return svg.append("</svg>\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] png(ReportInput.Curve curve) {
        List<LineChart> charts = HtmlReport.curveCharts(curve);
        BufferedImage image = new BufferedImage(PNG_WIDTH, PNG_PANEL_HEIGHT * charts.size(),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            for (int i = 0; i < charts.size(); i++) {
                g.drawImage(BitmapEncoder.getBufferedImage(xchart(charts.get(i))), 0, i * PNG_PANEL_HEIGHT, null);
            }
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static XYChart xchart(LineChart source) {
        XYChart chart = new XYChartBuilder().width(PNG_WIDTH).height(PNG_PANEL_HEIGHT).title(source.title())
                .xAxisTitle(source.xTitle()).yAxisTitle(source.yTitle()).build();
        var styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotGridLinesColor(new Color(0xd0d0d0));
        styler.setYAxisLogarithmic(source.logY());
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        List<LineChart.Series> all = source.seriesList();
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < all.size(); i++) {
            LineChart.Series s = all.get(i);
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int p = 0; p < s.x().length; p++) {
                double v = s.y()[p];
                if (Double.isFinite(v) && (!source.logY() || v > 0)) {
                    x.add(s.x()[p]);
                    y.add(v);
                    yMin = Math.min(yMin, v);
                    yMax = Math.max(yMax, v);
                }
            }
            if (x.isEmpty()) {
                continue;
            }
            XYSeries series = chart.addSeries(s.label(), x, y);
            Color colour = Color.decode(Palette.line(i));
            series.setLineColor(colour);
            series.setMarkerColor(colour);
            if (s.point()) {
                series.setMarker(SeriesMarkers.DIAMOND);
                series.setLineStyle(new BasicStroke(0f));
            } else {
                series.setMarker(SeriesMarkers.NONE);
                series.setLineWidth(2f);
                series.setLineStyle(stroke(Palette.dash(i)));
            }
        }
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        for (LineChart.Series s : all) {
            for (double x : s.x()) {
                xMin = Math.min(xMin, x);
                xMax = Math.max(xMax, x);
            }
        }
        if (yMin <= yMax) {
            for (LineChart.Marker marker : source.markers()) {
                // Centred on a point left of the line, so that the label ends at the line (about 7 px a character).
                double shift = (marker.label().length() * 3.6 + 6) / (PNG_WIDTH - 120.0) * Math.max(1, xMax - xMin);
                AnnotationLine line = new AnnotationLine(marker.x(), true, false);
                chart.addAnnotation(line);
                chart.addAnnotation(new AnnotationText(marker.label(), marker.x() - shift, source.logY()
                        ? yMax : yMin + 0.97 * (yMax - yMin), false));
            }
        }
        return chart;
    }

    private static BasicStroke stroke(String dash) {
        if (dash.isEmpty()) {
            return new BasicStroke(2f);
        }
        String[] parts = dash.split(" ");
        float[] pattern = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            pattern[i] = Float.parseFloat(parts[i]);
        }
        return new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, pattern, 0f);
    }
}
