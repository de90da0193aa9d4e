package org.softmax4j.train;

import java.util.Arrays;
import java.util.Locale;

import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.Split;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.cpu.CpuEngine;

/**
 * For the README's table of the automatic step (not a test): the built-in digits' 80/20 split (seed 1, binarized at
 * 8), λ = 1, CPU engine, in process: ascent with a fixed η = 1, the automatic step without and with Nesterov's
 * acceleration (the default), and L-BFGS for F*. Each configuration is run twice to warm up, then {@code runs} times
 * (default 5), interleaved so that load on the machine hits all alike; prints the median seconds and its ratio to the
 * fixed-step run's median, the iterations, the stop and (F* − F)/|F*|. Arguments: [threads] [runs].
 */
public final class DefaultStepTimes {
    private DefaultStepTimes() {
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Split split = Splits.stratified(BuiltinDigits.load(BuiltinDigits.DEFAULT_THRESHOLD), 0.2, 1);
        String[] names = {"--learning-rate 1", "--acceleration none", "(defaults: auto, nesterov)", "--solver lbfgs"};
        TrainingOptions[] options = {
            TrainingOptions.defaults().withLearningRate(1.0),
            TrainingOptions.defaults().withAcceleration(Acceleration.NONE),
            TrainingOptions.defaults(),
            TrainingOptions.defaults().withSolver(SolverType.LBFGS)};
        double[][] seconds = new double[options.length][runs];
        TrainingResult[] last = new TrainingResult[options.length];
        try (CpuEngine engine = new CpuEngine(threads); Evaluator train = engine.bind(split.train())) {
            // The engine's threads run the double-precision polish too, as the CLI's train does.
            Parameters zero = new Parameters(split.train().numClasses(), split.train().numFeatures());
            double optimum = new Trainer(TrainingOptions.defaults().withSolver(SolverType.LBFGS).withTolerance(1e-10)
                    .withMaxIterations(10_000)).train(engine, train, null, null, zero, TrainingListener.NONE)
                    .best().objective();
            for (int r = -2; r < runs; r++) {
                for (int c = 0; c < options.length; c++) {
                    long start = System.nanoTime();
                    last[c] = new Trainer(options[c]).train(engine, train, null, null, zero, TrainingListener.NONE);
                    if (r >= 0) {
                        seconds[c][r] = (System.nanoTime() - start) / 1e9;
                    }
                }
            }
            double[] medians = new double[options.length];
            for (int c = 0; c < options.length; c++) {
                double[] sorted = seconds[c].clone();
                Arrays.sort(sorted);
                medians[c] = sorted[runs / 2];
            }
            System.out.printf(Locale.ROOT, "F* = %.9f (L-BFGS, max|dF| <= 1e-10); CPU engine, %d thread(s), median of %d "
                    + "runs after 2 warm-ups%n", optimum, threads, runs);
            for (int c = 0; c < options.length; c++) {
                TrainingResult result = last[c];
                double f = result.best().objective();
                System.out.printf(Locale.ROOT, "| %s | %d | %s | %.9f | %.2g | %.3f | %.2f |%n", names[c],
                        result.iterations(), result.stopReason().id(), f, (optimum - f) / Math.abs(optimum),
                        medians[c], medians[c] / medians[0]);
            }
        }
    }
}
