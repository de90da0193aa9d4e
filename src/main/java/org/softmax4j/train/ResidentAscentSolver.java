package org.softmax4j.train;

import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.ResidentAscent;

/**
 * Full-batch gradient ascent with a fixed step η and the parameters resident in the engine (the CUDA engine keeps W
 * and b on the device for the whole run): a step reads back only the log-likelihood. One iteration of the loop is up to {@link #STEPS}
 * steps, then a checkpoint: the parameters come back to the host and one full evaluation gives F, its gradient and the
 * accuracy for the record, the best weights and the stopping rule (which judges the change of F per step). A step
 * whose log-likelihood is not finite ends the iteration at once, so divergence is caught at the next checkpoint.
 * Mathematically the same steps as {@link FirstOrderSolver} with {@link GradientAscent}.
 */
final class ResidentAscentSolver extends EngineSolver implements AutoCloseable {
    /** Steps between checkpoints. */
    static final int STEPS = 10;

    private final ResidentAscent.Session session;
    private final double learningRate;
    private final int maxSteps;
    private Parameters parameters;
    private int steps;
    private int lastSteps;

    ResidentAscentSolver(ResidentAscent resident, PenalizedLogLikelihood objective, Parameters start,
                         double learningRate, int maxSteps) {
        super(objective, start);
        this.learningRate = learningRate;
        this.maxSteps = maxSteps;
        this.parameters = start.copy();
        this.session = resident.startResidentAscent(start, !objective.noBias());
    }

    @Override
    public String iterate() {
        int todo = Math.max(1, Math.min(STEPS, maxSteps - steps));
        lastSteps = 0;
        while (lastSteps < todo) {
            double logLikelihood = session.step(learningRate, objective.lambda());
            lastSteps++;
            if (!Double.isFinite(logLikelihood)) {
                break;
            }
        }
        steps += lastSteps;
        parameters = session.download();
        evaluateCurrent();
        return null;
    }

    /**
     * The point and the steps taken. The engine keeps its own copy of the point between checkpoints; a solver
     * restored from this state must be made with the point as its start (the {@link Trainer} does so).
     */
    @Override
    public void saveState(StateFields state) {
        state.put("parameters", parameters);
        state.put("steps", steps);
    }

    @Override
    public void restoreState(StateFields state) {
        state.copy("parameters", parameters);
        steps = state.getInt("steps");
        evaluateCurrent();
    }

    @Override
    public int stepsInLastIteration() {
        return lastSteps;
    }

    @Override
    public Parameters parameters() {
        return parameters;
    }

    @Override
    public void close() {
        session.close();
    }
}
