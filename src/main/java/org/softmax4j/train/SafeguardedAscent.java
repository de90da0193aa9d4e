package org.softmax4j.train;

import org.softmax4j.engine.Parameters;

/**
 * Full-batch gradient ascent with the step 1/L of {@link CurvatureBound} ({@code --learning-rate auto}), optionally
 * accelerated, and a safeguard that keeps F from falling. Each iteration is one step along the gradient and one full
 * evaluation through the engine, so it runs on every engine; an engine that can keep the vectors in its own memory
 * (the CUDA engine) runs the same steps and decisions as {@link ResidentSafeguardedSolver}, reading back only sums.
 * <p>
 * With the feature means μ given ({@link CurvatureBound#centered}), the step is along the gradient of F in the
 * centred coordinates (W, b + Wμ), W's part scaled by 1/L_W and the bias's by 1/L_b, mapped back to (W, b): the
 * direction d = A·D·Aᵀ·∇F of {@link #center} in place of ∇F. Without them, d = ∇F and s = η/N with the uncentred L.
 * <p>
 * Accelerated (Nesterov, 1983, in the form of FISTA; restart after O'Donoghue and Candès, 2015): the gradient is taken
 * at y_k, the step x_{k+1} = y_k + s·d(y_k) (s = η/N), then
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
     * within 10⁻⁶·|F| of F in double (the bound of docs/GPU-FACTS.md, also what {@code gradcheck} allows). Near the optimum a step
     * of 1/L raises F by far less than that (on the digits ~10⁻⁸ of |F|), so comparing F there compares rounding; a
     * safeguard that halved η on such falls stalled ascent at 1.3·10⁻⁶ of the optimum with η halved 9 times.
     */
    static final double ROUNDING = 1e-6;

    private final AscentSchedule schedule;
    private final double[] means;
    private final double biasRatio;
    private DualityGap dualityGap;
    private double[] direction;
    /** y, the point evaluated, rounded to float for the engine. */
    private final Parameters parameters;
    /**
     * y, x_k and the best point in double: a step smaller than half a float ulp of a weight would be lost if the
     * iterates were rounded to float each step (measured: with a constant feature beside the bias, float iterates
     * stalled 1.5·10⁻⁶ below the optimum's F); W and b are laid out as W's K·D entries, then b's K.
     */
    private final double[] point;
    private final double[] previous;
    private final double[] best;

    SafeguardedAscent(PenalizedLogLikelihood objective, Parameters start, double learningRate, boolean accelerated) {
        this(objective, start, learningRate, accelerated, null, 1);
    }

    /**
     * @param means      μ, the feature means of the centred coordinates (see {@link CurvatureBound#centered}), or null
     *                   for steps along the plain gradient
     * @param biasRatio  L_W / L_b: the bias's step in the centred coordinates relative to W's
     */
    SafeguardedAscent(PenalizedLogLikelihood objective, Parameters start, double learningRate, boolean accelerated,
                      double[] means, double biasRatio) {
        super(objective, start);
        this.means = means == null ? null : means.clone();
        this.biasRatio = biasRatio;
        this.schedule = new AscentSchedule(learningRate, accelerated);
        this.parameters = start.copy();
        int numWeights = start.weights().length;
        this.point = new double[numWeights + start.bias().length];
        for (int i = 0; i < numWeights; i++) {
            point[i] = start.weights()[i];
        }
        for (int k = 0; k < start.bias().length; k++) {
            point[numWeights + k] = start.bias()[k];
        }
        this.previous = point.clone();
        this.best = point.clone();
    }

    @Override
    public void start() {
        super.start();
        schedule.start(value);
    }

    @Override
    public String iterate() {
        double step = schedule.step(numExamples);
        double[] gradWeights = evaluation.gradWeights();
        double[] gradBias = evaluation.gradBias();
        int numWeights = gradWeights.length;
        if (direction == null) {
            direction = new double[point.length];
        }
        for (int i = 0; i < point.length; i++) {
            direction[i] = i < numWeights ? gradWeights[i] : gradBias[i - numWeights];
        }
        if (means != null) {
            center(direction, numWeights);
        }
        // x_{k+1} = y_k + s·∇F(y_k); slope = ∇F(y_k)·(x_{k+1} − x_k) decides the restart.
        double slope = 0;
        for (int i = 0; i < point.length; i++) {
            double gradient = i < numWeights ? gradWeights[i] : gradBias[i - numWeights];
            point[i] += step * direction[i];
            slope += gradient * (point[i] - previous[i]);
        }
        double beta = schedule.momentum(slope);
        for (int i = 0; i < point.length; i++) {
            double next = point[i];
            point[i] = next + beta * (next - previous[i]);
            previous[i] = next;
        }
        round(point);
        evaluateCurrent();
        switch (schedule.judge(value)) {
            case BETTER -> System.arraycopy(point, 0, best, 0, point.length);
            case HELD -> { }
            case FELL -> {
                // Back to the best point, momentum restarted.
                System.arraycopy(best, 0, point, 0, point.length);
                System.arraycopy(best, 0, previous, 0, point.length);
                round(point);
                evaluateCurrent();
            }
        }
        return schedule.stuck();
    }

    /** y, x_k and the best point in double, η, the best F, Nesterov's t_k and the counts of the safeguard. */
    @Override
    public void saveState(StateFields state) {
        schedule.save(state, point, previous, best);
    }

    @Override
    public void restoreState(StateFields state) {
        schedule.restore(state, point, previous, best);
        round(point);
        evaluateCurrent();
    }

    /**
     * g ← A·D·Aᵀ·g: the gradient of the centred coordinates (Aᵀg = (g_W − g_b μᵀ, g_b)), its bias part scaled by
     * {@link #biasRatio}, mapped back to (W, b) (A(v_W, v_b) = (v_W, v_b − v_W μ)). Per class k:
     * r_W = g_W − g_b μᵀ, r_b = ratio·g_b − r_W·μ.
     */
    private void center(double[] g, int numWeights) {
        int numFeatures = means.length;
        int numClasses = g.length - numWeights;
        for (int k = 0; k < numClasses; k++) {
            double gb = g[numWeights + k];
            int row = k * numFeatures;
            double shift = 0;
            for (int j = 0; j < numFeatures; j++) {
                double r = g[row + j] - gb * means[j];
                g[row + j] = r;
                shift += r * means[j];
            }
            g[numWeights + k] = biasRatio * gb - shift;
        }
    }

    /** The engine's parameters: {@code values} rounded to float. */
    private void round(double[] values) {
        float[] weights = parameters.weights();
        float[] bias = parameters.bias();
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) values[i];
        }
        for (int k = 0; k < bias.length; k++) {
            bias[k] = (float) values[weights.length + k];
        }
    }

    /** Gives {@link #optimalityGap()} from {@code gap} (λ &gt; 0). */
    void certifyWith(DualityGap gap) {
        this.dualityGap = gap;
    }

    @Override
    public double optimalityGap() {
        return dualityGap == null ? Double.NaN : dualityGap.at(parameters, evaluation);
    }

    @Override
    public Parameters parameters() {
        return parameters;
    }

    /** η now, and how often F fell, η was halved and the momentum restarted. */
    AscentSchedule schedule() {
        return schedule;
    }
}
