package org.softmax4j.train;

import org.softmax4j.data.DenseDataset;

/**
 * The default initial inverse Hessian of L-BFGS on dense rows where {@link Whitening} pays off: the whitening's
 * feature curvature coupled across classes by the softmax's, a Kronecker-factored (K-FAC-like) H with the null
 * directions handled exactly. The Hessian of f = −F_s is H = Σ_n ω_n (diag p_n − p_n p_nᵀ) ⊗ x̃_n x̃_nᵀ + λ₂·I ⊗ diag(f2)
 * (x̃ = [x, 1], the bias unpenalised). It leaves two subspaces invariant:
 * <ul>
 * <li>1_K ⊗ v (one vector added to every class's parameters), where the data's part is 0 and H = λ₂ f2_j exactly:
 * M takes a column's mean over the classes, m_j, to m_j / (λ₂ f2_j), and to 0 where λ₂ f2_j = 0 (the bias always),
 * where ∂f has no component (Σ_k ∂f/∂θ_kj = λ₂ f2_j Σ_k θ_kj): the iterates do not drift along directions F cannot
 * see, as with {@code --solver newton};</li>
 * <li>its complement, where H ≈ Ω·A ⊗ G̃: A = Σ_{n∈S} ω_n (diag p_n − p_n p_nᵀ) / Σ_{n∈S} ω_n over a sample S of
 * {@link #SAMPLE_ROWS} evenly spaced rows at the current point (K×K, with A·1 = 0), Ω = Σ_n ω_n over all rows, and
 * G̃ the whitening's second moments with its ridge and penalty diagonal, whose inverse {@link Whitening#apply} applies
 * to every class. M = (A + ε(I − J) + J)⁻¹ ⊗ G̃⁻¹ / Ω there (J = 11ᵀ/K, 1 its eigenvector of eigenvalue 1, so the
 * inverse keeps the complement; ε = {@link #DAMPING}·tr(A)/(K − 1) keeps a class the sample never predicts from
 * blowing a direction up), by a Cholesky factor of the K×K matrix: K² multiply-adds per column beside the
 * whitening's D²·K.</li>
 * </ul>
 * A is taken anew at each of the first {@link #MOST_REFRESHES} iterations (K·(D + 1) multiply-adds and K exps per
 * sample row), as {@code --solver newton} takes its H. Why: whitening alone treats the classes as independent with a
 * fixed curvature ¼ (L-BFGS's γ rescales it); as the model fits, the classes' curvatures part and couple, and A
 * follows them. Measured at λ = 1 to max|∂F| ≤ 1e-6 (L-BFGS, 100 pairs): dense 10⁵ × 784 planted rows 85 → 56
 * iterations; compare-spark's dense 10⁵ × 784 uniform rows 154 → 35; A only at the start point: 84 and 154 (the
 * coupling at the current point is what helps); A refreshed at the first 4 / 8 / 16 / every iteration: 59 / 56 /
 * 54 / 55 on the planted rows; A from 1,024 / 2,048 / 8,192 rows: 60 / 56 / 56 and 35 / 35 / 35 (docs/PERFORMANCE.md,
 * "Class coupling").
 *
 * <p>Deterministic: one thread, rows in order; {@link #refresh}, {@link #apply} and {@link #norm2} allocate nothing.
 */
final class ClassCoupling implements InitialInverseHessian {
    /** Rows of A's sample (measured: see the class comment). */
    static final int SAMPLE_ROWS = 2048;
    /** How many of the first iterations take A anew. */
    static final int MOST_REFRESHES = 8;
    /** ε of the damping ε·tr(A)/(K − 1) on the complement of 1. */
    static final double DAMPING = 1e-3;

    private final Whitening whitening;
    private final int numClasses;
    private final int numFeatures;
    private final int numWeights;
    private final float[] values;
    private final int[] sampleRows;
    private final double[] sampleWeights;
    /** Ω, the weight total of all rows. */
    private final double total;
    /** λ₂·f2_j per feature. */
    private final double[] penalty;
    /** The K×K matrix A + ε(I − J) + J, then its lower Cholesky factor in place. */
    private final double[] factor;
    private final double[] means;
    private final double[] column;
    private final double[] probabilities;
    private final double[] scratch;

