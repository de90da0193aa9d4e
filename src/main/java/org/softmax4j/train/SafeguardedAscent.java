package org.softmax4j.train;

import java.util.Locale;

import org.softmax4j.engine.Parameters;

/**
 * Full-batch gradient ascent with the step 1/L of {@link CurvatureBound} ({@code --learning-rate auto}), optionally
 * accelerated, and a safeguard that keeps F from falling. Each iteration is one step along the gradient and one full
 * evaluation through the engine, so it runs on every engine (on the CUDA engine through the host: the gradient comes
 * back every step, unlike {@link ResidentAscentSolver}).
 * <p>
 * Accelerated (Nesterov, 1983, in the form of FISTA; restart after O'Donoghue and Candès, 2015): the gradient is taken
 * at y_k, the step x_{k+1} = y_k + s·∇F(y_k) (s = η/N), then
 * <pre>
 *   t_{k+1} = (1 + √(1 + 4t_k²)) / 2,   y_{k+1} = x_{k+1} + ((t_k − 1)/t_{k+1})·(x_{k+1} − x_k)
 * </pre>
 * with the gradient restart: when ∇F(y_k)·(x_{k+1} − x_k) &lt; 0 the momentum points downhill, so t restarts at 1 and
 * y_{k+1} = x_{k+1}. The point evaluated and recorded is y.
 * <p>
 * Safeguard: if F at the new point is below the best F seen by more than rounding ({@link #ROUNDING}), or not
 * finite, the best weights are restored; if the step
 * that fell carried momentum, only the momentum restarts (a non-monotone step of the accelerated method), otherwise a
 * plain step with s ≤ 1/L fell, which only rounding or a wrong bound explains, and η is halved. So F never decreases
 * between recorded iterations by more than rounding.
 */
final class SafeguardedAscent extends EngineSolver {
    /** Halvings after which the step is too small to move F in float32: the solver reports that it is stuck. */
    static final int MAX_HALVINGS = 40;
    /**
     * A fall of F by less than this share of |F| is rounding, not a fall: the engines compute F from float32 logits,
     * within 10⁻⁶·|F| of F in double (GPU-NOTES's bound, also what {@code gradcheck} allows). Near the optimum a step
     * of 1/L raises F by far less than that (on the digits ~10⁻⁸ of |F|), so comparing F there compares rounding; a
     * safeguard that halved η on such falls stalled ascent at 1.3·10⁻⁶ of the optimum with η halved 9 times.
     */
    static final double ROUNDING = 1e-6;

    private final boolean accelerated;
    private final Parameters parameters;
    private final Parameters previous;
    private final Parameters best;
    private final float[] nextWeights;
    private final float[] nextBias;
    private double learningRate;
    private double bestValue = Double.NEGATIVE_INFINITY;
    private double momentumSequence = 1;
    private int halvings;
    private int restarts;
    private int falls;

    SafeguardedAscent(PenalizedLogLikelihood objective, Parameters start, double learningRate, boolean accelerated) {
        super(objective, start);
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate is " + learningRate + ", expected a finite number > 0");
        }
        this.learningRate = learningRate;
        this.accelerated = accelerated;
        this.parameters = start.copy();
        this.previous = start.copy();
        this.best = start.copy();
        this.nextWeights = new float[start.weights().length];
        this.nextBias = new float[start.bias().length];
    }

    @Override
    public void start() {
        super.start();
        bestValue = value;
    }

    @Override
    public String iterate() {
        double step = learningRate / numExamples;
        float[] y = parameters.weights();
        float[] yBias = parameters.bias();
        double[] gradWeights = evaluation.gradWeights();
        double[] gradBias = evaluation.gradBias();
        // x_{k+1} = y_k + s·∇F(y_k), rounded to float as GradientAscent does; slope = ∇F(y_k)·(x_{k+1} − x_k).
        double slope = 0;
        float[] x = previous.weights();
        float[] xBias = previous.bias();
        for (int i = 0; i < y.length; i++) {
            nextWeights[i] = (float) (y[i] + step * gradWeights[i]);
            slope += gradWeights[i] * ((double) nextWeights[i] - x[i]);
        }
        for (int k = 0; k < yBias.length; k++) {
            nextBias[k] = (float) (yBias[k] + step * gradBias[k]);
            slope += gradBias[k] * ((double) nextBias[k] - xBias[k]);
        }
        double beta = 0;
        if (accelerated) {
            if (slope < 0) {
                momentumSequence = 1;
                restarts++;
            } else {
                double nextSequence = (1 + Math.sqrt(1 + 4 * momentumSequence * momentumSequence)) / 2;
                beta = (momentumSequence - 1) / nextSequence;
                momentumSequence = nextSequence;
            }
        }
        for (int i = 0; i < y.length; i++) {
            float next = nextWeights[i];
            y[i] = (float) (next + beta * ((double) next - x[i]));
            x[i] = next;
        }
        for (int k = 0; k < yBias.length; k++) {
            float next = nextBias[k];
            yBias[k] = (float) (next + beta * ((double) next - xBias[k]));
            xBias[k] = next;
        }
        evaluateCurrent();
        if (value >= bestValue - ROUNDING * Math.max(Math.abs(bestValue), 1.0)) {
            if (value > bestValue) {
                bestValue = value;
                best.copyFrom(parameters);
            }
            return null;
        }
        // F fell (or is NaN): back to the best point, momentum restarted.
        falls++;
        if (beta == 0) {
            learningRate /= 2;
            halvings++;
        } else {
            restarts++;
        }
        momentumSequence = 1;
        parameters.copyFrom(best);
        previous.copyFrom(best);
        evaluateCurrent();
        if (halvings > MAX_HALVINGS) {
            return String.format(Locale.ROOT, "F fell after %d halvings of the step (eta now %.3g)", halvings,
                    learningRate);
        }
        return null;
    }

    @Override
    public Parameters parameters() {
        return parameters;
    }

    /** η now: the starting one, halved by every fall of a plain step. */
    double learningRate() {
        return learningRate;
    }

    /** How often F fell and the best weights were restored. */
    int falls() {
        return falls;
    }

    /** How often η was halved. */
    int halvings() {
        return halvings;
    }

    /** How often the momentum restarted (gradient test or a fall). */
    int restarts() {
        return restarts;
    }
}
