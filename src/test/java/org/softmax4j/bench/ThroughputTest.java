package org.softmax4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.IntUnaryOperator;

import org.junit.jupiter.api.Test;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;

class ThroughputTest {
    /**
     * An evaluator whose evaluation n takes {@code millis(n)} ms (a cold JIT), from n = 0, on a clock of its own: each
     * evaluation advances {@link #nanoTime()} by that much, so the timings do not depend on the machine's load (a
     * sleeping version failed once at load 10-14: how long a sleep takes is the scheduler's choice).
     */
    private static final class ColdStart implements Evaluator {
        private final Dataset data = new DenseDataset(new float[] {0, 1}, new int[] {0, 1}, 1, List.of("a", "b"), "t");
        private final IntUnaryOperator millis;
        int calls;
        private long now;

        /** The first {@code slow} evaluations take 20 ms, the rest 10 µs. */
        ColdStart(int slow) {
            this(n -> n < slow ? 20 : 0);
        }

        ColdStart(IntUnaryOperator millis) {
            this.millis = millis;
        }

        /** The clock the evaluations advance (nanoseconds); 10 µs per evaluation besides {@code millis}. */
        long nanoTime() {
            return now;
        }

        @Override
        public Dataset data() {
            return data;
        }

        @Override
        public void evaluate(Parameters parameters, Evaluation out) {
            now += millis.applyAsInt(calls++) * 1_000_000L + 10_000;
        }

        @Override
        public void evaluate(Parameters parameters, int[] examples, int from, int to, Evaluation out) {
            evaluate(parameters, out);
        }

        @Override
        public void probabilities(Parameters parameters, float[] out) {
        }

        @Override
        public void close() {
        }
    }

    /** An engine that binds {@code evaluator}. */
    private static Engine engineOf(Evaluator evaluator) {
        return new Engine() {
            @Override
            public String name() {
                return "cold";
            }

            @Override
            public String description() {
                return "cold start";
            }

            @Override
            public Evaluator bind(Dataset data) {
                return evaluator;
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void theFirstFigureIsNotMeasuredCold() {
        // A plateau of 6 slow evaluations, then fast ones: with no warm-up time asked for, the old rule (2 warm-ups)
        // timed 4 slow evaluations of 7 and reported a median of 20 ms.
        ColdStart evaluator = new ColdStart(6);
        Throughput.Timing timing = Throughput.measure(engineOf(evaluator), evaluator.data(), new Parameters(2, 1), 7,
                0, evaluator::nanoTime);
        assertTrue(timing.max() < 0.01, "a cold evaluation was timed: max " + timing.max() + " s");
    }

    @Test
    void theWarmUpLastsUntilTheTimeHasSettled() {
        // Faster and faster until the 13th (24, 22, ..., 2, 0 ms): past MIN_WARMUPS, the settling rule waits for it.
        ColdStart evaluator = new ColdStart(n -> Math.max(0, 24 - 2 * n));
        int warmups = Throughput.warmUp(evaluator, new Parameters(2, 1), new Evaluation(2, 1), 0,
                evaluator::nanoTime);
        assertTrue(warmups >= 13, "warm-ups: " + warmups + ", expected 12 ever faster ones and 3 settled ones");
        assertEquals(warmups, evaluator.calls);
    }

    @Test
    void aSteadyEvaluatorIsWarmAfterTheMinimum() {
        ColdStart evaluator = new ColdStart(0);
        assertEquals(Throughput.MIN_WARMUPS, Throughput.warmUp(evaluator, new Parameters(2, 1), new Evaluation(2, 1),
                0, evaluator::nanoTime));
    }
}
