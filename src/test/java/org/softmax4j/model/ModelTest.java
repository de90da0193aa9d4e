package org.softmax4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.softmax4j.engine.Parameters;

class ModelTest {

    static TrainingInfo training() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("learning-rate", "0.5");
        options.put("max-iterations", "200");
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("log_likelihood", -123.25);
        metrics.put("train_accuracy", 0.97);
        metrics.put("test_accuracy", Double.NaN);
        return new TrainingInfo("cpu, 2 threads", 42, "converged", 117, options, metrics, "2025-01-31T12:00:00Z",
                "0.1.0");
    }

    static Parameters parameters(int numClasses, int numFeatures) {
        return Parameters.random(numClasses, numFeatures, 0.1, 7);
    }

    @Test
    void holdsWhatItWasGiven() {
        Parameters p = parameters(3, 4);
        Model model = new Model(p, List.of("a", "b", "c"), 8.0, training());
        assertEquals(3, model.numClasses());
        assertEquals(4, model.numFeatures());
        assertEquals(p.weight(2, 3), model.weight(2, 3));
        assertEquals(p.bias()[1], model.bias(1));
        assertEquals(List.of("a", "b", "c"), model.classNames());
        assertEquals(8.0, model.binarizeThreshold());
        assertEquals(training(), model.training());
        assertEquals(p, model.parameters());
        assertNull(new Model(p, List.of("a", "b", "c"), null, training()).binarizeThreshold());
    }

    @Test
    void isNotChangedThroughTheParametersOrNamesGivenOrReturned() {
        Parameters p = parameters(2, 3);
        List<String> names = new ArrayList<>(List.of("x", "y"));
        Model model = new Model(p, names, null, training());
        float before = model.weight(0, 0);
        p.weights()[0] = 99f;
        names.set(0, "changed");
        Parameters returned = model.parameters();
        assertNotSame(returned, model.parameters());
        returned.weights()[0] = 77f;
        returned.bias()[0] = 77f;
        assertEquals(before, model.weight(0, 0));
        assertEquals("x", model.classNames().get(0));
        assertThrows(UnsupportedOperationException.class, () -> model.classNames().set(0, "z"));
    }

    @Test
    void rejectsClassNamesOfTheWrongCountNamingBothSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Model(parameters(3, 4), List.of("a", "b"), null, training()));
        assertTrue(e.getMessage().contains("2 names, expected 3"), e.getMessage());
    }

    @Test
    void rejectsDuplicateOrEmptyClassNames() {
        IllegalArgumentException duplicate = assertThrows(IllegalArgumentException.class,
                () -> new Model(parameters(3, 4), List.of("a", "b", "a"), null, training()));
        assertEquals("class name 2 \"a\" repeats class name 0, expected distinct names", duplicate.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> new Model(parameters(2, 4), List.of("a", ""), null, training()));
        assertEquals("class name 1 is empty, expected a non-empty name", empty.getMessage());
    }

    @Test
    void rejectsNonFiniteWeightsBiasAndThreshold() {
        Parameters nanWeight = parameters(2, 5);
        nanWeight.weights()[1 * 5 + 3] = Float.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Model(nanWeight, List.of("a", "b"), null, training()));
        assertEquals("weights[1][3] is NaN, expected a finite number", e.getMessage());

        Parameters infiniteBias = parameters(2, 5);
        infiniteBias.bias()[1] = Float.NEGATIVE_INFINITY;
        e = assertThrows(IllegalArgumentException.class,
                () -> new Model(infiniteBias, List.of("a", "b"), null, training()));
        assertEquals("bias[1] is -Infinity, expected a finite number", e.getMessage());

        assertThrows(IllegalArgumentException.class,
                () -> new Model(parameters(2, 5), List.of("a", "b"), Double.NaN, training()));
    }

    @Test
    void accessorsCheckTheirIndices() {
        Model model = new Model(parameters(2, 3), List.of("a", "b"), null, training());
        assertThrows(IndexOutOfBoundsException.class, () -> model.weight(0, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> model.weight(2, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> model.bias(2));
    }

    @Test
    void trainingInfoKeepsOrderAndIsImmutable() {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("z", 1.0);
        metrics.put("a", Double.NaN);
        metrics.put("m", 3.0);
        TrainingInfo info = new TrainingInfo("cpu", 1, "max-iterations", 0, Map.of(), metrics,
                "2025-01-31T12:00:00.123456Z", "0.1.0");
        metrics.put("later", 4.0);
        assertEquals(List.of("z", "a", "m"), List.copyOf(info.metrics().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> info.metrics().put("b", 2.0));
        assertThrows(UnsupportedOperationException.class, () -> info.options().put("b", "c"));
        assertTrue(Double.isNaN(info.metric("a")));
        assertTrue(Double.isNaN(info.metric("absent")));
        assertEquals(3.0, info.metric("m"));
    }

    @Test
    void trainingInfoRejectsBadValues() {
        assertThrows(IllegalArgumentException.class, () -> new TrainingInfo("cpu", 1, "converged", -1, Map.of(),
                Map.of(), "2025-01-31T12:00:00Z", "0.1.0"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrainingInfo("cpu", 1,
                "converged", 1, Map.of(), Map.of(), "yesterday", "0.1.0"));
        assertTrue(e.getMessage().contains("\"yesterday\""), e.getMessage());
        Map<String, Double> nullMetric = new LinkedHashMap<>();
        nullMetric.put("test_accuracy", null);
        assertThrows(IllegalArgumentException.class, () -> new TrainingInfo("cpu", 1, "converged", 1, Map.of(),
                nullMetric, "2025-01-31T12:00:00Z", "0.1.0"));
        assertThrows(NullPointerException.class, () -> new TrainingInfo(null, 1, "converged", 1, Map.of(),
                Map.of(), "2025-01-31T12:00:00Z", "0.1.0"));
    }
}
