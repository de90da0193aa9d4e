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
public record CurvatureBound(double lipschitz, double maxEigenvalue, double trace, int passes,
                             double biasLipschitz, String method) {
    /** The bound of the uncentred coordinates, {@link #of}. */
    public CurvatureBound(double lipschitz, double maxEigenvalue, double trace, int passes) {
        this(lipschitz, maxEigenvalue, trace, passes, lipschitz, "power iterations on |X|");
    }
    /** Stop the power iteration once the upper bound is within this of the Rayleigh quotient of M. */
    static final double RELATIVE_GAP = 1e-3;
    static final int MAX_POWER_ITERATIONS = 50;

    /** The step η = N/L of {@code --learning-rate auto}. */
    public double learningRate(int numExamples) {
        return numExamples / lipschitz;
    }

    /** Whether the bound is of the centred coordinates ({@link #centered}): W and the bias step apart. */
    public boolean isCentered() {
        return !method.equals("power iterations on |X|");
    }

    /**
     * The bias's step relative to W's in the centred coordinates: L_W / L_b (1 for the uncentred bound, where one L
     * covers both).
     */
    public double biasStepRatio() {
        return lipschitz / biasLipschitz;
    }

    public String describe(int numExamples) {
        if (isCentered()) {
            return String.format(Locale.ROOT, "auto: eta = N/L = %.6g in centred coordinates, L = 0.5*lambda_max(C) "
                    + "+ lambda = %.6g (lambda_max(C) <= %.6g, %s), bias L = 0.5*sum(w) = %.6g",
                    learningRate(numExamples), lipschitz, maxEigenvalue, method, biasLipschitz);
        }
        return String.format(Locale.ROOT, "auto: eta = N/L = %.6g, L = 0.5*lambda_max + lambda = %.6g "
                + "(lambda_max <= %.6g by %d power iterations; trace bound %.6g)", learningRate(numExamples),
                lipschitz, maxEigenvalue, passes, trace);
    }

    /** Features up to this many: {@link #centered} forms C densely and certifies its bound by a Cholesky factorisation. */
    static final int DENSE_FEATURES = 1024;
    /**
     * Rows·features² (the cost of forming C) up to which {@link #centered} forms C densely: measured, 30,000 × 256
     * dense rows (2·10⁹) took 3.3 s on the loaded 2-core development machine, too long to wait before training, so
     * about a quarter of a second's work at most; the digits' training split is 5.9·10⁶.
     */
    static final double DENSE_WORK = 5e8;

    /**
     * The bound in the centred coordinates of {@link Centering} (θ' = (W, b + Wμ), μ the weighted feature means), in
     * which the logits are W(x − μ) + b' and, since Σ ω (x − μ) = 0,
     * <pre>
     *   Σ ω x̃' x̃'ᵀ = [[C, 0], [0, Ω]],   C = Σ ω (x − μ)(x − μ)ᵀ,  Ω = Σ ω,  x̃' = (x − μ, 1)
     * </pre>
     * so −∇²F ≼ blockdiag((½λ_max(C) + λ)·I, ½Ω·I) there (the same Böhning argument as {@link #of}): a step of
     * 1/L_W for W and 1/L_b for b', L_W = ½λ_max(C) + λ, L_b = ½Ω, never lowers F. Removing the mean removes the
     * direction μ that couples every weight with the bias, the stiff one of the uncentred problem (on the digits'
     * training split L_W = 687 against L = 9,609 uncentred).
     * <p>
     * λ_max(C) is certified, not estimated: C is formed in double (when D ≤ {@value #DENSE_FEATURES} and N·D² ≤
     * {@value #DENSE_WORK}, binary rows counting (set bits)² instead of D²), its largest eigenvalue estimated by power
     * iterations on the dense matrix, and the estimate
     * raised until a Cholesky factorisation of t·I − C succeeds, which proves t &gt; λ_max(C). Larger data take the
     * smallest of three guaranteed bounds, each from passes over the data in double: λ_max(Σ ω |x − μ||x − μ|ᵀ) by
     * the Collatz–Wielandt quotients of power iterations (vᵀCv = Σ ω ((x − μ)ᵀv)² ≤ |v|ᵀ(Σ ω |x − μ||x − μ|ᵀ)|v|,
     * a matrix with no negative entry), the uncentred bound of {@link #of} (C ≼ Σ ω x̃x̃ᵀ), and tr C: slower steps
     * than the certified λ_max(C), still safe.
     */
    public static CurvatureBound centered(Dataset data, double[] exampleWeights, double lambda) {
        return centered(data, exampleWeights, lambda, DENSE_WORK);
    }

    /** As {@link #centered(Dataset, double[], double)}, forming C only up to {@code denseWork} (tests: 0, never). */
    static CurvatureBound centered(Dataset data, double[] exampleWeights, double lambda, double denseWork) {
        int numFeatures = data.numFeatures();
        double total = 0;
        for (int n = 0; n < data.numExamples(); n++) {
            total += weight(exampleWeights, n);
        }
        double[] means = Centering.of(data, exampleWeights).means();
        double biasLipschitz = 0.5 * total;
        double work = (double) data.numExamples() * numFeatures * numFeatures;
        if (data instanceof BinaryDataset binary) {
            // Binary rows add one entry per pair of set bits.
            work = 0;
            Rows rows = Rows.of(data);
            for (int n = 0; n < data.numExamples(); n++) {
                double bits = rows.squaredNorm(n);
                work += bits * bits;
            }
        }
        if (numFeatures <= DENSE_FEATURES && work <= denseWork) {
            double[][] covariance = covariance(data, exampleWeights, means, total);
            double trace = 0;
            for (int j = 0; j < numFeatures; j++) {
                trace += covariance[j][j];
            }
            double[] certified = certifiedMaxEigenvalue(covariance);
            return new CurvatureBound(0.5 * certified[0] + lambda, certified[0], trace, (int) certified[1],
                    biasLipschitz, "certified by Cholesky");
        }
        CurvatureBound uncentred = of(data, exampleWeights, lambda);
        double trace = 0;
        Rows rows = Rows.of(data);
        double meanNorm = 0;
        for (double m : means) {
            meanNorm += m * m;
        }
        for (int n = 0; n < data.numExamples(); n++) {
            trace += weight(exampleWeights, n) * rows.squaredNorm(n);
        }
        trace = Math.max(0, trace - total * meanNorm);
        double[] centredAbs = collatzWielandt(numFeatures, data.numExamples(), exampleWeights,
                Rows.centredAbs(data, means));
        double upper = Math.min(Math.min(uncentred.maxEigenvalue(), centredAbs[0]), trace);
        return new CurvatureBound(0.5 * upper + lambda, upper, trace, uncentred.passes() + (int) centredAbs[1],
                biasLipschitz, "power iterations on |X - mu| and |X|, or tr C");
    }

    /** C = Σ ω x xᵀ − Ω μμᵀ in double, D×D. */
    private static double[][] covariance(Dataset data, double[] exampleWeights, double[] means, double total) {
        int numFeatures = data.numFeatures();
        double[][] c = new double[numFeatures][numFeatures];
        int[] on = new int[numFeatures];
        for (int n = 0; n < data.numExamples(); n++) {
            double omega = weight(exampleWeights, n);
            if (omega == 0) {
                continue;
            }
            if (data instanceof BinaryDataset binary) {
                long[] words = binary.words();
                int wordsPerRow = binary.wordsPerRow();
                int count = 0;
                for (int w = 0; w < wordsPerRow; w++) {
                    long bits = words[n * wordsPerRow + w];
                    while (bits != 0) {
                        on[count++] = w * 64 + Long.numberOfTrailingZeros(bits);
                        bits &= bits - 1;
                    }
                }
                for (int a = 0; a < count; a++) {
                    double[] row = c[on[a]];
                    for (int b = 0; b <= a; b++) {
                        row[on[b]] += omega;
                    }
                }
            } else {
                float[] values = ((DenseDataset) data).values();
                int base = n * numFeatures;
                for (int i = 0; i < numFeatures; i++) {
                    double xi = omega * values[base + i];
                    if (xi == 0) {
                        continue;
                    }
                    double[] row = c[i];
                    for (int j = 0; j <= i; j++) {
                        row[j] += xi * values[base + j];
                    }
                }
            }
        }
        // Binary rows filled the lower triangle in index order of the set bits, which is ascending: on[b] <= on[a].
        for (int i = 0; i < numFeatures; i++) {
            for (int j = 0; j <= i; j++) {
                double value = c[i][j] - total * means[i] * means[j];
                c[i][j] = value;
                c[j][i] = value;
            }
        }
        return c;
    }

    /**
     * {t, power iterations}: t &gt; λ_max(c) proved by the Cholesky factorisation of t·I − c (symmetric, positive
     * semi-definite c), t first the power iteration's estimate raised by 10⁻⁶, then by a growing margin.
     */
    static double[] certifiedMaxEigenvalue(double[][] c) {
        int size = c.length;
        double trace = 0;
        for (int i = 0; i < size; i++) {
            trace += c[i][i];
        }
        if (size == 0 || !(trace > 0)) {
            return new double[] {0, 0};
        }
        double[] v = new double[size];
        double[] w = new double[size];
        // A start with no symmetry the data could share: 1 + i/size.
        for (int i = 0; i < size; i++) {
            v[i] = 1 + (double) i / size;
        }
        double estimate = 0;
        int iterations = 0;
        while (iterations < 1000) {
            iterations++;
            double norm = 0;
            for (int i = 0; i < size; i++) {
                double sum = 0;
                double[] row = c[i];
                for (int j = 0; j < size; j++) {
                    sum += row[j] * v[j];
                }
                w[i] = sum;
            }
            double numerator = 0;
            double denominator = 0;
            for (int i = 0; i < size; i++) {
                numerator += v[i] * w[i];
                denominator += v[i] * v[i];
                norm += w[i] * w[i];
            }
            double next = numerator / denominator;
            norm = Math.sqrt(norm);
            if (norm == 0) {
                break;
            }
            for (int i = 0; i < size; i++) {
                v[i] = w[i] / norm;
            }
            boolean settled = Math.abs(next - estimate) <= 1e-10 * next;
            estimate = next;
            if (settled) {
                break;
            }
        }
        double margin = 1e-6;
        for (int attempt = 0; attempt < 40; attempt++) {
            double t = Math.max(estimate, 1e-300) * (1 + margin) + 1e-12 * trace;
            if (t >= trace || positiveDefiniteShifted(c, t)) {
                return new double[] {Math.min(t, trace), iterations};
            }
            margin *= 4;
        }
        return new double[] {trace, iterations};
    }

    /** Whether t·I − c is positive definite: every pivot of its Cholesky factorisation &gt; 0. */
    private static boolean positiveDefiniteShifted(double[][] c, double t) {
        int size = c.length;
        double[][] l = new double[size][];
        for (int i = 0; i < size; i++) {
            l[i] = new double[i + 1];
            for (int j = 0; j <= i; j++) {
                double sum = (i == j ? t : 0) - c[i][j];
                double[] li = l[i];
                double[] lj = l[j];
                for (int k = 0; k < j; k++) {
                    sum -= li[k] * lj[k];
                }
                if (i == j) {
                    if (!(sum > 0)) {
                        return false;
                    }
                    li[i] = Math.sqrt(sum);
                } else {
                    li[j] = sum / lj[j];
                }
            }
        }
        return true;
    }

    /**
     * The bound for {@code data} weighted by {@code exampleWeights} (null: all 1) and the penalty λ (with penalty
     * factors, the penalty's largest curvature λ·max f2_j, which the trainer passes here and to {@link #centered}).
     */
    public static CurvatureBound of(Dataset data, double[] exampleWeights, double lambda) {
        int numFeatures = data.numFeatures();
        int size = numFeatures + 1;
        Rows rows = Rows.of(data);
        double trace = 0;
        for (int n = 0; n < data.numExamples(); n++) {
            trace += weight(exampleWeights, n) * (rows.squaredNorm(n) + 1.0);
        }
        double[] upperAndPasses = collatzWielandt(size, data.numExamples(), exampleWeights, rows);
        double upper = upperAndPasses[0];
        int passes = (int) upperAndPasses[1];
        upper = Math.min(upper, trace);
        return new CurvatureBound(0.5 * upper + lambda, upper, trace, passes);
    }

    /**
     * {upper bound on λ_max(M), passes} for M = Σ ω_n |r_n| |r_n|ᵀ (size × size, no negative entry) given by
     * {@code rows}: power iterations from the all-ones vector, each giving the Collatz–Wielandt quotient
     * max_i (Mv)_i / v_i ≥ λ_max(M), until it is within {@link #RELATIVE_GAP} of the Rayleigh quotient or
     * {@link #MAX_POWER_ITERATIONS} passes.
     */
    private static double[] collatzWielandt(int size, int numExamples, double[] exampleWeights, Rows rows) {
        double[] v = new double[size];
        java.util.Arrays.fill(v, 1.0);
        double[] w = new double[size];
        double upper = Double.POSITIVE_INFINITY;
        int passes = 0;
        while (passes < MAX_POWER_ITERATIONS) {
            multiply(rows, numExamples, exampleWeights, v, w);
            passes++;
            double quotient = 0;
            double rayleighNumerator = 0;
            double rayleighDenominator = 0;
            for (int i = 0; i < size; i++) {
                // v_i = 0 only where column i of M is all zero, so that (Mv)_i = 0 too.
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
        return new double[] {upper, passes};
    }

    private static double weight(double[] exampleWeights, int n) {
        return exampleWeights == null ? 1.0 : exampleWeights[n];
    }

    /** w = M v = Σ ω_n |r_n| (|r_n|ᵀ v), r_n the rows of {@code rows}. */
    private static void multiply(Rows rows, int numExamples, double[] exampleWeights, double[] v, double[] w) {
        java.util.Arrays.fill(w, 0.0);
        rows.startPass(v);
        for (int n = 0; n < numExamples; n++) {
            double omega = weight(exampleWeights, n);
            if (omega == 0) {
                continue;
            }
            double dot = rows.absDot(n, v);
            rows.addAbs(n, omega * dot, w);
        }
        rows.endPass(w);
    }

    /**
     * |x̃_n| access for the two representations (the last entry of x̃ is the bias's 1), or |x_n − μ| ({@link
     * #centredAbs}). A pass of {@link #multiply} is framed by {@link #startPass} and {@link #endPass}, where a sparse
     * row's dense part is added once per pass instead of once per row.
     */
    private interface Rows {
        double absDot(int n, double[] v);

        void addAbs(int n, double scale, double[] w);

        double squaredNorm(int n);

        default void startPass(double[] v) {
        }

        default void endPass(double[] w) {
        }

        /**
         * |x_n − μ| (D entries, no bias entry): dense rows directly; binary rows, where 0 ≤ μ_j ≤ 1, as
         * μ_j + [x_nj = 1]·(1 − 2μ_j), so a row costs its set bits and the pass one dense term.
         */
        static Rows centredAbs(Dataset data, double[] means) {
            int numFeatures = data.numFeatures();
            if (data instanceof DenseDataset dense) {
                float[] values = dense.values();
                return new Rows() {
                    public double absDot(int n, double[] v) {
                        double sum = 0;
                        int base = n * numFeatures;
                        for (int j = 0; j < numFeatures; j++) {
                            sum += Math.abs(values[base + j] - means[j]) * v[j];
                        }
                        return sum;
                    }

                    public void addAbs(int n, double scale, double[] w) {
                        int base = n * numFeatures;
                        for (int j = 0; j < numFeatures; j++) {
                            w[j] += scale * Math.abs(values[base + j] - means[j]);
                        }
                    }

                    public double squaredNorm(int n) {
                        throw new UnsupportedOperationException("not needed");
                    }
                };
            }
            BinaryDataset binary = (BinaryDataset) data;
            long[] words = binary.words();
            int wordsPerRow = binary.wordsPerRow();
            return new Rows() {
                /** Σ_j μ_j v_j of this pass, and Σ of the scales added. */
                private double meanDot;
                private double scales;

                public void startPass(double[] v) {
                    meanDot = 0;
                    for (int j = 0; j < numFeatures; j++) {
                        meanDot += means[j] * v[j];
                    }
                    scales = 0;
                }

                public double absDot(int n, double[] v) {
                    double sum = meanDot;
                    for (int i = 0; i < wordsPerRow; i++) {
                        long bits = words[n * wordsPerRow + i];
                        while (bits != 0) {
                            int j = i * 64 + Long.numberOfTrailingZeros(bits);
                            sum += (1 - 2 * means[j]) * v[j];
                            bits &= bits - 1;
                        }
                    }
                    return sum;
                }

                public void addAbs(int n, double scale, double[] w) {
                    scales += scale;
                    for (int i = 0; i < wordsPerRow; i++) {
                        long bits = words[n * wordsPerRow + i];
                        while (bits != 0) {
                            int j = i * 64 + Long.numberOfTrailingZeros(bits);
                            w[j] += scale * (1 - 2 * means[j]);
                            bits &= bits - 1;
                        }
                    }
                }

                public void endPass(double[] w) {
                    for (int j = 0; j < numFeatures; j++) {
                        w[j] += scales * means[j];
                    }
                }

                public double squaredNorm(int n) {
                    throw new UnsupportedOperationException("not needed");
                }
            };
        }

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
