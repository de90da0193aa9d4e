package org.softmax4j.report;

import java.util.ArrayList;
import java.util.List;

/**
 * One axis of a chart: a data range mapped onto a pixel range, linear or log10, and the ticks people read off it
 * (1-2-5 steps on a linear axis, decades on a log axis). The mapping is exact and invertible, so a test can read the
 * values back from the pixels.
 */
final class Axis {
    final double min;
    final double max;
    final boolean log;
    final double pixelFrom;
    final double pixelTo;

    /** A linear axis over [min, max] (widened to a nice range), or log10 over positive [min, max] (to decades). */
    static Axis of(double min, double max, boolean log, double pixelFrom, double pixelTo) {
        if (!(min <= max)) {
            min = 0;
            max = 1;
        }
        if (log) {
            double low = Math.pow(10, Math.floor(Math.log10(min)));
            double high = Math.pow(10, Math.ceil(Math.log10(max)));
            if (high <= low) {
                high = low * 10;
            }
            return new Axis(low, high, true, pixelFrom, pixelTo);
        }
        if (min == max) {
            double pad = min == 0 ? 1 : Math.abs(min) * 0.05;
            min -= pad;
            max += pad;
        }
        double step = niceStep((max - min) / 5);
        return new Axis(Math.floor(min / step) * step, Math.ceil(max / step) * step, false, pixelFrom, pixelTo);
    }

    Axis(double min, double max, boolean log, double pixelFrom, double pixelTo) {
        this.min = min;
        this.max = max;
        this.log = log;
        this.pixelFrom = pixelFrom;
        this.pixelTo = pixelTo;
    }

    double pixel(double value) {
        double t = log ? (Math.log10(value) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))
                : (value - min) / (max - min);
        return pixelFrom + t * (pixelTo - pixelFrom);
    }

    List<Double> ticks() {
        List<Double> ticks = new ArrayList<>();
        if (log) {
            int from = (int) Math.round(Math.log10(min));
            int to = (int) Math.round(Math.log10(max));
            int stride = Math.max(1, (int) Math.ceil((to - from) / 8.0));
            for (int e = from; e <= to; e += stride) {
                ticks.add(Math.pow(10, e));
            }
            return ticks;
        }
        double step = niceStep((max - min) / 5);
        for (double v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) {
            ticks.add(Math.abs(v) < step * 1e-9 ? 0 : v);
        }
        return ticks;
    }

    String label(double tick) {
        if (log) {
            int e = (int) Math.round(Math.log10(tick));
            return e >= -2 && e <= 3 ? Svg.human(tick) : "1e" + e;
        }
        return Svg.human(tick);
    }

    /** The 1, 2 or 5 times a power of ten nearest above {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0) || Double.isInfinite(raw)) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double fraction = raw / power;
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * power;
    }
}
