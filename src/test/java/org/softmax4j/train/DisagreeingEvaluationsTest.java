package org.softmax4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.softmax4j.TestData;
import org.softmax4j.data.Dataset;
import org.softmax4j.engine.DelegatingEngine;
import org.softmax4j.engine.DoublePrecisionEvaluator;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.ForwardingDoublePrecisionEvaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.cpu.CpuEngine;

/**
 * A quasi-Newton line search accepts only points that raise F, so an iteration whose F falls far below the last one's
 * means two evaluations of one point disagreed: an engine defect, once real (a lookup table moved by the collector
 * under the double CPU path, see MovedLinesTest). The run must stop as diverged, say so, and keep the last weights
 * whose F held, not end as "no progress" with the bad point as its best.
 */
class DisagreeingEvaluationsTest {

    @Test
    void aFallBeyondRoundingIsNamedAndRoundingIsNot() {
        IterationRecord before = record(7, -14308.33);
        assertNull(Trainer.evaluationsDisagree(before, record(8, -14300.0)), "a rise");
        assertNull(Trainer.evaluationsDisagree(before, record(8, -14308.33 * (1 + 1e-7))), "float-to-double rounding");
        String detail = Trainer.evaluationsDisagree(before, record(8, -29472.84));
        assertNotNull(detail, "a fall to about twice the loss");
        assertTrue(detail.contains("-14308.33") && detail.contains("-29472.84") && detail.contains("iteration 7")
                && detail.contains("engine defect"), detail);
        // Near F = 0 the allowance is absolute: 1e-4.
        assertNull(Trainer.evaluationsDisagree(record(3, -1e-9), record(4, -5e-5)));
        assertNotNull(Trainer.evaluationsDisagree(record(3, -1e-9), record(4, -2e-4)));
    }

    private static IterationRecord record(int iteration, double objective) {
        return new IterationRecord(iteration, objective, objective, 1.0, 0.5, 0.0, 1.0, Double.NaN);
    }

    /** From its 25th evaluation on, every value this evaluator returns is half as high again (a corrupted table). */
    private static final class Corrupting extends ForwardingDoublePrecisionEvaluator {
        private int calls;

        Corrupting(DoublePrecisionEvaluator inner) {
            super(inner);
        }

        @Override
        public double evaluate(double[] point, double[] gradient) {
            double value = inner.evaluate(point, gradient);
            return ++calls > 24 ? 1.5 * value : value;
        }
    }

    @Test
    void anLbfgsRunWhoseEvaluationsTurnStopsAsDivergedWithTheLastTrustedWeights() {
        Dataset data = TestData.randomBinary(2000, 40, 6, 5);
        try (CpuEngine cpu = new CpuEngine(1); Evaluator evaluator = cpu.bind(data)) {
            Engine engine = new DelegatingEngine(cpu, "corrupting") {
                @Override
                public DoublePrecisionEvaluator bindDoublePrecision(Dataset bound, double[] exampleWeights) {
                    return new Corrupting(cpu.bindDoublePrecision(bound, exampleWeights));
                }
            };
            TrainingOptions options = TrainingOptions.defaults().withSolver(SolverType.LBFGS).withLambda(1)
                    .withMaxIterations(500);
            TrainingResult result = new Trainer(options).train(engine, evaluator, null, null, new Parameters(6, 40),
                    TrainingListener.NONE);
            assertEquals(StopReason.DIVERGED, result.stopReason(), result.stopDetail());
            assertTrue(result.stopDetail().contains("two evaluations of one point disagree"), result.stopDetail());
            assertTrue(result.failed(), "a diverged run is a failed one (exit code 5 on the command line)");
            IterationRecord last = result.history().get(result.history().size() - 1);
            assertTrue(result.best().iteration() < last.iteration(), "the best is an iteration before the fall: "
                    + result.best().iteration() + " against " + last.iteration());
            assertTrue(result.best().objective() > last.objective(), result.best() + " against " + last);
            assertNull(result.point(), "no unrounded point is handed on from a run whose F cannot be trusted");
        }
    }
}
