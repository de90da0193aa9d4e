package org.softmax4j.engine;

/**
 * Caller-owned output of one evaluation over a set of examples: the log-likelihood L = Σ_n ln p_{n,y_n} (Σ_n ω_n ln
 * p_{n,y_n} when the evaluator was bound with example weights ω), its gradient
 * ∂L/∂W (K×D, row-major) and ∂L/∂b (K), and how many examples the arg-max of the logits classifies correctly.
 * Allocated once per training run and overwritten by every evaluation.
 */
public final class Evaluation {
    private final int numClasses;
    private final int numFeatures;
    private final double[] gradWeights;
    private final double[] gradBias;
    private double logLikelihood;
    private long numCorrect;
    private long numExamples;

    public Evaluation(int numClasses, int numFeatures) {
        this.numClasses = numClasses;
        this.numFeatures = numFeatures;
        this.gradWeights = new double[Math.multiplyExact(numClasses, numFeatures)];
        this.gradBias = new double[numClasses];
    }

    public int numClasses() {
        return numClasses;
    }

    public int numFeatures() {
        return numFeatures;
    }

    /** ∂L/∂W, K×D row-major, live. */
    public double[] gradWeights() {
        return gradWeights;
    }

    /** ∂L/∂b, live. */
    public double[] gradBias() {
        return gradBias;
    }

    public double logLikelihood() {
        return logLikelihood;
    }

    public long numCorrect() {
        return numCorrect;
    }

    public long numExamples() {
        return numExamples;
    }

    public double accuracy() {
        return numExamples == 0 ? Double.NaN : (double) numCorrect / numExamples;
    }

    /** Called by engines once the gradient arrays are filled. */
    public void set(double logLikelihood, long numCorrect, long numExamples) {
        this.logLikelihood = logLikelihood;
        this.numCorrect = numCorrect;
        this.numExamples = numExamples;
    }

    public void checkShape(int expectedClasses, int expectedFeatures) {
        if (numClasses != expectedClasses || numFeatures != expectedFeatures) {
            throw new IllegalArgumentException("evaluation is " + numClasses + "x" + numFeatures + ", expected "
                    + expectedClasses + "x" + expectedFeatures);
        }
    }
}
