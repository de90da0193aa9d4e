package org.softmax4j.report;

/**
 * Colours that people with the common colour-vision deficiencies can tell apart: the Okabe–Ito set for lines, a
 * blue–white–red diverging map (ColorBrewer's RdBu, rated colour-blind safe) for signed weights, and a
 * white-to-blue sequential map for counts. Lines also differ by dash, so that none depends on colour alone.
 */
final class Palette {
    /** Okabe & Ito (2008): blue, vermillion, bluish green, orange, reddish purple, sky blue, yellow, black. */
    static final String[] LINES = {"#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442",
            "#000000"};
    static final String[] DASHES = {"", "6 3", "2 2", "8 3 2 3", "4 4", "1 3", "10 4", "3 1"};

    private static final int[][] DIVERGING = {
            {0x05, 0x30, 0x61}, {0x21, 0x66, 0xac}, {0x43, 0x93, 0xc3}, {0x92, 0xc5, 0xde}, {0xd1, 0xe5, 0xf0},
            {0xf7, 0xf7, 0xf7},
            {0xfd, 0xdb, 0xc7}, {0xf4, 0xa5, 0x82}, {0xd6, 0x60, 0x4d}, {0xb2, 0x18, 0x2b}, {0x67, 0x00, 0x1f}};
    private static final int[][] SEQUENTIAL = {
            {0xf7, 0xfb, 0xff}, {0xde, 0xeb, 0xf7}, {0xc6, 0xdb, 0xef}, {0x9e, 0xca, 0xe1}, {0x6b, 0xae, 0xd6},
            {0x42, 0x92, 0xc6}, {0x21, 0x71, 0xb5}, {0x08, 0x51, 0x9c}, {0x08, 0x30, 0x6b}};

    private Palette() {
    }

    /** t in [-1, 1]: -1 dark blue, 0 white, 1 dark red; clamped. */
    static String diverging(double t) {
        double x = (clamp(t, -1, 1) + 1) / 2 * (DIVERGING.length - 1);
        return interpolate(DIVERGING, x);
    }

    /** t in [0, 1]: white to dark blue; clamped. */
    static String sequential(double t) {
        return interpolate(SEQUENTIAL, clamp(t, 0, 1) * (SEQUENTIAL.length - 1));
    }

    /** Whether text on the sequential colour of t needs to be white to be read. */
    static boolean darkSequential(double t) {
        return t > 0.55;
    }

    static String line(int i) {
        return LINES[i % LINES.length];
    }

    static String dash(int i) {
        return DASHES[i % DASHES.length];
    }

    private static String interpolate(int[][] stops, double x) {
        if (Double.isNaN(x)) {
            return "#cccccc";
        }
        int i = Math.min((int) Math.floor(x), stops.length - 2);
        double f = x - i;
        int r = (int) Math.round(stops[i][0] + f * (stops[i + 1][0] - stops[i][0]));
        int g = (int) Math.round(stops[i][1] + f * (stops[i + 1][1] - stops[i][1]));
        int b = (int) Math.round(stops[i][2] + f * (stops[i + 1][2] - stops[i][2]));
        return String.format("#%02x%02x%02x", r, g, b);
    }

    private static double clamp(double t, double low, double high) {
        return Math.max(low, Math.min(high, t));
    }
}
