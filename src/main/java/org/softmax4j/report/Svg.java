package org.softmax4j.report;

import java.util.Locale;

/** Text helpers for SVG and HTML written as well-formed XML: escaping, and numbers in a fixed, locale-free form. */
final class Svg {
    private Svg() {
    }

    /** Escapes the five XML specials, so the text is safe in element content and in double-quoted attributes. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    // XML 1.0 forbids most control characters, even escaped: show them as U+FFFD.
                    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
                        out.append('\uFFFD');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** A pixel coordinate, to 0.01 px. */
    static String px(double value) {
        String text = String.format(Locale.ROOT, "%.2f", value);
        if (text.endsWith(".00")) {
            return text.substring(0, text.length() - 3);
        }
        return text.endsWith("0") ? text.substring(0, text.length() - 1) : text;
    }

    /** A value exactly as Java prints a double (round-trips), "NaN" for NaN: for data attributes that tests read. */
    static String exact(double value) {
        return Double.toString(value);
    }

    /** A value for people: 4 significant digits, plain or scientific as fits. */
    static String human(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        if (value == 0) {
            return "0";
        }
        double magnitude = Math.abs(value);
        if (magnitude >= 1e-3 && magnitude < 1e6) {
            String text = String.format(Locale.ROOT, "%.4g", value);
            if (text.contains(".") && !text.contains("e")) {
                text = text.replaceAll("0+$", "").replaceAll("\\.$", "");
            }
            return text;
        }
        return String.format(Locale.ROOT, "%.3e", value);
    }

    /** A share as a percentage with one decimal. */
    static String percent(double share) {
        return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    /** An estimate of the width of {@code text} in a sans-serif font of {@code size} px (no font metrics here). */
    static double textWidth(String text, double size) {
        return text.length() * size * 0.6;
    }
}
