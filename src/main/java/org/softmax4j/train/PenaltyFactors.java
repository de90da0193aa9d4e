package org.softmax4j.train;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Per-feature penalty factors (glmnet's {@code penalty.factor}): with them the objective is
 * <pre>
 *   F(W, b) = L(W, b) − λ·Σ_k Σ_j (α·f1_j·|w_kj| + (1 − α)/2·f2_j·w_kj²)        (the bias never penalised)
 * </pre>
 * f2 the L2 factors, f1 the L1 factors, one of each per feature, finite and ≥ 0. {@link #none()} (every factor 1) is
 * the plain penalty, bit for bit. A factor 0 leaves that feature's weights unpenalised (by L2, L1 or both).
 * <p>
 * Spark's {@code standardization = true} penalises the weights of standardised features x_j/σ_j; in the original
 * coordinates (w_j = w̃_j/σ_j) that is {@code of(σ², σ)}: f2_j = σ_j², f1_j = σ_j, and the data need no rescaling.
 * Immutable.
 */
public final class PenaltyFactors {
    private static final PenaltyFactors NONE = new PenaltyFactors(null, null);
    /** Up to this many features, {@link #record} lists every factor; above, a summary and a hash. */
    static final int LISTED_FEATURES = 64;

    /** null for {@link #none()}. */
    private final double[] l2;
    private final double[] l1;

    private PenaltyFactors(double[] l2, double[] l1) {
        this.l2 = l2;
        this.l1 = l1;
    }

    /** Every factor 1: the plain penalty, for any number of features. */
    public static PenaltyFactors none() {
        return NONE;
    }

    /**
     * One factor per feature for both parts of the penalty (glmnet's {@code penalty.factor}): f1 = f2 = factors.
     *
     * @throws IllegalArgumentException naming the first factor that is not a finite number ≥ 0
     */
    public static PenaltyFactors same(double[] factors) {
        double[] copy = checked(factors, "penalty factor");
        return new PenaltyFactors(copy, copy);
    }

    /**
     * The L2 factors f2 and the L1 factors f1, one of each per feature.
     *
     * @throws IllegalArgumentException when the lengths differ, or naming the first factor that is not a finite
     *                                  number ≥ 0
     */
    public static PenaltyFactors of(double[] l2Factors, double[] l1Factors) {
        double[] l2 = checked(l2Factors, "L2 penalty factor");
        double[] l1 = checked(l1Factors, "L1 penalty factor");
        if (l2.length != l1.length) {
            throw new IllegalArgumentException("there are " + l2.length + " L2 penalty factors and " + l1.length
                    + " L1 penalty factors, expected one of each per feature");
        }
        return new PenaltyFactors(l2, l1);
    }

    private static double[] checked(double[] factors, String what) {
        Objects.requireNonNull(factors, what + "s");
        for (int j = 0; j < factors.length; j++) {
            if (!(factors[j] >= 0) || Double.isInfinite(factors[j])) {
                throw new IllegalArgumentException(what + " of feature " + j + " is " + factors[j]
                        + ", expected a finite number >= 0");
            }
        }
        return factors.clone();
    }

    /** Whether these are {@link #none()}: no factors given. */
    public boolean isNone() {
        return l2 == null;
    }

    /** Whether every factor is 1 ({@link #none()}, or factors that are all 1): the plain penalty. */
    public boolean isUniform() {
        return isNone() || (allEqual(l2, 1) && allEqual(l1, 1));
    }

    private static boolean allEqual(double[] values, double value) {
        for (double v : values) {
            if (v != value) {
                return false;
            }
        }
        return true;
    }

    /** How many features the factors are for; 0 for {@link #none()}, which fits any number. */
    public int numFeatures() {
        return isNone() ? 0 : l2.length;
    }

    /** Whether f1 and f2 are the same vector ({@link #same}, or {@link #of} with equal arrays). */
    public boolean sameForBoth() {
        return isNone() || Arrays.equals(l2, l1);
    }

    /**
     * @throws IllegalArgumentException unless the factors are {@link #none()} or one per feature of
     *                                  {@code numFeatures}
     */
    public void checkFeatures(int numFeatures) {
        if (!isNone() && l2.length != numFeatures) {
            throw new IllegalArgumentException("there are " + l2.length + " penalty factors, expected "
                    + numFeatures + " (one per feature)");
        }
    }

    /** f2 for {@code numFeatures} features (every entry 1 for {@link #none()}); a copy. */
    public double[] l2Factors(int numFeatures) {
        return expand(l2, numFeatures);
    }

    /** f1 for {@code numFeatures} features (every entry 1 for {@link #none()}); a copy. */
    public double[] l1Factors(int numFeatures) {
        return expand(l1, numFeatures);
    }

    private double[] expand(double[] factors, int numFeatures) {
        checkFeatures(numFeatures);
        if (factors == null) {
            double[] ones = new double[numFeatures];
            Arrays.fill(ones, 1.0);
            return ones;
        }
        return factors.clone();
    }

    /** max_j f2_j (1 for {@link #none()}): the penalty's curvature is at most λ·(1 − α) times this. */
    public double maxL2() {
        return isNone() ? 1 : max(l2);
    }

    /** Whether every f2_j is above 0: F is then strongly concave in W for λ(1 − α) &gt; 0 (see {@link DualityGap}). */
    public boolean allL2Positive() {
        if (isNone()) {
            return true;
        }
        for (double f : l2) {
            if (!(f > 0)) {
                return false;
            }
        }
        return true;
    }

    private static double max(double[] values) {
        double max = 0;
        for (double v : values) {
            max = Math.max(max, v);
        }
        return max;
    }

    private static double min(double[] values) {
        double min = Double.POSITIVE_INFINITY;
        for (double v : values) {
            min = Math.min(min, v);
        }
        return values.length == 0 ? 0 : min;
    }

    /**
     * One line for people and for the model file: every factor for up to {@value #LISTED_FEATURES} features
     * ({@code "l2=[1.0, 0.0] l1=[1.0, 0.0]"}, or {@code "[1.0, 0.0]"} when f1 = f2), else their ranges, the count
     * of features unpenalised and the first 16 hex digits of a SHA-256 of the values ({@link #hash()}); "none" for
     * {@link #none()}.
     */
    public String summary() {
        if (isNone()) {
            return "none";
        }
        if (l2.length <= LISTED_FEATURES) {
            return sameForBoth() ? Arrays.toString(l2)
                    : "l2=" + Arrays.toString(l2) + " l1=" + Arrays.toString(l1);
        }
        int unpenalised = 0;
        for (int j = 0; j < l2.length; j++) {
            if (l2[j] == 0 && l1[j] == 0) {
                unpenalised++;
            }
        }
        return String.format(Locale.ROOT, "%d features, l2 in [%s, %s], l1 in [%s, %s]%s, %d unpenalised, "
                        + "sha256 %s", l2.length, brief(min(l2)), brief(max(l2)), brief(min(l1)), brief(max(l1)),
                sameForBoth() ? " (the same)" : "", unpenalised, hash());
    }

    /** Six significant digits, trailing zeros dropped: 0, 1.93517, 1.2E+4. */
    private static String brief(double value) {
        return new java.math.BigDecimal(value).round(new java.math.MathContext(6)).stripTrailingZeros().toString();
    }

    /**
     * The first 16 hex digits of the SHA-256 of the factors' IEEE 754 bits (f2 then f1, big-endian): equal factors
     * give equal hashes. Empty for {@link #none()}.
     */
    public String hash() {
        if (isNone()) {
            return "";
        }
        ByteBuffer bytes = ByteBuffer.allocate(16 * l2.length);
        for (double f : l2) {
            bytes.putDouble(f);
        }
        for (double f : l1) {
            bytes.putDouble(f);
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes.array());
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /** Adds {@code penalty_factors} ({@link #summary()}) to a training record, unless these are {@link #none()}. */
    public void record(Map<String, String> options) {
        if (!isNone()) {
            options.put("penalty_factors", summary());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PenaltyFactors p && Arrays.equals(p.l2, l2) && Arrays.equals(p.l1, l1);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(l2) + Arrays.hashCode(l1);
    }

    @Override
    public String toString() {
        return "PenaltyFactors[" + summary() + "]";
    }
}
