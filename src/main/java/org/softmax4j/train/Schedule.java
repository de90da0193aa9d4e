package org.softmax4j.train;

import java.util.Locale;

/**
 * Learning-rate schedules of the mini-batch solvers, as a factor on η at time t (in epochs, fractional within an
 * epoch) out of T = the iteration limit: constant 1; inverse-time 1/(1 + t); cosine (1 + cos(π t/T))/2.
 */
public enum Schedule {
    CONSTANT("constant"),
    INVERSE_TIME("inverse-time"),
    COSINE("cosine");

    private final String id;

    Schedule(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The factor on η after {@code epochs} epochs of {@code totalEpochs}. */
    public double factor(double epochs, double totalEpochs) {
        return switch (this) {
            case CONSTANT -> 1.0;
            case INVERSE_TIME -> 1.0 / (1.0 + epochs);
            case COSINE -> 0.5 * (1.0 + Math.cos(Math.PI * Math.min(1.0, epochs / Math.max(1.0, totalEpochs))));
        };
    }

    public static Schedule parse(String text) {
        for (Schedule schedule : values()) {
            if (schedule.id.equals(text.toLowerCase(Locale.ROOT))) {
                return schedule;
            }
        }
        throw new IllegalArgumentException("schedule is \"" + text + "\", expected constant, inverse-time or cosine");
    }
}
