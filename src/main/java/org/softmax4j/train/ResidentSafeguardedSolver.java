package org.softmax4j.train;

import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.ResidentSafeguardedAscent;

/**
 * {@link SafeguardedAscent} with its vectors in the engine (the CUDA engine: y, x_k and the best point on the device
 * for the whole run): the same steps and the same decisions ({@link AscentSchedule}), made from the per-class sums the
 * engine hands back after each evaluation ({@link ResidentSafeguardedAscent.Session#sums()}: F, the gradient's size,
 * the accuracy, the duality gap's sums and the restart test's slope). Every iteration is recorded, as on the host; the
 * parameters come back only when the loop asks for them ({@link #parameters()}, {@link #best()}), never per step.
 */
final class ResidentSafeguardedSolver implements Solver, AutoCloseable {
    private static final int ROW = ResidentSafeguardedAscent.ROW;

    private final ResidentSafeguardedAscent.Session session;
    private final AscentSchedule schedule;
    private final DualityGap dualityGap;
    private final double lambda;
    private final int numExamples;
    private final int numClasses;
    private final int numFeatures;
    private double value;
    private double logLikelihood;
    private double gradientNorm;
    private double gradientMaxAbs;
    private double accuracy;
    private double optimalityGap;
    private double slope;
    private boolean finite;

    /**
     * @param means      μ of the centred steps, or null
     * @param dualityGap the certificate (λ &gt; 0), or null
     */
    ResidentSafeguardedSolver(ResidentSafeguardedAscent resident, PenalizedLogLikelihood objective, Parameters start,
                              double learningRate, boolean accelerated, double[] means, double biasRatio,
                              DualityGap dualityGap) {
        this.schedule = new AscentSchedule(learningRate, accelerated);
        this.dualityGap = dualityGap;
        this.lambda = objective.lambda();
        this.numExamples = objective.numExamples();
        this.numClasses = start.numClasses();
        this.numFeatures = start.numFeatures();
        ResidentSafeguardedAscent.Geometry geometry = dualityGap != null ? dualityGap.geometry(means, biasRatio)
                : new ResidentSafeguardedAscent.Geometry(lambda, !objective.noBias(), means, biasRatio, null, null,
                null, 0);
        this.session = resident.startSafeguardedAscent(start, geometry, schedule.step(numExamples));
    }

    @Override
    public int numExamples() {
        return numExamples;
    }

    @Override
    public void start() {
        read();
        schedule.start(value);
    }

    @Override
    public String iterate() {
        double step = schedule.step(numExamples);
        session.step(step, schedule.momentum(slope));
        read();
        switch (schedule.judge(value)) {
            case BETTER -> session.keepBest();
            case HELD -> { }
            case FELL -> {
                session.restoreBest(schedule.step(numExamples));
                read();
            }
        }
        return schedule.stuck();
    }

    /** F and the record's figures from the sums of the last evaluation. */
    private void read() {
        double[] sums = session.sums();
        double weightSquares = 0;
        double gradientSquares = 0;
        double max = 0;
        double slopeSum = 0;
        for (int k = 0; k < numClasses; k++) {
            int o = k * ROW;
            double gradBias = sums[o + ResidentSafeguardedAscent.BIAS_GRADIENT];
            weightSquares += sums[o + ResidentSafeguardedAscent.WEIGHT_SQUARES];
            gradientSquares += sums[o + ResidentSafeguardedAscent.GRADIENT_SQUARES] + gradBias * gradBias;
            max = Math.max(max, Math.max(sums[o + ResidentSafeguardedAscent.GRADIENT_MAX], Math.abs(gradBias)));
            slopeSum += sums[o + ResidentSafeguardedAscent.SLOPE];
        }
        logLikelihood = sums[numClasses * ROW];
        value = lambda == 0 ? logLikelihood : logLikelihood - 0.5 * lambda * weightSquares;
        gradientNorm = Math.sqrt(gradientSquares);
        gradientMaxAbs = max;
        accuracy = sums[numClasses * ROW + 1] / numExamples;
        slope = slopeSum;
        // L finite and Σ W² finite: every weight is finite; b is judged by its own entries.
        boolean biasFinite = true;
        for (int k = 0; k < numClasses; k++) {
            biasFinite &= Double.isFinite(sums[k * ROW + ResidentSafeguardedAscent.BIAS]);
        }
        finite = Double.isFinite(logLikelihood) && Double.isFinite(weightSquares) && biasFinite;
        optimalityGap = dualityGap == null ? Double.NaN : dualityGap.fromClassSums(sums, logLikelihood);
    }

    /** Copies y back from the engine (the loop asks at the end, and when it needs the point itself). */
    @Override
    public Parameters parameters() {
        return session.download();
    }

    @Override
    public boolean parametersFinite() {
        return finite;
    }

    @Override
    public boolean keepsBest() {
        return true;
    }

    @Override
    public Parameters best() {
        return session.downloadBest();
    }

    @Override
    public double objective() {
        return value;
    }

    @Override
    public double logLikelihood() {
        return logLikelihood;
    }

    @Override
    public double gradientNorm() {
        return gradientNorm;
    }

    @Override
    public double gradientMaxAbs() {
        return gradientMaxAbs;
    }

    @Override
    public double trainAccuracy() {
        return accuracy;
    }

    @Override
    public double optimalityGap() {
        return optimalityGap;
    }

    /** As {@link SafeguardedAscent#saveState}, the same fields: a checkpoint of either solver resumes on the other. */
    @Override
    public void saveState(StateFields state) {
        int length = numClasses * (numFeatures + 1);
        double[] point = new double[length];
        double[] previous = new double[length];
        double[] best = new double[length];
        session.downloadVectors(point, previous, best);
        schedule.save(state, point, previous, best);
    }

    @Override
    public void restoreState(StateFields state) {
        int length = numClasses * (numFeatures + 1);
        double[] point = new double[length];
        double[] previous = new double[length];
        double[] best = new double[length];
        schedule.restore(state, point, previous, best);
        session.uploadVectors(point, previous, best, schedule.step(numExamples));
        read();
    }

    /** η now, and how often F fell, η was halved and the momentum restarted. */
    AscentSchedule schedule() {
        return schedule;
    }

    @Override
    public void close() {
        session.close();
    }
}
