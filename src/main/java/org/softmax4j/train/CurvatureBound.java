package org.softmax4j.train;

import java.util.Locale;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;

/**
 * An upper bound L on the curvature of F, from which {@code --learning-rate auto} takes its step. The Hessian of the
 * log-likelihood of one example is −(diag(p) − ppᵀ) ⊗ x̃x̃ᵀ with x̃ = (x, 1), and λ_max(diag(p) − ppᵀ) ≤ ½ (Böhning), so
 * <pre>
 *   −∇²F ≼ ½·λ_max(A) + λ,   A = Σ_n ω_n x̃_n x̃_nᵀ   ((D+1)×(D+1), ω the example weights)
 * </pre>
 * and ascent with the step 1/L, L = ½·λ_max(A) + λ, never lowers F (in exact arithmetic). In the trainer's convention
 * W ← W + (η/N)·∇F that is η = N/L.
 * <p>
 * λ_max(A) comes from power iterations on M = Σ ω_n |x̃_n| |x̃_n|ᵀ (absolute values): vᵀAv = Σ ω (x̃ᵀv)² ≤
 * Σ ω (|x̃|ᵀ|v|)² = |v|ᵀM|v|, so λ_max(A) ≤ λ_max(M), and M has no negative entry, so for any positive v the
 * Collatz–Wielandt quotient max_i (Mv)_i / v_i is an upper bound on λ_max(M) that the power iteration drives down to it.
 * The bound is therefore guaranteed after any number of iterations, and equal to λ_max(A) for features ≥ 0 (binary,
 * pixel counts) once converged. Each iteration is two passes over the data in double (Xv, then Xᵀ(ω∘Xv)).
 * The cheaper trace bound λ_max(A) ≤ tr A = Σ ω‖x̃‖² needs one pass but is looser (on the digits 1.54 times λ_max, see
 * the README), which would cost as many more iterations.
 */
public record CurvatureBound(double lipschitz, double maxEigenvalue, double trace, int passes) {
    /** Stop the power iteration once the upper bound is within this of the Rayleigh quotient of M. */
    static final double RELATIVE_GAP = 1e-3;
    static final int MAX_POWER_ITERATIONS = 50;

    /** The step η = N/L of {@code --learning-rate auto}. */
    public double learningRate(int numExamples) {
        return numExamples / lipschitz;
    }

    public String describe(int numExamples) {
        return String.format(Locale.ROOT, "auto: eta = N/L = %.6g, L = 0.5*lambda_max + lambda = %.6g "
                + "(lambda_max <= %.6g by %d power iterations; trace bound %.6g)", learningRate(numExamples),
                lipschitz, maxEigenvalue, passes, trace);
    }

    /**
     * The bound for {@code data} weighted by {@code exampleWeights} (null: all 1) and the penalty λ.
     */
    public static CurvatureBound of(Dataset data, double[] exampleWeights, double lambda) {
        int numFeatures = data.numFeatures();
        int size = numFeatures + 1;
        Rows rows = Rows.of(data);
        double[] v = new double[size];
        java.util.Arrays.fill(v, 1.0);
        double[] w = new double[size];
        double trace = 0;
        for (int n = 0; n < data.numExamples(); n++) {
            trace += weight(exampleWeights, n) * (rows.squaredNorm(n) + 1.0);
        }
        double upper = Double.POSITIVE_INFINITY;
        int passes = 0;
        while (passes < MAX_POWER_ITERATIONS) {
            multiply(rows, data.numExamples(), exampleWeights, v, w);
            passes++;
            double quotient = 0;
            double rayleighNumerator = 0;
            double rayleighDenominator = 0;
            for (int i = 0; i < size; i++) {
                // v_i = 0 only where column i of |X̃| is all zero, so that (Mv)_i = 0 too.
                if (v[i] > 0) {
                    quotient = Math.max(quotient, w[i] / v[i]);
                }
                rayleighNumerator += v[i] * w[i];
                rayleighDenominator += v[i] * v[i];
            }
            upper = Math.min(upper, quotient);
            double rayleigh = rayleighNumerator / rayleighDenominator;
            if (upper <= rayleigh * (1 + RELATIVE_GAP)) {
                break;
            }
            double norm = 0;
            for (double x : w) {
                norm = Math.max(norm, x);
            }
            if (norm == 0) {
                break;
            }
            for (int i = 0; i < size; i++) {
                v[i] = w[i] / norm;
            }
        }
        upper = Math.min(upper, trace);
        return new CurvatureBound(0.5 * upper + lambda, upper, trace, passes);
    }

    private static double weight(double[] exampleWeights, int n) {
        return exampleWeights == null ? 1.0 : exampleWeights[n];
    }

    /** w = M v = Σ ω_n |x̃_n| (|x̃_n|ᵀ v). */
    private static void multiply(Rows rows, int numExamples, double[] exampleWeights, double[] v, double[] w) {
        java.util.Arrays.fill(w, 0.0);
        for (int n = 0; n < numExamples; n++) {
            double omega = weight(exampleWeights, n);
            if (omega == 0) {
                continue;
            }
            double dot = rows.absDot(n, v);
            rows.addAbs(n, omega * dot, w);
        }
    }

    /** |x̃_n| access for the two representations; the last entry of x̃ is the bias's 1. */
    private interface Rows {
        double absDot(int n, double[] v);

        void addAbs(int n, double scale, double[] w);

        double squaredNorm(int n);

        static Rows of(Dataset data) {
            int numFeatures = data.numFeatures();
            if (data instanceof DenseDataset dense) {
                float[] values = dense.values();
                return new Rows() {
                    public double absDot(int n, double[] v) {
                        double sum = v[numFeatures];
                        int base = n * numFeatures;
                        for (int j = 0; j < numFeatures; j++) {
                            sum += Math.abs(values[base + j]) * v[j];
                        }
                        return sum;
                    }

                    public void addAbs(int n, double scale, double[] w) {
                        int base = n * numFeatures;
                        for (int j = 0; j < numFeatures; j++) {
                            w[j] += scale * Math.abs(values[base + j]);
                        }
                        w[numFeatures] += scale;
                    }

                    public double squaredNorm(int n) {
                        double sum = 0;
                        int base = n * numFeatures;
                        for (int j = 0; j < numFeatures; j++) {
                            sum += (double) values[base + j] * values[base + j];
                        }
                        return sum;
                    }
                };
            }
            BinaryDataset binary = (BinaryDataset) data;
            long[] words = binary.words();
            int wordsPerRow = binary.wordsPerRow();
            return new Rows() {
                public double absDot(int n, double[] v) {
                    double sum = v[numFeatures];
                    for (int i = 0; i < wordsPerRow; i++) {
                        long bits = words[n * wordsPerRow + i];
                        while (bits != 0) {
                            sum += v[i * 64 + Long.numberOfTrailingZeros(bits)];
                            bits &= bits - 1;
                        }
                    }
                    return sum;
                }

                public void addAbs(int n, double scale, double[] w) {
                    for (int i = 0; i < wordsPerRow; i++) {
                        long bits = words[n * wordsPerRow + i];
                        while (bits != 0) {
                            w[i * 64 + Long.numberOfTrailingZeros(bits)] += scale;
                            bits &= bits - 1;
                        }
                    }
                    w[numFeatures] += scale;
                }

                public double squaredNorm(int n) {
                    int count = 0;
                    for (int i = 0; i < wordsPerRow; i++) {
                        count += Long.bitCount(words[n * wordsPerRow + i]);
                    }
                    return count;
                }
            };
        }
    }
}
