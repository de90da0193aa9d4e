package org.softmax4j.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a model gets right and wrong on labelled data, from its class probabilities: the confusion matrix (rows the
 * true class, columns the predicted one, the arg-max with ties to the first class), per-class precision, recall, F1
 * and support, the most confused pairs with their examples, the log-likelihood, and a reliability diagram of the
 * confidence (the highest probability) against the accuracy in equal-width bins.
 */
public final class Classification {
    /** One bin of the reliability diagram: examples whose confidence falls in [from, to). */
    public record Bin(double from, double to, int count, double meanConfidence, double accuracy) {
    }

    /** A true class predicted as another, how often, and the examples (indices into the data) in data order. */
    public record Confusion(int trueClass, int predictedClass, int count, List<Integer> examples) {
    }

    private final int numClasses;
    private final int numExamples;
    private final int[] labels;
    private final int[] predicted;
    private final float[] probabilities;
    private final long[][] matrix;
    private final double logLikelihood;

    /**
     * @param labels        the true class of each of the N examples, in [0, K)
     * @param probabilities N×K, row-major, as {@code Evaluator.probabilities} gives them
     */
    public Classification(int numClasses, int[] labels, float[] probabilities) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses is " + numClasses + ", expected at least 1");
        }
        if ((long) labels.length * numClasses != probabilities.length) {
            throw new IllegalArgumentException("probabilities has " + probabilities.length + " values, expected "
                    + labels.length + " x " + numClasses);
        }
        this.numClasses = numClasses;
        this.numExamples = labels.length;
        this.labels = labels.clone();
        this.probabilities = probabilities.clone();
        this.predicted = new int[numExamples];
        this.matrix = new long[numClasses][numClasses];
        double sum = 0;
        for (int n = 0; n < numExamples; n++) {
            if (labels[n] < 0 || labels[n] >= numClasses) {
                throw new IllegalArgumentException("label " + n + " is " + labels[n] + ", expected 0 to "
                        + (numClasses - 1));
            }
            int best = 0;
            for (int k = 1; k < numClasses; k++) {
                if (probabilities[n * numClasses + k] > probabilities[n * numClasses + best]) {
                    best = k;
                }
            }
            predicted[n] = best;
            matrix[labels[n]][best]++;
            sum += Math.log(Math.max(probabilities[n * numClasses + labels[n]], Float.MIN_VALUE));
        }
        this.logLikelihood = sum;
    }

    public int numExamples() {
        return numExamples;
    }

    public int numClasses() {
        return numClasses;
    }

    public long count(int trueClass, int predictedClass) {
        return matrix[trueClass][predictedClass];
    }

    public int predicted(int example) {
        return predicted[example];
    }

    public int label(int example) {
        return labels[example];
    }

    public float probability(int example, int k) {
        return probabilities[example * numClasses + k];
    }

    public double accuracy() {
        long correct = 0;
        for (int k = 0; k < numClasses; k++) {
            correct += matrix[k][k];
        }
        return numExamples == 0 ? Double.NaN : (double) correct / numExamples;
    }

    /** Σ_n ln p_{n, y_n} (probabilities below the least float count as that float). */
    public double logLikelihood() {
        return logLikelihood;
    }

    public long support(int k) {
        long total = 0;
        for (int i = 0; i < numClasses; i++) {
            total += matrix[k][i];
        }
        return total;
    }

    public long predictedCount(int k) {
        long total = 0;
        for (int i = 0; i < numClasses; i++) {
            total += matrix[i][k];
        }
        return total;
    }

    /** NaN when class k is never predicted. */
    public double precision(int k) {
        long p = predictedCount(k);
        return p == 0 ? Double.NaN : (double) matrix[k][k] / p;
    }

    /** NaN when class k has no example. */
    public double recall(int k) {
        long s = support(k);
        return s == 0 ? Double.NaN : (double) matrix[k][k] / s;
    }

    /** The harmonic mean of precision and recall; 0 when either is 0 or undefined (as scikit-learn reports it). */
    public double f1(int k) {
        double p = precision(k);
        double r = recall(k);
        if (Double.isNaN(p) || Double.isNaN(r) || p + r == 0) {
            return 0;
        }
        return 2 * p * r / (p + r);
    }

    /** The off-diagonal cells with a count, most frequent first (ties by true, then predicted class), at most max. */
    public List<Confusion> mostConfused(int max) {
        List<Confusion> all = new ArrayList<>();
        for (int a = 0; a < numClasses; a++) {
            for (int b = 0; b < numClasses; b++) {
                if (a != b && matrix[a][b] > 0) {
                    List<Integer> examples = new ArrayList<>();
                    for (int n = 0; n < numExamples; n++) {
                        if (labels[n] == a && predicted[n] == b) {
                            examples.add(n);
                        }
                    }
                    all.add(new Confusion(a, b, (int) matrix[a][b], List.copyOf(examples)));
                }
            }
        }
        all.sort(Comparator.comparingInt(Confusion::count).reversed()
                .thenComparingInt(Confusion::trueClass).thenComparingInt(Confusion::predictedClass));
        return List.copyOf(all.subList(0, Math.min(max, all.size())));
    }

    /** The reliability diagram's bins over [0, 1] (the last one closed); empty bins have NaN means. */
    public List<Bin> reliability(int numBins) {
        int[] count = new int[numBins];
        double[] confidence = new double[numBins];
        int[] correct = new int[numBins];
        for (int n = 0; n < numExamples; n++) {
            double c = probabilities[n * numClasses + predicted[n]];
            int bin = Math.min(numBins - 1, (int) Math.floor(c * numBins));
            count[bin]++;
            confidence[bin] += c;
            if (predicted[n] == labels[n]) {
                correct[bin]++;
            }
        }
        List<Bin> bins = new ArrayList<>();
        for (int b = 0; b < numBins; b++) {
            bins.add(new Bin((double) b / numBins, (double) (b + 1) / numBins, count[b],
                    count[b] == 0 ? Double.NaN : confidence[b] / count[b],
                    count[b] == 0 ? Double.NaN : (double) correct[b] / count[b]));
        }
        return bins;
    }

    /** The expected calibration error: Σ_bins (count / N) · |accuracy − mean confidence|. */
    public double expectedCalibrationError(int numBins) {
        double sum = 0;
        for (Bin bin : reliability(numBins)) {
            if (bin.count() > 0) {
                sum += (double) bin.count() / numExamples * Math.abs(bin.accuracy() - bin.meanConfidence());
            }
        }
        return sum;
    }
}
