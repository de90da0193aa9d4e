package org.softmax4j.train;

import java.util.Locale;

/**
 * What the quasi-Newton solvers evaluate F with. {@link #ENGINE}: the bound engine throughout (float32 arithmetic,
 * double sums), which limits how small a gradient can be measured. {@link #DOUBLE}: the engine first, then, once the
 * engine's gradient meets the tolerance or its line search stalls, the CPU's double-precision evaluator
 * ({@link org.softmax4j.engine.Engine#bindDoublePrecision}) for the last iterations; on the CPU engine, whose float32 costs
 * about what double does, the double evaluator from the start.
 */
public enum Precision {
    ENGINE("engine"),
    DOUBLE("double");

    private final String id;

    Precision(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Precision parse(String text) {
        for (Precision precision : values()) {
            if (precision.id.equals(text.toLowerCase(Locale.ROOT))) {
                return precision;
            }
        }
        throw new IllegalArgumentException("precision is \"" + text + "\", expected engine or double");
    }
}
