package org.softmax4j.train;

import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.cpu.Vectors;

/**
 * Centring and whitening, the default preconditioner of L-BFGS for dense features with a bias and at least
 * {@link #MIN_ROWS_PER_FEATURE} rows per feature ({@link #paysOff}): the initial inverse Hessian is γ·A·S·Aᵀ, with A
 * the centring map of {@link Centering} ((W, b') → (W, b' − Wμ)) and S block diagonal in the centred coordinates: 1
 * for each class's bias b', and for each class's row of weights
 * <pre>
 *   (C + R + Δ)⁻¹ = L⁻ᵀ L⁻¹,   C = Σ_n ω_n (x_n − μ)(x_n − μ)ᵀ / Σ_n ω_n,   R = diag(τ·tr(C)·u_j / Σ_i u_i),
 *   Δ = diag(4 λ₂ f2_j / Ω)
 * </pre>
 * with L its Cholesky factor, λ₂ = λ(1 − α), f2_j the L2 penalty factors, Ω = Σ_n ω_n. C + Δ is −∇²F's class block
 * in the centred coordinates with the softmax curvature taken as ¼ (a class probability's p(1 − p) at most) and the
 * cross-class terms left out, divided by the bias's Ω/4; {@link ScaledCentering#perFeature}'s s_j = 1/(v_j + Δ_j) is
 * its diagonal. That is L-BFGS run as if the features had been centred, decorrelated and brought to one scale, so
 * that pixels in 0..255 need no rescaling and correlated pixels cost what independent ones do (the diagonal alone lost
 * on MNIST: 644 iterations against 299 with one scale). Any symmetric positive definite S leaves the optimum where it
 * is; only the path changes.
 *
 * <p>The ridge R (τ = {@link #SHRINKAGE}): at the optimum most examples are fitted, p(1 − p) ≪ ¼, and the curvature
 * is no longer C's; fully whitened, C's faint directions (pixel noise) were blown up to the scale of the strong ones.
 * Measured at λ = 1 (L-BFGS to max|∂F| ≤ 1e-6 on MNIST, 8,000 × 784 in [0, 1]; F after 500 iterations on
 * Fashion-MNIST, 60,000 × 784 in 0..255): τ = 0: 474 iterations, F = −18890.1; τ = 0.01: 343; τ = 0.1: 257,
 * −18732.3; τ = 0.3: −18763.5; τ = 1: 228, −18802.1; one scale ({@code center-scaled}): 299, −19558.3.
 *
 * <p>The ridge is shared out in each feature's units u_j: its largest squared deviation from its mean over C's sample,
 * raised to the median feature's. Pixels (one range for all, the faint ones raised to the median) get what one ridge
 * ρ = τ·tr(C)/D for every feature gave them (Fashion-MNIST / 255, 48,000 rows: 571 iterations against 569); features
 * in other units get a ridge in theirs. With one ρ, features 2^−3 to 2^6 apart with the penalty factors σ² that
 * standardisation implies (Spark's {@code standardization}) took 697 iterations where the standardised features take
 * 22; now 67. Each feature's own u_j (no median floor) gave 26 there but 692 on Fashion-MNIST: edge pixels of small
 * range got small ridges and their faint directions were blown up again (ninth session,
 * docs/measurements/2026-11-30-s9-whitening-ridge.log).
 *
 * <p>C costs N·D²/2 multiply-adds, tens of evaluations at D = 784, so it is estimated from a deterministic subset of
 * at most {@link #SAMPLE_ROWS} rows, evenly spaced (row ⌊i·N/R⌋), about the means of all rows; the preconditioner only
 * needs C's shape (MNIST: 257 iterations with all 8,000 rows, 288 / 275 / 337 with 4,096 / 2,048 / 1,024). Summed
 * in a fixed order on one thread: the same bits for every thread count. A pivot of the factor below
 * {@link #PIVOT_FLOOR} times the largest diagonal entry (C + ρI + Δ singular to rounding: every feature constant and
 * unpenalised) is raised to it, which keeps S positive definite; with no positive diagonal entry at all L = I.
 *
 * <p>Each application costs 2 triangular solves per class (D² multiply-adds), with no allocation: the solves run in
 * place, as axpys over rows of L and of Lᵀ (both kept), which the JIT vectorises, every class at each row so that L
 * is read once per solve. Not for OWL-QN: its held weights would have to be taken out of the factor at every
 * iteration.
 */
