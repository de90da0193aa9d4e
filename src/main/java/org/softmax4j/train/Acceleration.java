package org.softmax4j.train;

import java.util.Locale;

/**
 * How {@code ascent} with {@code --learning-rate auto} moves: plain steps of 1/L, or Nesterov's accelerated gradient
 * with the same step and adaptive restart (see {@link SafeguardedAscent}). An explicit learning rate is always plain.
 */
public enum Acceleration {
    NONE("none"),
    NESTEROV("nesterov");

    private final String id;

    Acceleration(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Acceleration parse(String text) {
        for (Acceleration acceleration : values()) {
            if (acceleration.id.equals(text.toLowerCase(Locale.ROOT))) {
                return acceleration;
            }
        }
        throw new IllegalArgumentException("acceleration is \"" + text + "\", expected nesterov or none");
    }
}
