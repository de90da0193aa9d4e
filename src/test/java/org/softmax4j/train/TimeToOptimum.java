package org.softmax4j.train;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.Split;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.engine.cpu.CpuEngine;

/**
 * For scripts/compare-sklearn.sh (not a test): writes the built-in digits' 80/20 split (seed 1, binarized at 8) as
 * CSV into the directory given, then for each C trains L-BFGS (λ = 1/C, tolerance max|∂F| ≤ 1e-6) on the CPU engine,
 * in process, after warm-up runs, and prints one line per C: objective, iterations, the fastest of the timed fits,
 * test accuracy; first with the default preconditioner (centring, "softmax4j"), then without ("(none)"), then
 * {@code --solver newton} ("(newton)"); last, L1 at C = 1 with OWL-QN.
 */
public final class TimeToOptimum {
    private TimeToOptimum() {
    }

    public static void main(String[] args) throws IOException {
        Path directory = Path.of(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        Split split = Splits.stratified(BuiltinDigits.load(BuiltinDigits.DEFAULT_THRESHOLD), 0.2, 1);
        write(split.train(), directory.resolve("train.csv"));
        write(split.test(), directory.resolve("test.csv"));
        try (CpuEngine engine = new CpuEngine(threads); Evaluator train = engine.bind(split.train());
             Evaluator test = engine.bind(split.test())) {
            for (Preconditioner preconditioner : new Preconditioner[] {Preconditioner.CENTER, Preconditioner.NONE}) {
                timeToOptimum(engine, train, test, SolverType.LBFGS, preconditioner);
            }
            timeToOptimum(engine, train, test, SolverType.NEWTON, Preconditioner.CENTER);
            lasso(engine, train, test);
        }
    }

    private static void timeToOptimum(CpuEngine engine, Evaluator train, Evaluator test, SolverType solver,
                                      Preconditioner preconditioner) {
        for (double c : new double[] {0.1, 1, 10}) {
            TrainingOptions options = TrainingOptions.defaults().withSolver(solver).withLambda(1 / c)
                    .withMaxIterations(20000).withPreconditioner(preconditioner);
            TrainingResult result = null;
            for (int warmUp = 0; warmUp < 10; warmUp++) {
                result = fit(engine, train, options);
            }
            double fastest = Double.POSITIVE_INFINITY;
            for (int run = 0; run < 10; run++) {
                long started = System.nanoTime();
                result = fit(engine, train, options);
                fastest = Math.min(fastest, (System.nanoTime() - started) / 1e9);
            }
            Evaluation evaluation = new Evaluation(10, 64);
            test.evaluate(result.parameters(), evaluation);
            String name = solver == SolverType.NEWTON ? "(newton) " : preconditioner == Preconditioner.CENTER
                    ? "softmax4j" : "(none)   ";
            System.out.printf(Locale.ROOT, "%s C=%-4s objective %.12f iterations %4d fit %.4fs "
                            + "test-accuracy %.4f max|dF| %.2e stop %s%n", name, c, result.best().objective(),
                    result.iterations(), fastest, evaluation.accuracy(), result.best().gradientMaxAbs(),
                    result.stopReason().id());
        }
    }

    /** One fit with the engine's threads for the double-precision polish too (as the CLI's {@code train} runs). */
    private static TrainingResult fit(CpuEngine engine, Evaluator train, TrainingOptions options) {
        var data = train.data();
        return new Trainer(options).train(engine, train, null, null,
                new Parameters(data.numClasses(), data.numFeatures()), TrainingListener.NONE);
    }

    /** L1 at C = 1 (λ = 1, α = 1): OWL-QN, the fastest of 10 runs after warm-up, and its zero weights. */
    private static void lasso(CpuEngine engine, Evaluator train, Evaluator test) {
        TrainingOptions options = TrainingOptions.defaults().withSolver(SolverType.OWLQN).withLambda(1).withAlpha(1)
                .withMaxIterations(20000);
        TrainingResult result = null;
        for (int warmUp = 0; warmUp < 10; warmUp++) {
            result = fit(engine, train, options);
        }
        double fastest = Double.POSITIVE_INFINITY;
        for (int run = 0; run < 10; run++) {
            long started = System.nanoTime();
            result = fit(engine, train, options);
            fastest = Math.min(fastest, (System.nanoTime() - started) / 1e9);
        }
        int zeros = 0;
        for (float w : result.parameters().weights()) {
            zeros += w == 0 ? 1 : 0;
        }
        Evaluation evaluation = new Evaluation(10, 64);
        test.evaluate(result.parameters(), evaluation);
        System.out.printf(Locale.ROOT, "softmax4j L1 C=1.0 objective %.12f iterations %4d fit %.4fs test-accuracy %.4f "
                        + "max|dF| %.2e zeros %d (owlqn)%n", result.best().objective(), result.iterations(), fastest,
                evaluation.accuracy(), result.best().gradientMaxAbs(), zeros);
    }

    private static void write(Dataset data, Path file) throws IOException {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file))) {
            for (int n = 0; n < data.numExamples(); n++) {
                StringBuilder line = new StringBuilder();
                for (int j = 0; j < data.numFeatures(); j++) {
                    line.append((int) data.feature(n, j)).append(',');
                }
                out.println(line.append(data.classNames().get(data.label(n))));
            }
        }
    }
}
