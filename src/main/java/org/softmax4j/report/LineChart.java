package org.softmax4j.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A line chart as SVG: series of (x, y) drawn as lines of distinct colour and dash, single points (a final test
 * score), vertical markers (where training stopped), a legend above the plot, axes with ticks, grid and titles, and
 * hover text on the points. The root carries the axes' ranges and the plot box ({@code data-*}), and each series its
 * values, so that a test can check the drawing against the numbers.
 */
final class LineChart {
    static final int WIDTH = 760;
    static final int HEIGHT = 330;
    private static final double LEFT = 80;
    private static final double RIGHT = 24;
    private static final double BOTTOM = 52;
    private static final double FONT = 12;
    /** Hover targets per series at most: enough to read a curve, few enough to keep the file small. */
    private static final int MAX_HOVER_POINTS = 120;

    record Series(String id, String label, double[] x, double[] y, boolean point) {
    }

    record Marker(double x, String label) {
    }

    private final String id;
    private final String title;
    private final String xTitle;
    private final String yTitle;
    private final boolean logY;
    private final List<Series> series = new ArrayList<>();
    private final List<Marker> markers = new ArrayList<>();
    private Double yFloor;
    private Double yCeiling;

    LineChart(String id, String title, String xTitle, String yTitle, boolean logY) {
        this.id = id;
        this.title = title;
        this.xTitle = xTitle;
        this.yTitle = yTitle;
        this.logY = logY;
    }

