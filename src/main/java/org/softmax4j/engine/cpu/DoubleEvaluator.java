package org.softmax4j.engine.cpu;

import java.util.Arrays;

import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Engine;

/**
 * The (weighted) log-likelihood and its gradient computed entirely in double, fast enough to train with: bit-packed
 * rows through lookup tables of double column sums, as in {@link BinaryEvaluator}, dense rows by dot products in
 * double. One thread, a fixed order, no allocation per call. The quasi-Newton solvers use it for their last
 * iterations ("polish"): the float32 engines carry a relative rounding of about 1e-7 in every residual, which puts a
 * floor under the gradient they can measure (see the README, "Precision"), and a solver cannot drive a gradient below
 * what it can measure.
 *
 * <p>Parameters are one vector θ = [W (K×D, row-major), b (K)], in double, so that the optimum is not rounded to float
 * either.
 */
public final class DoubleEvaluator {
    private final Dataset data;
    private final int numClasses;
    private final int numFeatures;
    private final int numExamples;
    private final double[] exampleWeights;
    private final int[] labels;
    // Binary rows
    private final long[] words;
    private final int wordsPerRow;
    private final int numBytes;
    private final double[] table;
    private final double[] accumulator;
    // Dense rows
    private final float[] values;
    private final double[] logits;
    private long numCorrect;

    /** @param exampleWeights ω_n per example (copied), or null for all 1 */
    public DoubleEvaluator(Dataset data, double[] exampleWeights) {
        Engine.checkExampleWeights(data, exampleWeights);
        this.data = data;
        this.numClasses = data.numClasses();
        this.numFeatures = data.numFeatures();
        this.numExamples = data.numExamples();
        this.exampleWeights = exampleWeights == null ? null : exampleWeights.clone();
        this.logits = new double[numClasses];
        if (data instanceof BinaryDataset binary) {
            this.labels = binary.labels();
            this.words = binary.words();
            this.wordsPerRow = binary.wordsPerRow();
            this.numBytes = (numFeatures + 7) >>> 3;
            this.table = new double[numBytes * 256 * numClasses];
            this.accumulator = new double[numBytes * 256 * numClasses];
            this.values = null;
        } else {
            DenseDataset dense = (DenseDataset) data;
            this.labels = dense.labels();
            this.values = dense.values();
            this.words = null;
            this.wordsPerRow = 0;
            this.numBytes = 0;
            this.table = null;
            this.accumulator = null;
        }
    }

    public Dataset data() {
        return data;
    }

    /** K·D + K: the length of θ and of the gradient. */
    public int dimension() {
        return numClasses * numFeatures + numClasses;
    }

    /** How many examples the arg-max of the logits classified correctly in the last {@link #evaluate}. */
    public long numCorrect() {
        return numCorrect;
    }

    /** L(θ) = Σ_n ω_n ln p_{n,y_n}; ∂L/∂θ into {@code gradient} (same layout as θ). */
    public double evaluate(double[] point, double[] gradient) {
        int dimension = dimension();
        if (point.length != dimension || gradient.length != dimension) {
            throw new IllegalArgumentException("point has " + point.length + " and gradient " + gradient.length
                    + " values, expected " + numClasses + "x" + numFeatures + " + " + numClasses + " = " + dimension);
        }
        Arrays.fill(gradient, 0.0);
        return words != null ? evaluateBinary(point, gradient) : evaluateDense(point, gradient);
    }

    /**
     * Turns logits into residuals ω(y − p) in place and returns ω ln p_label; counts a correct arg-max. As in the
     * float engines, 1 − p_label is computed as Σ_{k≠label} p_k so that no digits cancel.
     */
    private double residuals(double[] z, int label, double weight) {
        int best = 0;
        double max = z[0];
        for (int k = 1; k < numClasses; k++) {
            if (z[k] > max) {
                max = z[k];
                best = k;
            }
        }
        if (best == label) {
            numCorrect++;
        }
        double labelLogit = z[label] - max;
        double others = 0;
        double labelExp = 0;
        for (int k = 0; k < numClasses; k++) {
            double e = Math.exp(z[k] - max);
            z[k] = e;
            if (k != label) {
                others += e;
            } else {
                labelExp = e;
            }
        }
        double sum = others + labelExp;
        double scale = -weight / sum;
        for (int k = 0; k < numClasses; k++) {
            z[k] *= scale;
        }
        z[label] = weight * others / sum;
        return weight * (labelLogit - Math.log(sum));
    }