final class Whitening implements InitialInverseHessian {
    /** Rows of the covariance's sample (measured on MNIST: see the class comment). */
    static final int SAMPLE_ROWS = 8192;
    /** τ of the ridge τ·tr(C), shared out over C's diagonal by the features' units (see the class comment). */
    static final double SHRINKAGE = 0.1;
    /** The smallest pivot of the Cholesky factor, relative to the largest diagonal entry of C + Δ. */
    static final double PIVOT_FLOOR = 1e-10;
    /**
     * The most features whitened: C's factor takes D² doubles (L and Lᵀ) and its sample N_s·D²/2 multiply-adds;
     * wider data keeps {@link ScaledCentering}.
     */
    static final int MAX_FEATURES = 1024;
    /**
     * The fewest rows per feature whitened: an iteration's three triangular solves per class (1.5·D²·K multiply-adds,
     * on one thread) then cost under 3% of an evaluation's 2·N·D·K, and C's sample (up to 8,192·D²/2) a few
     * evaluations. Below it the solves and the sample cost more than the iterations they save: on MNIST (N = 8,000,
     * D = 784, 10 rows per feature) whitened L-BFGS took 257 iterations against 299 with one scale, but 66.6 and
     * 82.4 s against 57.8 and 39.7 s (alternating, load average 15 to 20); on the digits as counts (D = 64, about 18
     * rows per feature) 268 iterations against 245.
     */
    static final int MIN_ROWS_PER_FEATURE = 32;
    /** Rows per block of the covariance's rank updates (a row of C stays in cache across the block). */
    private static final int BLOCK = 64;
    /** Whether the covariance's rank updates take the Vector API ({@link RankUpdate}). */
    private static final boolean SIMD = Vectors.available();

    private final double[] means;
    /** Row i of L at {@code rowStart(i)}: L_i0 .. L_ii. */
    private final double[] lower;
    /** Row j of Lᵀ (column j of L) at {@code upperStart(j)}: L_jj .. L_(D−1)j. */
    private final double[] upper;
    private final int numClasses;
    private final int numFeatures;
    /** norm2's copy of the weights. */
    private final double[] scratch;

    private Whitening(double[] means, double[] lower, int numClasses) {
        this.means = means;
        this.lower = lower;
        this.numClasses = numClasses;
        this.numFeatures = means.length;
        this.scratch = new double[numClasses * numFeatures];
        this.upper = new double[lower.length];
        for (int i = 0; i < numFeatures; i++) {
            for (int j = 0; j <= i; j++) {
                upper[upperStart(j) + i - j] = lower[rowStart(i) + j];
            }
        }
    }

    /** Whether L-BFGS whitens N rows of D dense features by default (see {@link #MIN_ROWS_PER_FEATURE}). */
    static boolean paysOff(int numExamples, int numFeatures) {
        return numFeatures <= MAX_FEATURES && numExamples >= (long) MIN_ROWS_PER_FEATURE * numFeatures;
    }

    /**
     * @param exampleWeights ω_n (null: each 1)
     * @param l2Penalty      λ₂ = λ(1 − α)
     * @param l2Factors      f2_j, one per feature
     */
    static Whitening of(DenseDataset data, double[] exampleWeights, double l2Penalty, double[] l2Factors) {
        return of(data, exampleWeights, l2Penalty, l2Factors, SAMPLE_ROWS);
    }

