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

    /**
     * A double-precision evaluation (θ = [W (K×D), b (K)], the gradient in the same layout) against the double
     * reference, entry by entry, within double rounding: |G − G_ref| ≤ 1e-12 · Σ_n |r x| (exact when that scale is 0)
     * and |L − L_ref| ≤ 1e-12 · Σ_n (|ln p_n| + max_k |z_nk|). A float32 evaluation fails this by five orders of
     * magnitude. NaN never passes.
     */
    public static void assertMatchesReferenceInDouble(Dataset data, double[] exampleWeights, double[] point,
                                                      double logLikelihood, double[] gradient, String what) {
        int k = data.numClasses();
        int d = data.numFeatures();
        double[] weights = java.util.Arrays.copyOfRange(point, 0, k * d);
        double[] bias = java.util.Arrays.copyOfRange(point, k * d, k * d + k);
        DoubleReference.Result expected = DoubleReference.evaluate(data, weights, bias, exampleWeights);
        assertTrue(Math.abs(logLikelihood - expected.logLikelihood()) <= 1e-12 * expected.logLikelihoodScale(),
                what + ": log-likelihood " + logLikelihood + ", expected " + expected.logLikelihood());
        for (int i = 0; i < k * d; i++) {
            double error = Math.abs(gradient[i] - expected.gradWeights()[i]);
            assertTrue(error <= 1e-12 * expected.gradWeightsScale()[i], what + ": gradWeights[" + i / d + "]["
                    + i % d + "] is " + gradient[i] + ", expected " + expected.gradWeights()[i]);
        }
        for (int c = 0; c < k; c++) {
            double error = Math.abs(gradient[k * d + c] - expected.gradBias()[c]);
            assertTrue(error <= 1e-12 * expected.gradBiasScale()[c], what + ": gradBias[" + c + "] is "
                    + gradient[k * d + c] + ", expected " + expected.gradBias()[c]);
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
