package org.softmax4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.softmax4j.TestData;
import org.softmax4j.data.DenseDataset;

/**
 * {@link Whitening} against its definition written out densely: M = A·S·Aᵀ with S = diag(1, (C + Δ)⁻¹) per class,
 * C the weighted covariance of the sampled rows with its ridge (τ·tr(C) shared out by the features' spreads),
 * inverted here by Gauss–Jordan elimination.
 */
class WhiteningTest {

    private static DenseDataset correlated(int n, int d, int k, double scale, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n * d];
        for (int row = 0; row < n; row++) {
            double common = random.nextDouble();
            for (int j = 0; j < d; j++) {
                values[row * d + j] = (float) (scale * (0.7 * common + 0.3 * random.nextDouble()) * (j + 1) / d);
            }
        }
        int[] labels = new int[n];
        for (int row = 0; row < n; row++) {
            labels[row] = random.nextInt(k);
        }
        return new DenseDataset(values, labels, d, TestData.classNames(k), "correlated x" + scale);
    }

    /** C + Δ densely: two passes in double over the rows ⌊i·N/R⌋, about the weighted means of all rows. */
    private static double[][] curvature(DenseDataset data, double[] weights, double l2Penalty, double[] factors,
                                        int sampleRows) {
        int n = data.numExamples();
        int d = data.numFeatures();
        double[] means = new double[d];
        double total = 0;
        for (int row = 0; row < n; row++) {
            double w = weights == null ? 1 : weights[row];
            total += w;
            for (int j = 0; j < d; j++) {
                means[j] += w * data.feature(row, j);
            }
        }
        for (int j = 0; j < d; j++) {
            means[j] /= total;
        }
        int rows = Math.min(n, sampleRows);
        double[][] c = new double[d][d];
        double sampled = 0;
        for (int i = 0; i < rows; i++) {
            int row = (int) ((long) i * n / rows);
            double w = weights == null ? 1 : weights[row];
            sampled += w;
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    c[a][b] += w * (data.feature(row, a) - means[a]) * (data.feature(row, b) - means[b]);
                }
            }
        }
        double trace = 0;
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < d; b++) {
                c[a][b] /= sampled;
            }
            trace += c[a][a];
        }
        // The ridge τ·tr(C) shared out by spread: each feature's largest squared deviation over the sampled rows of
        // weight above 0, raised to the median one.
        double[] spread = new double[d];
        for (int i = 0; i < rows; i++) {
            int row = (int) ((long) i * n / rows);
            if (weights != null && weights[row] <= 0) {
                continue;
            }
            for (int a = 0; a < d; a++) {
                spread[a] = Math.max(spread[a], Math.pow(data.feature(row, a) - means[a], 2));
            }
        }
        double median = Arrays.stream(spread).sorted().toArray()[d / 2];
        double spreadSum = 0;
        for (int a = 0; a < d; a++) {
            spread[a] = Math.max(spread[a], median);
            spreadSum += spread[a];
        }
        for (int a = 0; a < d; a++) {
            c[a][a] += Whitening.SHRINKAGE * trace * spread[a] / spreadSum + 4 * l2Penalty * factors[a] / total;
        }
        return c;
    }

    /** matrix⁻¹ by Gauss–Jordan with partial pivoting (the textbook way). */
    static double[][] inverse(double[][] matrix) {
        int d = matrix.length;
        double[][] a = new double[d][2 * d];
        for (int i = 0; i < d; i++) {
            System.arraycopy(matrix[i], 0, a[i], 0, d);
            a[i][d + i] = 1;
        }
        for (int col = 0; col < d; col++) {
            int pivot = col;
            for (int r = col + 1; r < d; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] swap = a[col];
            a[col] = a[pivot];
            a[pivot] = swap;
            double p = a[col][col];
            for (int c = 0; c < 2 * d; c++) {
                a[col][c] /= p;
            }
            for (int r = 0; r < d; r++) {
                if (r != col) {
                    double f = a[r][col];
                    for (int c = 0; c < 2 * d; c++) {
                        a[r][c] -= f * a[col][c];
                    }
                }
            }
        }
        double[][] result = new double[d][d];
        for (int i = 0; i < d; i++) {
            System.arraycopy(a[i], d, result[i], 0, d);
        }
        return result;
    }

    /** A·S·Aᵀ·v with S's weight block {@code s}: r = w_k − b_k μ, r ← s·r, b_k ← b_k − r·μ. */
    private static double[] expected(double[] v, double[][] s, double[] means, int k) {
        int d = means.length;
        double[] out = v.clone();
        for (int c = 0; c < k; c++) {
            double gb = v[k * d + c];
            double[] r = new double[d];
            for (int j = 0; j < d; j++) {
                r[j] = v[c * d + j] - gb * means[j];
            }
            double shift = 0;
            for (int a = 0; a < d; a++) {
                double sum = 0;
                for (int b = 0; b < d; b++) {
                    sum += s[a][b] * r[b];
                }
                out[c * d + a] = sum;
                shift += sum * means[a];
            }
            out[k * d + c] = gb - shift;
        }
        return out;
    }

    /** Standard normal entries drawn from {@code seed}. */
    static double[] randomVector(int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[length];
        for (int i = 0; i < length; i++) {
            v[i] = random.nextGaussian();
        }
        return v;
    }

    @Test
    void applyAndNorm2AreTheDenseDefinition() {
        int d = 7;
        int k = 3;
        for (double scale : new double[] {1, 255}) {
            DenseDataset data = correlated(50, d, k, scale, 5);
            double[] weights = new double[50];
            SplittableRandom random = new SplittableRandom(6);
            for (int i = 0; i < weights.length; i++) {
                weights[i] = 0.25 + 2 * random.nextDouble();
            }
            double[] factors = {1, 0.5, 2, 0, 1, 3, 1};
            for (int sampleRows : new int[] {50, 17}) {
                String what = data.source() + ", " + sampleRows + " rows";
                Whitening whitening = Whitening.of(data, weights, 0.8, factors, sampleRows);
                double[] means = FeatureMoments.of(data, weights).means();
                double[][] s = inverse(curvature(data, weights, 0.8, factors, sampleRows));
                for (long seed = 1; seed <= 3; seed++) {
                    double[] v = randomVector(k * (d + 1), seed);
                    double[] want = expected(v, s, means, k);
                    double norm2 = 0;
                    for (int i = 0; i < v.length; i++) {
                        norm2 += v[i] * want[i];
                    }
                    assertEquals(norm2, whitening.norm2(v, null), 1e-9 * norm2, what + ": vᵀMv");
                    double[] got = v.clone();
                    whitening.apply(got, null);
                    double largest = Arrays.stream(want).map(Math::abs).max().orElseThrow();
                    for (int i = 0; i < v.length; i++) {
                        assertEquals(want[i], got[i], 1e-9 * largest, what + ": (Mv)[" + i + "]");
                    }
                }
            }
        }
    }

    /** A constant unpenalised feature and more features than rows (C singular): M stays finite, positive definite. */
    /**
     * The covariance's rank updates (SIMD where the Vector API is present) give the bits of the scalar loop they
     * replace: every entry's sum in the same order, 8 sampled rows at a time left to right (each product rounded before
     * its sum), the block's last rows one by one. D = 37 leaves a remainder past the whole registers; 150 rows leave a
     * block of 22 (two groups of 8 and 6 rows one by one).
     */
    @Test
    void covarianceHasTheScalarLoopsBits() {
        int d = 37;
        DenseDataset data = correlated(150, d, 3, 255, 21);
        double[] weights = new double[150];
        for (int n = 0; n < weights.length; n++) {
            weights[n] = 0.5 + (n % 7) * 0.25;
        }
        double[] means = FeatureMoments.of(data, weights).means();
        double[] actual = Whitening.covariance(data, weights, means, 150);
        float[] x = data.values();
        double[] expected = new double[d * (d + 1) / 2];
        double[] block = new double[64 * d];
        double total = 0;
        for (int start = 0; start < 150; start += 64) {
            int count = Math.min(64, 150 - start);
            for (int b = 0; b < count; b++) {
                total += weights[start + b];
                for (int j = 0; j < d; j++) {
                    block[b * d + j] = Math.sqrt(weights[start + b]) * (x[(start + b) * d + j] - means[j]);
                }
            }
            for (int i = 0; i < d; i++) {
                for (int j = 0; j <= i; j++) {
                    double sum = expected[i * (i + 1) / 2 + j];
                    int b = 0;
                    for (; b + 8 <= count; b += 8) {
                        for (int r = b; r < b + 8; r++) {
                            sum = sum + block[r * d + i] * block[r * d + j];
                        }
                    }
                    for (; b < count; b++) {
                        sum += block[b * d + i] * block[b * d + j];
                    }
                    expected[i * (i + 1) / 2 + j] = sum;
                }
            }
        }
        for (int e = 0; e < expected.length; e++) {
            expected[e] /= total;
        }
        for (int e = 0; e < expected.length; e++) {
            assertEquals(Double.doubleToRawLongBits(expected[e]), Double.doubleToRawLongBits(actual[e]), "entry " + e);
        }
    }

    @Test
    void singularCovarianceStaysPositiveDefinite() {
        int d = 12;
        int k = 3;
        DenseDataset data = correlated(5, d, k, 255, 7);
        float[] values = data.values();
        for (int row = 0; row < 5; row++) {
            values[row * d + 4] = 17;
        }
        double[] factors = new double[d];
        for (double penalty : new double[] {0, 1}) {
            Whitening whitening = Whitening.of(data, null, penalty, factors);
            for (long seed = 1; seed <= 20; seed++) {
                double[] v = randomVector(k * (d + 1), seed);
                double norm2 = whitening.norm2(v, null);
                assertTrue(norm2 > 0 && Double.isFinite(norm2), "λ = " + penalty + ": vᵀMv = " + norm2);
                double[] mv = v.clone();
                whitening.apply(mv, null);
                double product = 0;
                for (int i = 0; i < v.length; i++) {
                    assertTrue(Double.isFinite(mv[i]), "λ = " + penalty + ": (Mv)[" + i + "] = " + mv[i]);
                    product += v[i] * mv[i];
                }
                assertEquals(norm2, product, 1e-6 * norm2, "λ = " + penalty + ": vᵀ(Mv) against vᵀMv");
            }
        }
        // All rows alike and no penalty: nothing to whiten, M = A·Aᵀ (plain centring).
        DenseDataset constant = new DenseDataset(new float[3 * d], new int[] {0, 1, 2}, d, TestData.classNames(k),
                "zeros");
        double[] v = randomVector(k * (d + 1), 9);
        double[] centred = v.clone();
        new Centering(new double[d], k).apply(centred);
        Whitening.of(constant, null, 0, factors).apply(v, null);
        assertArrayEquals(centred, v, 0);
    }

    /** The default whitens where N ≥ 32·D (DenseOptimumTest's 1,500 × 37, Fashion-MNIST), not MNIST's 8,000 × 784. */
    @Test
    void defaultWhitensWithEnoughRowsPerFeature() {
        assertTrue(Whitening.paysOff(1500, 37));
        assertTrue(Whitening.paysOff(60000, 784));
        assertTrue(!Whitening.paysOff(8000, 784));
        assertTrue(!Whitening.paysOff(1_000_000, Whitening.MAX_FEATURES + 1));
    }

    @Test
    void applyAllocatesNothingAndHeldWeightsAreRefused() {
        DenseDataset data = correlated(200, 40, 4, 255, 11);
        double[] factors = new double[40];
        Arrays.fill(factors, 1);
        Whitening whitening = Whitening.of(data, null, 1, factors);
        double[] v = randomVector(4 * 41, 12);
        long bytes = allocatedBy(2000, 100, () -> {
            whitening.apply(v, null);
            double norm = Math.sqrt(whitening.norm2(v, null));
            for (int j = 0; j < v.length; j++) {
                v[j] /= norm;
            }
        });
        assertEquals(0, bytes, "bytes allocated by 100 applications");
        assertThrows(IllegalArgumentException.class, () -> whitening.apply(v, new boolean[v.length]));
    }

    /**
     * Bytes this thread allocates in {@code times} runs of {@code step}, after {@code warmUps} runs for the JIT: the
     * least of three such windows. An allocation per run shows in every window; a one-off does not (in one full suite
     * with {@code -XX:UseAVX=2} a window caught 80 bytes, one small object, most likely a vector boxed once while the
     * code was being recompiled, and none in any run of the class alone).
     */
    static long allocatedBy(int warmUps, int times, Runnable step) {
        for (int i = 0; i < warmUps; i++) {
            step.run();
        }
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long least = Long.MAX_VALUE;
        for (int window = 0; window < 3 && least > 0; window++) {
            long before = bean.getThreadAllocatedBytes(thread);
            for (int i = 0; i < times; i++) {
                step.run();
            }
            least = Math.min(least, bean.getThreadAllocatedBytes(thread) - before);
        }
        return least;
    }
}