    /** A line; NaN values (and non-positive ones on a log axis) leave gaps. */
    LineChart series(String seriesId, String label, double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("series " + seriesId + " has " + x.length + " x and " + y.length
                    + " y values, expected as many");
        }
        series.add(new Series(seriesId, label, x.clone(), y.clone(), false));
        return this;
    }

    /** One value drawn as a marked point, e.g. the test score of the final model. */
    LineChart point(String seriesId, String label, double x, double y) {
        series.add(new Series(seriesId, label, new double[] {x}, new double[] {y}, true));
        return this;
    }

    LineChart marker(double x, String label) {
        markers.add(new Marker(x, label));
        return this;
    }

    /** Keeps the y axis within [floor, ceiling] at most, e.g. [0, 1] for an accuracy. */
    LineChart yBounds(double floor, double ceiling) {
        this.yFloor = floor;
        this.yCeiling = ceiling;
        return this;
    }

    String title() {
        return title;
    }

    String xTitle() {
        return xTitle;
    }

    String yTitle() {
        return yTitle;
    }

    boolean logY() {
        return logY;
    }

    List<Series> seriesList() {
        return List.copyOf(series);
    }

    List<Marker> markers() {
        return List.copyOf(markers);
    }

    boolean isEmpty() {
        return series.stream().noneMatch(s -> hasValue(s.y));
    }

    private boolean hasValue(double[] values) {
        for (double v : values) {
            if (usable(v)) {
                return true;
            }
        }
        return false;
    }

    private boolean usable(double y) {
        return Double.isFinite(y) && (!logY || y > 0);
    }

    /** The chart as an SVG element; {@code standalone} adds the XML namespace and a white background. */
    String svg(boolean standalone) {
        // The legend: entries left to right, wrapping; its height moves the plot down.
        List<double[]> legendAt = new ArrayList<>();
        double lx = LEFT;
        double ly = 30;
        for (Series s : series) {
            double w = 34 + Svg.textWidth(s.label, FONT) + 18;
            if (lx + w > WIDTH - RIGHT && lx > LEFT) {
                lx = LEFT;
                ly += 18;
            }
            legendAt.add(new double[] {lx, ly});
            lx += w;
        }
        double bottom = HEIGHT - BOTTOM;
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                if (usable(s.y[i])) {
                    xMin = Math.min(xMin, s.x[i]);
                    xMax = Math.max(xMax, s.x[i]);
                    yMin = Math.min(yMin, s.y[i]);
                    yMax = Math.max(yMax, s.y[i]);
                }
            }
        }
        for (Marker m : markers) {
            xMin = Math.min(xMin, m.x);
            xMax = Math.max(xMax, m.x);
        }
        if (!(xMin <= xMax)) {
            xMin = 0;
            xMax = 1;
        }
        if (xMin == xMax) {
            xMax = xMin + 1;
        }
        Axis xAxis = new Axis(xMin, xMax, false, LEFT, WIDTH - RIGHT);
        // Marker labels above the plot, each in the first row where it overlaps no other label.
        int[] markerRow = new int[markers.size()];
        List<double[]> taken = new ArrayList<>();
        int rows = 0;
        for (int i = 0; i < markers.size(); i++) {
            double x = xAxis.pixel(markers.get(i).x);
            double w = Svg.textWidth(markers.get(i).label, 11);
            double start = x + w > WIDTH - RIGHT ? x - w : x;
            int row = 0;
            while (overlaps(taken, row, start - 6, start + w + 6)) {
                row++;
            }
            taken.add(new double[] {row, start - 6, start + w + 6});
            markerRow[i] = row;
            rows = Math.max(rows, row + 1);
        }
        double top = ly + 12 + rows * 14;
        Axis yAxis = Axis.of(yMin, yMax, logY, bottom, top);
        if (!logY && yFloor != null && (yAxis.min < yFloor || yAxis.max > yCeiling)) {
            yAxis = new Axis(Math.max(yAxis.min, yFloor), Math.min(yAxis.max, yCeiling), false, bottom, top);
        }

        StringBuilder out = new StringBuilder();
        out.append("<svg").append(standalone ? " xmlns=\"http://www.w3.org/2000/svg\"" : "")
                .append(" class=\"chart\" id=\"").append(Svg.escape(id)).append("\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(HEIGHT).append("\" role=\"img\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\"")
                .append(" font-size=\"").append((int) FONT).append('"')
                .append(" data-x-min=\"").append(Svg.exact(xAxis.min)).append("\" data-x-max=\"")
                .append(Svg.exact(xAxis.max)).append("\" data-y-min=\"").append(Svg.exact(yAxis.min))
                .append("\" data-y-max=\"").append(Svg.exact(yAxis.max)).append("\" data-y-log=\"").append(logY)
                .append("\" data-plot=\"").append(Svg.px(LEFT)).append(' ').append(Svg.px(top)).append(' ')
                .append(Svg.px(WIDTH - RIGHT)).append(' ').append(Svg.px(bottom)).append("\">\n");
        out.append("<title>").append(Svg.escape(title)).append("</title>\n");
        if (standalone) {
            out.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        }
        out.append("<text x=\"").append(Svg.px(LEFT)).append("\" y=\"16\" font-size=\"14\" font-weight=\"bold\">")
                .append(Svg.escape(title)).append("</text>\n");
        // Grid and ticks.
        out.append("<g class=\"axes\" stroke=\"#d0d0d0\" stroke-width=\"1\">\n");
        for (double t : yAxis.ticks()) {
            double y = yAxis.pixel(t);
            out.append("<line x1=\"").append(Svg.px(LEFT)).append("\" y1=\"").append(Svg.px(y)).append("\" x2=\"")
                    .append(Svg.px(WIDTH - RIGHT)).append("\" y2=\"").append(Svg.px(y)).append("\"/>\n");
        }
        List<Double> xTicks = integerTicks(xAxis);
        for (double t : xTicks) {
            double x = xAxis.pixel(t);
            out.append("<line x1=\"").append(Svg.px(x)).append("\" y1=\"").append(Svg.px(top)).append("\" x2=\"")
                    .append(Svg.px(x)).append("\" y2=\"").append(Svg.px(bottom)).append("\"/>\n");
        }
        out.append("</g>\n<g class=\"frame\" stroke=\"#333333\" fill=\"none\">\n<rect x=\"").append(Svg.px(LEFT))
                .append("\" y=\"").append(Svg.px(top)).append("\" width=\"").append(Svg.px(WIDTH - RIGHT - LEFT))
                .append("\" height=\"").append(Svg.px(bottom - top)).append("\"/>\n</g>\n");
        out.append("<g class=\"tick-labels\" fill=\"#333333\">\n");
        for (double t : yAxis.ticks()) {
            out.append("<text x=\"").append(Svg.px(LEFT - 6)).append("\" y=\"").append(Svg.px(yAxis.pixel(t) + 4))
                    .append("\" text-anchor=\"end\">").append(Svg.escape(yAxis.label(t))).append("</text>\n");
        }
        for (double t : xTicks) {
            out.append("<text x=\"").append(Svg.px(xAxis.pixel(t))).append("\" y=\"").append(Svg.px(bottom + 16))
                    .append("\" text-anchor=\"middle\">").append(Svg.escape(xAxis.label(t))).append("</text>\n");
        }
        out.append("</g>\n");
        out.append("<text class=\"axis-title\" x=\"").append(Svg.px((LEFT + WIDTH - RIGHT) / 2)).append("\" y=\"")
                .append(Svg.px(HEIGHT - 10)).append("\" text-anchor=\"middle\">").append(Svg.escape(xTitle))
                .append("</text>\n");
        double yMid = (top + bottom) / 2;
        out.append("<text class=\"axis-title\" x=\"16\" y=\"").append(Svg.px(yMid))
                .append("\" text-anchor=\"middle\" transform=\"rotate(-90 16 ").append(Svg.px(yMid)).append(")\">")
                .append(Svg.escape(yTitle)).append("</text>\n");

        // Markers: a dashed vertical line each, labels staggered so that neighbours do not overlap.
        for (int i = 0; i < markers.size(); i++) {
            Marker m = markers.get(i);
            double x = xAxis.pixel(m.x);
            boolean alignEnd = x + Svg.textWidth(m.label, 11) > WIDTH - RIGHT;
            double labelY = top - 4 - (rows - 1 - markerRow[i]) * 14;
            out.append("<g class=\"marker\" data-x=\"").append(Svg.exact(m.x)).append("\"><line x1=\"")
                    .append(Svg.px(x)).append("\" y1=\"").append(Svg.px(top)).append("\" x2=\"").append(Svg.px(x))
                    .append("\" y2=\"").append(Svg.px(bottom))
                    .append("\" stroke=\"#555555\" stroke-dasharray=\"3 3\"/><text x=\"").append(Svg.px(x))
                    .append("\" y=\"").append(Svg.px(labelY)).append("\" font-size=\"11\" text-anchor=\"")
                    .append(alignEnd ? "end" : "start").append("\" fill=\"#333333\">").append(Svg.escape(m.label))
                    .append("</text></g>\n");
        }

        // Series, then legend.
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            String colour = Palette.line(i);
            out.append("<g class=\"series\" data-series=\"").append(Svg.escape(s.id)).append("\" data-x=\"")
                    .append(join(s.x)).append("\" data-y=\"").append(join(s.y)).append("\">\n");
            if (s.point) {
                if (usable(s.y[0])) {
                    double x = xAxis.pixel(s.x[0]);
                    double y = yAxis.pixel(s.y[0]);
                    out.append("<path class=\"point\" d=\"M").append(Svg.px(x)).append(' ').append(Svg.px(y - 6))
                            .append(" L").append(Svg.px(x + 6)).append(' ').append(Svg.px(y)).append(" L")
                            .append(Svg.px(x)).append(' ').append(Svg.px(y + 6)).append(" L").append(Svg.px(x - 6))
                            .append(' ').append(Svg.px(y)).append(" Z\" fill=\"").append(colour)
                            .append("\" stroke=\"#000000\" data-x=\"").append(Svg.exact(s.x[0])).append("\" data-y=\"")
                            .append(Svg.exact(s.y[0])).append("\"><title>").append(Svg.escape(s.label))
                            .append(": ").append(Svg.human(s.y[0])).append(" (").append(Svg.escape(xTitle))
                            .append(' ').append(Svg.human(s.x[0])).append(")</title></path>\n");
                }
            } else {
                StringBuilder points = new StringBuilder();
                for (int p = 0; p <= s.x.length; p++) {
                    if (p < s.x.length && usable(s.y[p])) {
                        if (points.length() > 0) {
                            points.append(' ');
                        }
                        points.append(Svg.px(xAxis.pixel(s.x[p]))).append(',').append(Svg.px(yAxis.pixel(s.y[p])));
                    } else if (points.length() > 0) {
                        out.append("<polyline fill=\"none\" stroke=\"").append(colour)
                                .append("\" stroke-width=\"2\" stroke-linejoin=\"round\"")
                                .append(dashAttribute(i))
                                .append(" points=\"").append(points).append("\"/>\n");
                        points.setLength(0);
                    }
                }
                int stride = Math.max(1, (int) Math.ceil(s.x.length / (double) MAX_HOVER_POINTS));
                out.append("<g class=\"hover\" fill=\"").append(colour).append("\" fill-opacity=\"0\">");
                for (int p = 0; p < s.x.length; p += stride) {
                    if (usable(s.y[p])) {
                        out.append("<circle cx=\"").append(Svg.px(xAxis.pixel(s.x[p]))).append("\" cy=\"")
                                .append(Svg.px(yAxis.pixel(s.y[p]))).append("\" r=\"4\"><title>")
                                .append(Svg.escape(s.label)).append(": ").append(Svg.human(s.y[p])).append(" at ")
                                .append(Svg.escape(xTitle)).append(' ').append(Svg.human(s.x[p]))
                                .append("</title></circle>");
                    }
                }
                out.append("</g>\n");
            }
            out.append("</g>\n");
        }
        out.append("<g class=\"legend\">\n");
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            double[] at = legendAt.get(i);
            String colour = Palette.line(i);
            if (s.point) {
                out.append("<path d=\"M").append(Svg.px(at[0] + 14)).append(' ').append(Svg.px(at[1] - 10))
                        .append(" l6 6 l-6 6 l-6 -6 Z\" fill=\"").append(colour).append("\" stroke=\"#000000\"/>");
            } else {
                out.append("<line x1=\"").append(Svg.px(at[0])).append("\" y1=\"").append(Svg.px(at[1] - 4))
                        .append("\" x2=\"").append(Svg.px(at[0] + 28)).append("\" y2=\"").append(Svg.px(at[1] - 4))
                        .append("\" stroke=\"").append(colour).append("\" stroke-width=\"2\"")
                        .append(Palette.dash(i).isEmpty() ? "" : " stroke-dasharray=\"" + Palette.dash(i) + "\"")
                        .append("/>");
            }
            out.append("<text x=\"").append(Svg.px(at[0] + 34)).append("\" y=\"").append(Svg.px(at[1]))
                    .append("\">").append(Svg.escape(s.label)).append("</text>\n");
        }
        out.append("</g>\n</svg>\n");
        return out.toString();
    }

    private static String dashAttribute(int i) {
        return Palette.dash(i).isEmpty() ? "" : " stroke-dasharray=\"" + Palette.dash(i) + "\"";
    }

    private static boolean overlaps(List<double[]> taken, int row, double from, double to) {
        for (double[] t : taken) {
            if (t[0] == row && from < t[2] && t[1] < to) {
                return true;
            }
        }
        return false;
    }

    /** Ticks of an iteration axis: whole numbers only. */
    private static List<Double> integerTicks(Axis axis) {
        double step = Math.max(1, Axis.niceStep((axis.max - axis.min) / 8));
        List<Double> ticks = new ArrayList<>();
        for (double v = Math.ceil(axis.min / step) * step; v <= axis.max + 1e-9; v += step) {
            ticks.add(v);
        }
        return ticks;
    }

    private static String join(double[] values) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                text.append(' ');
            }
            text.append(Svg.exact(values[i]));
        }
        return text.toString();
    }
}