    private ClassCoupling(Whitening whitening, DenseDataset rows, double[] rowWeights, double total, double l2Penalty,
                          double[] l2Factors) {
        this.whitening = whitening;
        this.numClasses = rows.numClasses();
        this.numFeatures = rows.numFeatures();
        this.numWeights = numClasses * numFeatures;
        this.values = rows.values();
        int numRows = rows.numExamples();
        int count = Math.min(numRows, SAMPLE_ROWS);
        this.sampleRows = new int[count];
        this.sampleWeights = new double[count];
        for (int i = 0; i < count; i++) {
            sampleRows[i] = (int) ((long) i * numRows / count);
            sampleWeights[i] = rowWeights == null ? 1 : rowWeights[sampleRows[i]];
        }
        this.total = total;
        this.penalty = new double[numFeatures];
        for (int j = 0; j < numFeatures; j++) {
            penalty[j] = l2Penalty * l2Factors[j];
        }
        this.factor = new double[numClasses * numClasses];
        this.means = new double[numFeatures + 1];
        this.column = new double[numClasses];
        this.probabilities = new double[numClasses];
        this.scratch = new double[numWeights + numClasses];
        // A at θ = 0 (p uniform): (I − J)/K, until the first refresh.
        for (int k = 0; k < numClasses; k++) {
            factor[k * numClasses + k] = 1.0 / numClasses;
            for (int c = 0; c < numClasses; c++) {
                factor[k * numClasses + c] -= 1.0 / numClasses / numClasses;
            }
        }
        dampAndFactor(1.0 / numClasses * (numClasses - 1));
    }

    /**
     * @param whitening  the whitening of the same rows (its G̃)
     * @param rows       the rows A is sampled from (every ⌊i·n/R⌋-th, R = min(n, {@link #SAMPLE_ROWS})): all the data,
     *                   or a sample fetched to the driver
     * @param rowWeights ω_n of {@code rows} (null: each 1)
     * @param total      Ω, the weight total of all the data's rows
     * @param l2Penalty  λ₂ = λ(1 − α)
     * @param l2Factors  f2_j, one per feature
     */
    static ClassCoupling of(Whitening whitening, DenseDataset rows, double[] rowWeights, double total,
                            double l2Penalty, double[] l2Factors) {
        if (l2Factors.length != rows.numFeatures()) {
            throw new IllegalArgumentException("l2Factors has " + l2Factors.length + " entries, expected "
                    + rows.numFeatures());
        }
        if (rowWeights != null && rowWeights.length != rows.numExamples()) {
            throw new IllegalArgumentException("rowWeights has " + rowWeights.length + " entries, expected "
                    + rows.numExamples());
        }
        return new ClassCoupling(whitening, rows, rowWeights, total, l2Penalty, l2Factors);
    }

    @Override
    public boolean refreshDueAt(int iteration) {
        return iteration < MOST_REFRESHES;
    }

    @Override
    public boolean estimatesScale() {
        return true;
    }

