package org.softmax4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Backend;
import org.softmax4j.engine.DoublePrecisionEvaluator;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;

/**
 * The double-precision evaluator is the engine's: it runs on the threads the engine was opened with. Before, the
 * trainer made its own with one spinning thread per processor, whatever {@code --threads} said.
 */
class DoublePrecisionThreadsTest {
    private static final Dataset DIGITS = Splits.stratified(BuiltinDigits.load(), 0.2, 1).train();

    /** The names of the CPU engine's helper threads alive now. */
    private static Set<String> helperThreads() {
        Set<String> names = new TreeSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && thread.getName().startsWith("softmax4j-cpu-")) {
                names.add(thread.getName() + "#" + thread.getId());
            }
        }
        return names;
    }

    /** Trains lbfgs in double on an engine of {@code threads}; returns the helper threads seen during training. */
    private static Set<String> helpersWhileTraining(int threads) {
        Set<String> before = helperThreads();
        Set<String> seen = new TreeSet<>();
        TrainingOptions options = TrainingOptions.defaults().withSolver(SolverType.LBFGS)
                .withPrecision(Precision.DOUBLE).withMaxIterations(30);
        try (Engine engine = Backend.CPU.open(threads); Evaluator evaluator = engine.bind(DIGITS)) {
            TrainingResult result = new Trainer(options).train(engine, evaluator, null, null,
                    new Parameters(DIGITS.numClasses(), DIGITS.numFeatures()), (record, max) -> {
                        Set<String> now = helperThreads();
                        now.removeAll(before);
                        seen.addAll(now);
                    });
            assertEquals("double", result.precision(), "the run must have evaluated in double");
        }
        return seen;
    }

    @Test
    void oneThreadStartsNoHelper() {
        assertEquals(Set.of(), helpersWhileTraining(1), "--threads 1 must evaluate on the caller's thread alone");
    }

    @Test
    void threeThreadsStartTwoHelpersInAll() {
        Set<String> seen = helpersWhileTraining(3);
        assertEquals(2, seen.size(), "the engine's two helpers, and no more for the double evaluator: " + seen);
    }

    @Test
    void theEnginesDoublePrecisionEvaluatorHasItsThreads() {
        for (int threads : new int[] {1, 3}) {
            try (Engine engine = Backend.CPU.open(threads);
                 DoublePrecisionEvaluator evaluator = engine.bindDoublePrecision(DIGITS, null)) {
                assertEquals(threads, evaluator.threads());
                assertTrue(evaluator.dimension() == DIGITS.numClasses() * (DIGITS.numFeatures() + 1));
            }
        }
    }
}