    private double evaluateBinary(double[] point, double[] gradient) {
        int classes = numClasses;
        int biasOffset = classes * numFeatures;
        for (int i = 0; i < numBytes; i++) {
            int base = i * 256 * classes;
            for (int k = 0; k < classes; k++) {
                table[base + k] = 0;
            }
            for (int v = 1; v < 256; v++) {
                int feature = 8 * i + Integer.numberOfTrailingZeros(v);
                int row = base + v * classes;
                int previous = base + (v & (v - 1)) * classes;
                for (int k = 0; k < classes; k++) {
                    double w = feature < numFeatures ? point[k * numFeatures + feature] : 0;
                    table[row + k] = table[previous + k] + w;
                }
            }
        }
        Arrays.fill(accumulator, 0.0);
        double[] z = logits;
        double logLikelihood = 0;
        numCorrect = 0;
        for (int n = 0; n < numExamples; n++) {
            System.arraycopy(point, biasOffset, z, 0, classes);
            int offset = n * wordsPerRow;
            for (int i = 0; i < numBytes; i++) {
                int v = (int) (words[offset + (i >>> 3)] >>> ((i & 7) << 3)) & 0xFF;
                int base = (i * 256 + v) * classes;
                for (int k = 0; k < classes; k++) {
                    z[k] += table[base + k];
                }
            }
            logLikelihood += residuals(z, labels[n], exampleWeights == null ? 1.0 : exampleWeights[n]);
            for (int k = 0; k < classes; k++) {
                gradient[biasOffset + k] += z[k];
            }
            for (int i = 0; i < numBytes; i++) {
                int v = (int) (words[offset + (i >>> 3)] >>> ((i & 7) << 3)) & 0xFF;
                int base = (i * 256 + v) * classes;
                for (int k = 0; k < classes; k++) {
                    accumulator[base + k] += z[k];
                }
            }
        }
        for (int i = 0; i < numBytes; i++) {
            for (int v = 1; v < 256; v++) {
                int base = (i * 256 + v) * classes;
                for (int bits = v; bits != 0; bits &= bits - 1) {
                    int feature = 8 * i + Integer.numberOfTrailingZeros(bits);
                    if (feature >= numFeatures) {
                        break;
                    }
                    for (int k = 0; k < classes; k++) {
                        gradient[k * numFeatures + feature] += accumulator[base + k];
                    }
                }
            }
        }
        return logLikelihood;
    }

    private double evaluateDense(double[] point, double[] gradient) {
        int classes = numClasses;
        int d = numFeatures;
        int biasOffset = classes * d;
        double[] z = logits;
        double logLikelihood = 0;
        numCorrect = 0;
        for (int n = 0; n < numExamples; n++) {
            int x = n * d;
            for (int k = 0; k < classes; k++) {
                int w = k * d;
                double s = point[biasOffset + k];
                for (int j = 0; j < d; j++) {
                    s += point[w + j] * values[x + j];
                }
                z[k] = s;
            }
            logLikelihood += residuals(z, labels[n], exampleWeights == null ? 1.0 : exampleWeights[n]);
            for (int k = 0; k < classes; k++) {
                double r = z[k];
                gradient[biasOffset + k] += r;
                if (r == 0) {
                    continue;
                }
                int g = k * d;
                for (int j = 0; j < d; j++) {
                    gradient[g + j] += r * values[x + j];
                }
            }
        }
        return logLikelihood;
    }
}
