package org.softmax4j.model;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a model was trained, kept with it so that a model file answers "where did this come from".
 *
 * @param engine           the back end that trained it, for people: "cpu, 2 threads", "cuda, NVIDIA H200"
 * @param seed             the seed that drove initialisation, splits and shuffling
 * @param stopReason       machine-readable: "converged", "max-iterations", "diverged", ...
 * @param iterations       ascent steps taken, at least 0
 * @param options          the training options as given, in the order given
 * @param metrics          final metrics (log_likelihood, objective, train_accuracy, test_accuracy, ...) in the order
 *                         given; NaN where a metric is unknown, e.g. test_accuracy without a test set
 * @param createdAt        when training finished, an ISO-8601 instant ({@code Instant.toString()})
 * @param softmax4jVersion the library version that trained it
 */
public record TrainingInfo(String engine, long seed, String stopReason, int iterations, Map<String, String> options,
                           Map<String, Double> metrics, String createdAt, String softmax4jVersion) {

    public TrainingInfo {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(stopReason, "stopReason");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(softmax4jVersion, "softmax4jVersion");
        if (iterations < 0) {
            throw new IllegalArgumentException("iterations is " + iterations + ", expected at least 0");
        }
        try {
            Instant.parse(createdAt);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("createdAt is \"" + createdAt
                    + "\", expected an ISO-8601 instant such as 2025-01-31T12:00:00Z");
        }
        options = frozenCopy(options, "options");
        metrics = frozenCopy(metrics, "metrics");
    }

    /** An unmodifiable copy that keeps insertion order (Map.copyOf does not) and rejects null keys and values. */
    private static <V> Map<String, V> frozenCopy(Map<String, V> map, String name) {
        Objects.requireNonNull(map, name);
        LinkedHashMap<String, V> copy = new LinkedHashMap<>();
        for (Map.Entry<String, V> entry : map.entrySet()) {
            if (entry.getKey() == null || entry.getValue() == null) {
                throw new IllegalArgumentException(name + " has a null key or value (" + entry.getKey() + "="
                        + entry.getValue() + ")" + (name.equals("metrics") ? "; use NaN for an unknown metric" : ""));
            }
            copy.put(entry.getKey(), entry.getValue());
        }
        return Collections.unmodifiableMap(copy);
    }

    /** A metric's value, or NaN when it is absent. */
    public double metric(String name) {
        Double value = metrics.get(name);
        return value == null ? Double.NaN : value;
    }
}