    /** The same with at most {@code sampleRows} rows in C's sample. */
    static Whitening of(DenseDataset data, double[] exampleWeights, double l2Penalty, double[] l2Factors,
                        int sampleRows) {
        int numFeatures = data.numFeatures();
        if (l2Factors.length != numFeatures) {
            throw new IllegalArgumentException("l2Factors has " + l2Factors.length + " entries, expected "
                    + numFeatures);
        }
        if (sampleRows < 1) {
            throw new IllegalArgumentException("sampleRows is " + sampleRows + ", expected ≥ 1");
        }
        FeatureMoments moments = FeatureMoments.of(data, exampleWeights);
        double[] means = moments.means();
        double[] matrix = covariance(data, exampleWeights, means, sampleRows);
        double total = moments.total();
        double trace = 0;
        for (int j = 0; j < numFeatures; j++) {
            trace += matrix[rowStart(j) + j];
        }
        // The ridge τ·tr(C) shared out by the features' units, each raised to the median one (see the class comment).
        double[] spreads = spreads(data, exampleWeights, means, sampleRows);
        double[] sorted = spreads.clone();
        java.util.Arrays.sort(sorted);
        double median = sorted[numFeatures / 2];
        for (int j = 0; j < numFeatures; j++) {
            spreads[j] = Math.max(spreads[j], median);
        }
        double spreadTotal = 0;
        for (double spread : spreads) {
            spreadTotal += spread;
        }
        for (int j = 0; j < numFeatures; j++) {
            matrix[rowStart(j) + j] += spreadTotal > 0 ? SHRINKAGE * trace * spreads[j] / spreadTotal : 0;
        }
        for (int j = 0; j < numFeatures; j++) {
            matrix[rowStart(j) + j] += total > 0 ? 4 * l2Penalty * l2Factors[j] / total : 0;
        }
        factor(matrix, numFeatures);
        return new Whitening(means, matrix, data.numClasses());
    }

    /**
     * Each feature's spread: the largest squared distance from its mean over the rows of C's sample (those of weight
     * above 0). A unit of scale that, unlike the variance, does not shrink for a pixel that is mostly dark.
     */
    static double[] spreads(DenseDataset data, double[] exampleWeights, double[] means, int sampleRows) {
        int numExamples = data.numExamples();
        int numFeatures = data.numFeatures();
        int rows = Math.min(numExamples, sampleRows);
        float[] values = data.values();
        double[] spreads = new double[numFeatures];
        for (int r = 0; r < rows; r++) {
            int n = (int) ((long) r * numExamples / rows);
            if (exampleWeights != null && !(exampleWeights[n] > 0)) {
                continue;
            }
            for (int j = 0; j < numFeatures; j++) {
                double deviation = values[n * numFeatures + j] - means[j];
                spreads[j] = Math.max(spreads[j], deviation * deviation);
            }
        }
        return spreads;
    }

    private static int rowStart(int i) {
        return i * (i + 1) / 2;
    }

    private int upperStart(int j) {
        return j * numFeatures - j * (j - 1) / 2;
    }

    /**
     * The lower triangle of C (packed by rows) from the rows ⌊i·N/R⌋, i < R = min(N, sampleRows), weighted by ω_n
     * and divided by their sum (zeros if it is 0). Rank-{@link #BLOCK} updates: the rows of a block are centred and
     * scaled by √ω_n into a buffer, then each row of C takes the block's terms in row order.
     */
    static double[] covariance(DenseDataset data, double[] exampleWeights, double[] means, int sampleRows) {
        int numExamples = data.numExamples();
        int numFeatures = data.numFeatures();
        int rows = Math.min(numExamples, sampleRows);
        float[] values = data.values();
        double[] matrix = new double[rowStart(numFeatures)];
        double[] block = new double[BLOCK * numFeatures];
        double[] heads = new double[BLOCK];
        double total = 0;
        for (int start = 0; start < rows; start += BLOCK) {
            int count = Math.min(BLOCK, rows - start);
            for (int b = 0; b < count; b++) {
                int n = (int) ((long) (start + b) * numExamples / rows);
                double weight = exampleWeights == null ? 1 : exampleWeights[n];
                total += weight;
                double root = Math.sqrt(weight);
                for (int j = 0; j < numFeatures; j++) {
                    block[b * numFeatures + j] = root * (values[n * numFeatures + j] - means[j]);
                }
            }
            for (int i = 0; i < numFeatures; i++) {
                int row = rowStart(i);
                for (int b = 0; b < count; b++) {
                    heads[b] = block[b * numFeatures + i];
                }
                int b = 0;
                for (; b + 8 <= count; b += 8) {
                    double h0 = heads[b];
                    double h1 = heads[b + 1];
                    double h2 = heads[b + 2];
                    double h3 = heads[b + 3];
                    double h4 = heads[b + 4];
                    double h5 = heads[b + 5];
                    double h6 = heads[b + 6];
                    double h7 = heads[b + 7];
                    int o0 = b * numFeatures;
                    int o1 = o0 + numFeatures;
                    int o2 = o1 + numFeatures;
                    int o3 = o2 + numFeatures;
                    int o4 = o3 + numFeatures;
                    int o5 = o4 + numFeatures;
                    int o6 = o5 + numFeatures;
                    int o7 = o6 + numFeatures;
                    int j = SIMD ? RankUpdate.eight(matrix, row, block, o0, numFeatures, i + 1, h0, h1, h2, h3, h4, h5,
                            h6, h7) : 0;
                    for (; j <= i; j++) {
                        matrix[row + j] = matrix[row + j] + h0 * block[o0 + j] + h1 * block[o1 + j]
                                + h2 * block[o2 + j] + h3 * block[o3 + j] + h4 * block[o4 + j]
                                + h5 * block[o5 + j] + h6 * block[o6 + j] + h7 * block[o7 + j];
                    }
                }
                for (; b < count; b++) {
                    double h = heads[b];
                    int o = b * numFeatures;
                    for (int j = 0; j <= i; j++) {
                        matrix[row + j] += h * block[o + j];
                    }
                }
            }
        }
        if (total > 0) {
            for (int e = 0; e < matrix.length; e++) {
                matrix[e] /= total;
            }
        } else {
            java.util.Arrays.fill(matrix, 0);
        }
        return matrix;
    }

