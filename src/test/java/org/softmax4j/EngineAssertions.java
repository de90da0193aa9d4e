package org.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.cpu.DoubleReference;

/** Checks shared by the tests of every engine. */
public final class EngineAssertions {
    private EngineAssertions() {
    }

    /**
     * Compares an engine's evaluation with the double reference, entry by entry, within float32 rounding (the bounds of
     * docs/GPU-FACTS.md, "Precision of float32 sums"): |G − G_ref| ≤ 1e-5 · Σ_n |r x| (exact when that scale is 0) and |L − L_ref| ≤ 1e-6 ·
     * Σ_n (|ln p_n| + max_k |z_nk|). NaN never passes.
     */
    public static void assertMatchesReference(Dataset data, Parameters parameters, Evaluation actual, String what) {
        assertMatchesReference(data, null, parameters, actual, what);
    }

    /**
     * As {@link #assertMatchesReference(Dataset, Parameters, Evaluation, String)}, against the reference weighted by
     * {@code exampleWeights} (ω_n per example of {@code data}; null: every ω_n = 1), each scale summed over the
     * weighted terms.
     */
    public static void assertMatchesReference(Dataset data, double[] exampleWeights, Parameters parameters,
                                              Evaluation actual, String what) {
        DoubleReference.Result expected = DoubleReference.evaluate(data, TestData.toDouble(parameters.weights()),
                TestData.toDouble(parameters.bias()), exampleWeights);
        assertTrue(Math.abs(actual.logLikelihood() - expected.logLikelihood())
                        <= 1e-6 * expected.logLikelihoodScale(),
                what + ": log-likelihood " + actual.logLikelihood() + ", expected " + expected.logLikelihood());
        int d = data.numFeatures();
        for (int i = 0; i < actual.gradWeights().length; i++) {
            double error = Math.abs(actual.gradWeights()[i] - expected.gradWeights()[i]);
            assertTrue(error <= 1e-5 * expected.gradWeightsScale()[i], what + ": gradWeights[" + i / d + "]["
                    + i % d + "] is " + actual.gradWeights()[i] + ", expected " + expected.gradWeights()[i]);
        }
        for (int k = 0; k < actual.gradBias().length; k++) {
            double error = Math.abs(actual.gradBias()[k] - expected.gradBias()[k]);
            assertTrue(error <= 1e-5 * expected.gradBiasScale()[k], what + ": gradBias[" + k + "] is "
                    + actual.gradBias()[k] + ", expected " + expected.gradBias()[k]);
        }
    }

    /** Class probabilities (N×K) equal within {@code tolerance}, naming the first entry that is not. */
    public static void assertProbabilitiesClose(float[] expected, float[] actual, int numClasses, double tolerance,
                                                String what) {
        assertEquals(expected.length, actual.length, what + ": number of probabilities");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance,
                    what + ": p[" + i / numClasses + "][" + i % numClasses + "]");
        }
    }
}
