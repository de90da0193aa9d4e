package org.softmax4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.softmax4j.TestData;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.Dataset;
import org.softmax4j.engine.DelegatingEngine;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.ForwardingEvaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.cpu.CpuEngine;
import org.softmax4j.engine.cpu.DoubleReference;

class GradientCheckTest {

    @Test
    void analyticGradientMatchesFiniteDifferencesOnRandomData() {
        Dataset data = TestData.randomDense(60, 7, 4, 31);
        try (CpuEngine engine = new CpuEngine(2)) {
            GradientCheck.Result result = GradientCheck.run(engine, data, 32, 1000);
            assertTrue(result.passed(), result.summary());
            assertEquals(7 * 4 + 4, result.numChecked());
            assertTrue(result.maxRelativeError() <= 1e-6, result.summary());
            assertTrue(result.engineGradientError() <= GradientCheck.ENGINE_GRADIENT_TOLERANCE, result.summary());
        }
    }

    /** Without a bias: W alone (640 weights on the digits, no b[k] among them), at 1e-6, on the scalar and SIMD paths. */
    @Test
    void checksTheWeightsAloneWithoutABias() {
        Dataset digits = BuiltinDigits.load(BuiltinDigits.DEFAULT_THRESHOLD);
        int[] rows = new int[150];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i * 11;
        }
        for (boolean simd : new boolean[] {false, true}) {
            try (CpuEngine engine = new CpuEngine(1, simd)) {
                GradientCheck.Result result = GradientCheck.run(engine, digits.select(rows), 1, 2000, true);
                assertTrue(result.passed(), result.summary());
                assertEquals(640, result.numChecked());
                assertTrue(result.maxRelativeError() <= 1e-6, result.summary());
                assertTrue(result.worstParameter().startsWith("W["), result.summary());
            }
        }
    }

    /**
     * With λ and penalty factors (one of them 0) the check is of F: the formula's ∂F against differences of F, and the
     * engine's ∇F from {@link PenalizedLogLikelihood} with the factors against it; with and without a bias.
     */
    @Test
    void checksTheObjectiveWithPenaltyFactors() {
        Dataset data = TestData.randomDense(50, 6, 3, 33);
        PenaltyFactors factors = PenaltyFactors.same(new double[] {0.5, 0, 2, 40, 1, 3});
        for (boolean noBias : new boolean[] {false, true}) {
            try (CpuEngine engine = new CpuEngine(1)) {
                GradientCheck.Result result = GradientCheck.run(engine, data, 34, 1000, noBias, 25, factors);
                assertTrue(result.passed(), result.summary());
                assertEquals(noBias ? 18 : 21, result.numChecked());
                assertTrue(result.engineGradientError() <= GradientCheck.ENGINE_GRADIENT_TOLERANCE, result.summary());
            }
        }
    }

    @Test
    void passesOnASampleOfTheDigits() {
        Dataset digits = BuiltinDigits.load(BuiltinDigits.DEFAULT_THRESHOLD);
        int[] rows = new int[150];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i * 11;
        }
        try (CpuEngine engine = new CpuEngine(1)) {
            GradientCheck.Result result = GradientCheck.run(engine, digits.select(rows), 1, 2000);
            assertTrue(result.passed(), result.summary());
            assertEquals(650, result.numChecked());
        }
    }

    @Test
    void aPlantedBugInTheFormulaFails() {
        Dataset data = TestData.randomDense(30, 5, 3, 33);
        Parameters parameters = Parameters.random(3, 5, 0.1, 34);
        // The classic mistake: p − y instead of y − p for the bias (a sign error), everything else right.
        GradientCheck.GradientFunction wrongSign = (d, w, b, gw, gb) -> {
            double value = DoubleReference.logLikelihoodAndGradient(d, w, b, gw, gb);
            gb[1] = -gb[1];
            return value;
        };
        GradientCheck.Result result = GradientCheck.checkFormula(data, parameters, wrongSign, 1, 100);
        assertFalse(result.passed(), result.summary());
        assertEquals("b[1]", result.worstParameter());
        // Forgetting x_nj on one weight (using the residual alone) fails too.
        GradientCheck.GradientFunction missingFeature = (d, w, b, gw, gb) -> {
            double value = DoubleReference.logLikelihoodAndGradient(d, w, b, gw, gb);
            gw[7] = gb[1];
            return value;
        };
        assertFalse(GradientCheck.checkFormula(data, parameters, missingFeature, 1, 100).passed());
    }

    @Test
    void aBrokenEngineFailsTheEngineCheck() {
        Dataset data = TestData.randomDense(40, 6, 3, 35);
        try (CpuEngine cpu = new CpuEngine(1)) {
            // An engine whose gradient is off by one part in 10^4 in one entry: within "looks fine", not float rounding.
            Engine broken = new DelegatingEngine(cpu, "broken") {
                @Override
                public Evaluator bind(Dataset bound) {
                    return new ForwardingEvaluator(cpu.bind(bound)) {
                        @Override
                        public void evaluate(Parameters p, org.softmax4j.engine.Evaluation out) {
                            inner.evaluate(p, out);
                            out.gradWeights()[3] *= 1.0001;
                        }
                    };
                }
            };
            GradientCheck.Result result = GradientCheck.run(broken, data, 36, 1000);
            assertTrue(result.maxRelativeError() <= 1e-6, "the formula itself is right: " + result.summary());
            assertTrue(result.engineGradientError() > GradientCheck.ENGINE_GRADIENT_TOLERANCE, result.summary());
            assertFalse(result.passed());
        }
    }
}