    /**
     * Replaces the packed lower triangle of a symmetric matrix by its Cholesky factor L, a pivot below
     * {@link #PIVOT_FLOOR} times the largest diagonal entry (or not a number) raised to that floor; with no positive
     * diagonal entry at all, L = I.
     */
    static void factor(double[] matrix, int size) {
        double largest = 0;
        for (int j = 0; j < size; j++) {
            largest = Math.max(largest, matrix[rowStart(j) + j]);
        }
        double floor = largest > 0 ? PIVOT_FLOOR * largest : 1;
        for (int i = 0; i < size; i++) {
            int rowI = rowStart(i);
            for (int j = 0; j <= i; j++) {
                int rowJ = rowStart(j);
                double sum = matrix[rowI + j];
                for (int m = 0; m < j; m++) {
                    sum -= matrix[rowI + m] * matrix[rowJ + m];
                }
                if (j < i) {
                    matrix[rowI + j] = sum / matrix[rowJ + j];
                } else {
                    matrix[rowI + i] = Math.sqrt(sum >= floor ? sum : floor);
                }
            }
        }
    }

    /** v ← A·S·Aᵀ·v. OWL-QN's held weights are not supported ({@code fixed} must be null). */
    @Override
    public void apply(double[] v, boolean[] fixed) {
        requireNoFixed(fixed);
        centreWeights(v, v);
        forwardSolve(v);
        backSolve(v);
        int numWeights = numClasses * numFeatures;
        for (int k = 0; k < numClasses; k++) {
            int row = k * numFeatures;
            double shift = 0;
            for (int j = 0; j < numFeatures; j++) {
                shift += v[row + j] * means[j];
            }
            v[numWeights + k] -= shift;
        }
    }

    /** vᵀ·A·S·Aᵀ·v = Σ_k b_k² + Σ_k ‖L⁻¹(w_k − b_k μ)‖². */
    @Override
    public double norm2(double[] v, boolean[] fixed) {
        requireNoFixed(fixed);
        centreWeights(v, scratch);
        forwardSolve(scratch);
        int numWeights = numClasses * numFeatures;
        double sum = 0;
        for (int k = 0; k < numClasses; k++) {
            sum += v[numWeights + k] * v[numWeights + k];
        }
        for (int i = 0; i < numWeights; i++) {
            sum += scratch[i] * scratch[i];
        }
        return sum;
    }

    /** The weights of Aᵀ·v: {@code weights}' row k ← w_k − b_k μ (v's bias unchanged; {@code weights} may be v). */
    private void centreWeights(double[] v, double[] weights) {
        int numWeights = numClasses * numFeatures;
        for (int k = 0; k < numClasses; k++) {
            double gb = v[numWeights + k];
            int row = k * numFeatures;
            for (int j = 0; j < numFeatures; j++) {
                weights[row + j] = v[row + j] - gb * means[j];
            }
        }
    }