    /** A at θ = [W (K×D), b (K)], damped and factored. */
    @Override
    public void refresh(double[] point) {
        java.util.Arrays.fill(factor, 0);
        double weightSum = 0;
        for (int i = 0; i < sampleRows.length; i++) {
            int row = sampleRows[i] * numFeatures;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < numClasses; k++) {
                double logit = point[numWeights + k];
                int w = k * numFeatures;
                for (int j = 0; j < numFeatures; j++) {
                    logit += point[w + j] * values[row + j];
                }
                probabilities[k] = logit;
                max = Math.max(max, logit);
            }
            SampledHessian.logitsToProbabilities(probabilities, numClasses, max);
            double weight = sampleWeights[i];
            weightSum += weight;
            for (int k = 0; k < numClasses; k++) {
                double pk = weight * probabilities[k];
                factor[k * numClasses + k] += pk;
                for (int c = 0; c < numClasses; c++) {
                    factor[k * numClasses + c] -= pk * probabilities[c];
                }
            }
        }
        double trace = 0;
        if (weightSum > 0) {
            for (int e = 0; e < factor.length; e++) {
                factor[e] /= weightSum;
            }
            for (int k = 0; k < numClasses; k++) {
                trace += factor[k * numClasses + k];
            }
        }
        dampAndFactor(trace);
    }

    /** {@link #factor} (A) ← the Cholesky factor of A + ε(I − J) + J, ε from A's trace. */
    private void dampAndFactor(double trace) {
        double epsilon = numClasses > 1 ? DAMPING * trace / (numClasses - 1) : 0;
        double mean = 1.0 / numClasses;
        for (int k = 0; k < numClasses; k++) {
            for (int c = 0; c < numClasses; c++) {
                factor[k * numClasses + c] += (k == c ? epsilon : 0) + (1 - epsilon) * mean;
            }
        }
        // K is small: an unblocked Cholesky; a pivot at rounding (A singular beyond 1, ε = 0) is raised to 1e-12
        // of the trace, which keeps M positive definite.
        double floor = 1e-12 * Math.max(trace, 1e-300);
        for (int i = 0; i < numClasses; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = factor[i * numClasses + j];
                for (int m = 0; m < j; m++) {
                    sum -= factor[i * numClasses + m] * factor[j * numClasses + m];
                }
                if (j < i) {
                    factor[i * numClasses + j] = sum / factor[j * numClasses + j];
                } else {
                    factor[i * numClasses + i] = Math.sqrt(sum > floor ? sum : floor);
                }
            }
        }
    }

    private int index(int j, int k) {
        return j < numFeatures ? k * numFeatures + j : numWeights + k;
    }

    /** {@link #column} ← the K entries of feature j (the bias at j = D) of {@code from}, for the solves. */
    private void readColumn(double[] from, int j) {
        for (int k = 0; k < numClasses; k++) {
            column[k] = from[index(j, k)];
        }
    }

    /** v ← M·v (see the class comment). Held weights are not supported ({@code fixed} must be null). */
    @Override
    public void apply(double[] v, boolean[] fixed) {
        centredColumns(v, v);
        for (int j = 0; j <= numFeatures; j++) {
            readColumn(v, j);
            forwardSolve();
            backSolve();
            double mean = 0;
            for (int k = 0; k < numClasses; k++) {
                mean += column[k];
            }
            mean /= numClasses;
            for (int k = 0; k < numClasses; k++) {
                v[index(j, k)] = (column[k] - mean) / total;
            }
        }
        whitening.apply(v, fixed);
        for (int j = 0; j < numFeatures; j++) {
            if (penalty[j] > 0) {
                double shift = means[j] / penalty[j];
                for (int k = 0; k < numClasses; k++) {
                    v[k * numFeatures + j] += shift;
                }
            }
        }
    }

    /** vᵀMv = ‖(L_A⁻¹ ⊗ G̃^(−1/2)) v_⊥‖² / Ω + K·Σ_j m_j² / (λ₂ f2_j), into a buffer of its own. */
    @Override
    public double norm2(double[] v, boolean[] fixed) {
        centredColumns(v, scratch);
        for (int j = 0; j <= numFeatures; j++) {
            readColumn(scratch, j);
            forwardSolve();
            for (int k = 0; k < numClasses; k++) {
                scratch[index(j, k)] = column[k];
            }
        }
        double sum = whitening.norm2(scratch, fixed) / total;
        for (int j = 0; j < numFeatures; j++) {
            if (penalty[j] > 0) {
                sum += numClasses * means[j] * means[j] / penalty[j];
            }
        }
        return sum;
    }

    /** {@link #means} ← each column's mean over the classes; {@code out} ← v less them ({@code out} may be v). */
    private void centredColumns(double[] v, double[] out) {
        for (int j = 0; j <= numFeatures; j++) {
            double mean = 0;
            for (int k = 0; k < numClasses; k++) {
                mean += v[index(j, k)];
            }
            mean /= numClasses;
            means[j] = mean;
            for (int k = 0; k < numClasses; k++) {
                out[index(j, k)] = v[index(j, k)] - mean;
            }
        }
    }

    /** {@link #column} ← L_A⁻¹ column. */
    private void forwardSolve() {
        for (int i = 0; i < numClasses; i++) {
            double sum = column[i];
            for (int m = 0; m < i; m++) {
                sum -= factor[i * numClasses + m] * column[m];
            }
            column[i] = sum / factor[i * numClasses + i];
        }
    }

    /** {@link #column} ← L_A⁻ᵀ column. */
    private void backSolve() {
        for (int i = numClasses - 1; i >= 0; i--) {
            double sum = column[i];
            for (int m = i + 1; m < numClasses; m++) {
                sum -= factor[m * numClasses + i] * column[m];
            }
            column[i] = sum / factor[i * numClasses + i];
        }
    }
}
