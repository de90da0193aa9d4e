package org.softmax4j.train;

import org.softmax4j.data.Dataset;

/**
 * Newton's method in double on F(θ) = Σ_n ω_n ln p_{n,y_n} − (λ/2)‖W‖², θ = [W (K×D), b (K)]: the exact Hessian
 * −Σ_n ω_n (diag(p_n) − p_n p_nᵀ) ⊗ x̃_n x̃_nᵀ − λ I_W (x̃ = [x, 1]), solved by Cholesky. An oracle for the tests,
 * independent of the quasi-Newton code. Σ_k b_k is a null direction of F (the bias is not penalised, and adding a
 * constant to every logit changes nothing), so 1e-10 is added to the bias diagonal; the gradient has no component
 * along it, so the step gets none either. {@link #optimumWithoutBias}: the same on θ = W alone (b fixed at 0, x̃ = x),
 * the question's model; its Hessian is negative definite for λ > 0. With L2 penalty factors f ({@link PenaltyFactors})
 * the penalty is (λ/2)·Σ_kj f_j·w_kj² and its Hessian λ·f_j on the diagonal; a feature with f_j = 0 has the bias's
 * null direction (Σ_k w_kj), and gets the same 1e-10.
 */
final class NewtonReference {
    private NewtonReference() {
    }

    static double[] optimum(Dataset data, double[] weights, double lambda, double[] start, int iterations) {
        return newton(data, weights, lambda, null, start, iterations, true);
    }

    /** With a bias and the L2 penalty factors {@code l2Factors} (one per feature). */
    static double[] optimum(Dataset data, double[] weights, double lambda, double[] l2Factors, double[] start,
                            int iterations) {
        return newton(data, weights, lambda, l2Factors, start, iterations, true);
    }

    /** θ = W (K×D) only: the optimum of F(W) = Σ_n ω_n ln softmax_{y_n}(W x_n) − (λ/2)‖W‖². */
    static double[] optimumWithoutBias(Dataset data, double[] weights, double lambda, double[] start,
                                       int iterations) {
        return newton(data, weights, lambda, null, start, iterations, false);
    }

    private static double[] newton(Dataset data, double[] weights, double lambda, double[] l2Factors, double[] start,
                                   int iterations, boolean bias) {
        int numClasses = data.numClasses();
        int numFeatures = data.numFeatures();
        int numExamples = data.numExamples();
        int width = numFeatures + (bias ? 1 : 0);
        int dimension = numClasses * width;
        double[] theta = start.clone();
        for (int iteration = 0; iteration < iterations; iteration++) {
            double[] gradient = new double[dimension];
            double[][] hessian = new double[dimension][dimension];
            // Indexing inside Newton: block k holds [w_k (D), b_k]; mapped back to θ's layout at the end.
            for (int n = 0; n < numExamples; n++) {
                double omega = weights == null ? 1.0 : weights[n];
                int[] nonzero = new int[width];
                double[] x = new double[width];
                int count = 0;
                for (int j = 0; j < numFeatures; j++) {
                    float value = data.feature(n, j);
                    if (value != 0) {
                        nonzero[count] = j;
                        x[count++] = value;
                    }
                }
                int numWeightsSet = count;
                if (bias) {
                    nonzero[count] = numFeatures;
                    x[count++] = 1.0;
                }
                double[] z = new double[numClasses];
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < numClasses; k++) {
                    double s = bias ? theta[numClasses * numFeatures + k] : 0;
                    for (int c = 0; c < numWeightsSet; c++) {
                        s += theta[k * numFeatures + nonzero[c]] * x[c];
                    }
                    z[k] = s;
                    max = Math.max(max, s);
                }
                double sum = 0;
                for (int k = 0; k < numClasses; k++) {
                    z[k] = Math.exp(z[k] - max);
                    sum += z[k];
                }
                for (int k = 0; k < numClasses; k++) {
                    z[k] /= sum;
                }
                int label = data.label(n);
                for (int k = 0; k < numClasses; k++) {
                    double residual = omega * ((k == label ? 1 : 0) - z[k]);
                    for (int c = 0; c < count; c++) {
                        gradient[k * width + nonzero[c]] += residual * x[c];
                    }
                    for (int l = 0; l < numClasses; l++) {
                        double curvature = omega * ((k == l ? z[k] : 0) - z[k] * z[l]);
                        if (curvature == 0) {
                            continue;
                        }
                        for (int c = 0; c < count; c++) {
                            double[] row = hessian[k * width + nonzero[c]];
                            double scaled = curvature * x[c];
                            for (int e = 0; e < count; e++) {
                                row[l * width + nonzero[e]] += scaled * x[e];
                            }
                        }
                    }
                }
            }
            for (int k = 0; k < numClasses; k++) {
                for (int j = 0; j < numFeatures; j++) {
                    double penalty = lambda * (l2Factors == null ? 1 : l2Factors[j]);
                    gradient[k * width + j] -= penalty * theta[k * numFeatures + j];
                    hessian[k * width + j][k * width + j] += penalty == 0 ? 1e-10 : penalty;
                }
                if (bias) {
                    hessian[k * width + numFeatures][k * width + numFeatures] += 1e-10;
                }
            }
            double[] step = choleskySolve(hessian, gradient);
            for (int k = 0; k < numClasses; k++) {
                for (int j = 0; j < numFeatures; j++) {
                    theta[k * numFeatures + j] += step[k * width + j];
                }
                if (bias) {
                    theta[numClasses * numFeatures + k] += step[k * width + numFeatures];
                }
            }
        }
        return theta;
    }

    /** Solves A x = b for symmetric positive definite A (overwritten). */
    private static double[] choleskySolve(double[][] a, double[] b) {
        int n = b.length;
        for (int j = 0; j < n; j++) {
            double d = a[j][j];
            for (int k = 0; k < j; k++) {
                d -= a[j][k] * a[j][k];
            }
            if (!(d > 0)) {
                throw new IllegalStateException("the Hessian is not negative definite at " + j + ": " + d);
            }
            a[j][j] = Math.sqrt(d);
            for (int i = j + 1; i < n; i++) {
                double s = a[i][j];
                double[] ai = a[i];
                double[] aj = a[j];
                for (int k = 0; k < j; k++) {
                    s -= ai[k] * aj[k];
                }
                a[i][j] = s / a[j][j];
            }
        }
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= a[i][k] * y[k];
            }
            y[i] = s / a[i][i];
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < n; k++) {
                s -= a[k][i] * x[k];
            }
            x[i] = s / a[i][i];
        }
        return x;
    }
}
