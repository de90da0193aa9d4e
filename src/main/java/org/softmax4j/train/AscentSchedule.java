package org.softmax4j.train;

import java.util.Locale;

/**
 * The decisions of safeguarded ascent (see {@link SafeguardedAscent}), apart from where its vectors live, so that the
 * host solver and the one whose vectors stay in the engine ({@link ResidentSafeguardedSolver}) decide alike: the
 * momentum β from the restart test, and after each evaluation whether F rose, held or fell (and then the halving of η
 * or the restart of the momentum).
 */
final class AscentSchedule {
    /** What an evaluation of the new point showed. */
    enum Outcome {
        /** F above the best: the new point is the best. */
        BETTER,
        /** F within rounding of the best, not above it: go on from the new point. */
        HELD,
        /** F fell (or is not finite): back to the best point, η halved or the momentum restarted. */
        FELL
    }

    private final boolean accelerated;
    private double learningRate;
    private double bestValue = Double.NEGATIVE_INFINITY;
    private double momentumSequence = 1;
    private double beta;
    private int halvings;
    private int restarts;
    private int falls;

    AscentSchedule(double learningRate, boolean accelerated) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate is " + learningRate + ", expected a finite number > 0");
        }
        this.learningRate = learningRate;
        this.accelerated = accelerated;
    }

    /** F at the starting point, the first best. */
    void start(double value) {
        bestValue = value;
    }

    /** s = η/N. */
    double step(int numExamples) {
        return learningRate / numExamples;
    }

    /**
     * β of this step, from slope = ∇F(y_k)·(x_{k+1} − x_k): a negative slope means the momentum points downhill, so
     * t restarts at 1 and β = 0; else t_{k+1} = (1 + √(1 + 4t_k²))/2 and β = (t_k − 1)/t_{k+1}. Always 0 unaccelerated.
     */
    double momentum(double slope) {
        beta = 0;
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
        return beta;
    }

    /**
     * Judges F at the new point ({@link SafeguardedAscent#ROUNDING} allowed below the best). On a fall after a step
     * with momentum only the momentum restarts; after a plain step η is halved.
     */
    Outcome judge(double value) {
        if (value >= bestValue - SafeguardedAscent.ROUNDING * Math.max(Math.abs(bestValue), 1.0)) {
            if (value > bestValue) {
                bestValue = value;
                return Outcome.BETTER;
            }
            return Outcome.HELD;
        }
        falls++;
        if (beta == 0) {
            learningRate /= 2;
            halvings++;
        } else {
            restarts++;
        }
        momentumSequence = 1;
        return Outcome.FELL;
    }

    /** Null, or why the solver is stuck: η halved more than {@link SafeguardedAscent#MAX_HALVINGS} times. */
    String stuck() {
        if (halvings > SafeguardedAscent.MAX_HALVINGS) {
            return String.format(Locale.ROOT, "F fell after %d halvings of the step (eta now %.3g)", halvings,
                    learningRate);
        }
        return null;
    }

    double learningRate() {
        return learningRate;
    }

    /**
     * y, x_k and the best point (W's K·D entries then b's K, in double), η, the best F, Nesterov's t_k and the
     * safeguard's counts, into a checkpoint's solver part: the one form of both ascent solvers' state, so that either
     * resumes the other's. β is not kept: the next step's {@link #momentum} sets it before {@link #judge} reads it.
     */
    void save(StateFields state, double[] point, double[] previous, double[] best) {
        state.put("point", point);
        state.put("previous", previous);
        state.put("best", best);
        state.put("learning_rate", learningRate);
        state.put("best_value", bestValue);
        state.put("momentum_sequence", momentumSequence);
        state.put("halvings", halvings);
        state.put("restarts", restarts);
        state.put("falls", falls);
    }

    /** In place of {@link #start}: the state {@link #save} wrote, the vectors into the arrays given. */
    void restore(StateFields state, double[] point, double[] previous, double[] best) {
        state.copy("point", point);
        state.copy("previous", previous);
        state.copy("best", best);
        learningRate = state.getDouble("learning_rate");
        bestValue = state.getDouble("best_value");
        momentumSequence = state.getDouble("momentum_sequence");
        halvings = state.getInt("halvings");
        restarts = state.getInt("restarts");
        falls = state.getInt("falls");
    }

    int falls() {
        return falls;
    }

    int halvings() {
        return halvings;
    }

    int restarts() {
        return restarts;
    }
}