    private static void requireNoFixed(boolean[] fixed) {
        if (fixed != null) {
            throw new IllegalArgumentException("whitening cannot hold OWL-QN's fixed weights; expected fixed = null");
        }
    }

    /**
     * Each class's row x_k (at k·D) ← L⁻¹ x_k, column by column (axpys over the rows of Lᵀ), every class at each
     * column so that L is read once per solve, not once per class.
     */
    private void forwardSolve(double[] x) {
        for (int j = 0; j < numFeatures; j++) {
            int column = upperStart(j);
            double pivot = upper[column];
            int length = numFeatures - j - 1;
            for (int k = 0; k < numClasses; k++) {
                int at = k * numFeatures + j;
                double z = x[at] / pivot;
                x[at] = z;
                for (int i = 0; i < length; i++) {
                    x[at + 1 + i] -= z * upper[column + 1 + i];
                }
            }
        }
    }

    /** Each class's row x_k ← L⁻ᵀ x_k, row by row from the last (axpys over the rows of L), every class at each row. */
    private void backSolve(double[] x) {
        for (int i = numFeatures - 1; i >= 0; i--) {
            int row = rowStart(i);
            double pivot = lower[row + i];
            for (int k = 0; k < numClasses; k++) {
                int offset = k * numFeatures;
                double z = x[offset + i] / pivot;
                x[offset + i] = z;
                for (int m = 0; m < i; m++) {
                    x[offset + m] -= z * lower[row + m];
                }
            }
        }
    }
    /**
     * The covariance's rank-8 updates with the Vector API: each lane the scalar loop's sum, C_ij + h0·x0j + … + h7·x7j
     * added left to right, each product rounded before its sum (no fused multiply-add), so the same bits; about 5 times
     * as fast as the loop C2 makes of it (0.75 s at 8,192 rows × 784, the largest serial part of a dense fit's setup).
     * Touches the Vector API only when called, so that this class loads without the module.
     */
    private static final class RankUpdate {
        private static final jdk.incubator.vector.VectorSpecies<Double> SPECIES =
                jdk.incubator.vector.DoubleVector.SPECIES_MAX;

        /**
         * The whole registers of C's row at {@code row} below {@code length} take the 8 block rows from {@code o0}
         * (their heads h0 .. h7); returns where they stopped (the scalar loop adds the rest).
         */
        static int eight(double[] matrix, int row, double[] block, int o0, int numFeatures, int length, double h0,
                         double h1, double h2, double h3, double h4, double h5, double h6, double h7) {
            int lanes = SPECIES.length();
            int end = SPECIES.loopBound(length);
            for (int j = 0; j < end; j += lanes) {
                var sum = jdk.incubator.vector.DoubleVector.fromArray(SPECIES, matrix, row + j)
                        .add(jdk.incubator.vector.DoubleVector.fromArray(SPECIES, block, o0 + j).mul(h0))
                        .add(jdk.incubator.vector.DoubleVector.fromArray(SPECIES, block, o0 + numFeatures + j).mul(h1))
                        .add(jdk.incubator.vector.DoubleVector.fromArray(SPECIES, block, o0 + 2 * numFeatures + j)
                                .mul(h2))
                        .add(jdk.incubator.vector.DoubleVector.fromArray(SPECIES, block, o0 + 3 * numFeatures + j)
                                .mul(h3))
                        .add(jdk.incubator.vector.DoubleVector.fromArray(SPECIES, block, o0 + 4 * numFeatures + j)
                                .mul(h4))
                        .add(jdk.incubator.vector.DoubleVector.fromArray(SPECIES, block, o0 + 5 * numFeatures + j)
                                .mul(h5))
                        .add(jdk.incubator.vector.DoubleVector.fromArray(SPECIES, block, o0 + 6 * numFeatures + j)
                                .mul(h6))
                        .add(jdk.incubator.vector.DoubleVector.fromArray(SPECIES, block, o0 + 7 * numFeatures + j)
                                .mul(h7));
                sum.intoArray(matrix, row + j);
            }
            return end;
        }
    }
}
