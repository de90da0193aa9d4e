package org.softmax4j.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.softmax4j.bench.SyntheticData;
import org.softmax4j.engine.Backend;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.train.Acceleration;
import org.softmax4j.train.Precision;
import org.softmax4j.train.Preconditioner;
import org.softmax4j.train.Schedule;
import org.softmax4j.train.SolverType;
import org.softmax4j.train.Trainer;
import org.softmax4j.train.TrainingListener;
import org.softmax4j.train.TrainingOptions;
import org.softmax4j.train.TrainingResult;

/**
 * Where a fit's time goes on local[2]: each variant's time, iterations and Spark jobs ({@link JobTimes}), on
 * compare-spark's rows (read from Parquet, cached, 2 partitions), λ = 1, standardization false. Not a test.
 *
 * <p>Arguments: binary|dense, rows, rounds, then the variants run in turn each round: default (our estimator, lbfgs to
 * max|∂F| ≤ 1e-6, precision double), engine (the same with precision engine) or mllib (LogisticRegression,
 * multinomial, its default tol) or local (one machine's lbfgs on the driver's copy, CPU engine, 2 threads, the same
 * options: the iterations a fit takes without Spark). The first round includes the JIT's warm-up.
 */
public final class SparkFitCost {
    private SparkFitCost() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int rows = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        SparkSession session = SparkSession.builder().master("local[2]").appName("spark-fit-cost")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        session.sparkContext().setLogLevel("WARN");
        JobTimes times = JobTimes.on(session);
        org.softmax4j.data.Dataset data = kind.equals("binary")
                ? SparkComparison.relabel(SyntheticData.binary(rows, 64, 10, 11), 1.0, 12)
                : SparkComparison.relabel(SyntheticData.dense(rows, 784, 10, 13), 0.1, 14);
        Path folder = Files.createTempDirectory("spark-fit-cost");
        try {
            Dataset<Row> frame = SparkComparison.frame(session, data, kind.equals("dense"), folder);
            double regParam = 1.0 / rows;
            for (int r = 0; r < rounds; r++) {
                for (int v = 3; v < args.length; v++) {
                    String variant = args[v];
                    if (!List.of("default", "engine", "mllib", "local").contains(variant)) {
                        throw new IllegalArgumentException("variant " + v + " is \"" + variant + "\", expected "
                                + "default, engine, mllib or local");
                    }
                    times.reset();
                    long start = System.nanoTime();
                    String detail;
                    if (variant.equals("local")) {
                        detail = local(data);
                    } else if (variant.equals("mllib")) {
                        LogisticRegressionModel model = new LogisticRegression().setFamily("multinomial")
                                .setRegParam(regParam).setStandardization(false).setMaxIter(1000).fit(frame);
                        detail = model.summary().totalIterations() + " it.";
                    } else {
                        SoftmaxClassifier ours = new SoftmaxClassifier().setRegParam(regParam)
                                .setStandardization(false).setTol(1e-6).setMaxIter(1000).setBackend("cpu");
                        if (variant.equals("engine")) {
                            ours.setPrecision("engine");
                        }
                        SoftmaxClassificationModel model = ours.fit(frame);
                        detail = model.trainingInfo().iterations() + " it., max|dF| "
                                + model.trainingInfo().metrics().get("gradient_max_abs") + ", "
                                + model.trainingInfo().stopReason();
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    System.out.printf(Locale.ROOT, "%s %d %s round %d: %.2f s, %s; %s%n", kind, rows, variant, r,
                            seconds, detail, times.describe(seconds));
                }
            }
        } finally {
            session.stop();
            SparkComparison.deleteTree(folder);
        }
    }

    /** One machine's lbfgs on the driver's copy (CPU engine, 2 threads) with the estimator's options. */
    private static String local(org.softmax4j.data.Dataset data) {
        int dimension = data.numClasses() * data.numFeatures() + data.numClasses();
        int history = new SoftmaxClassifier().history(SolverType.LBFGS, data instanceof org.softmax4j.data.DenseDataset,
                data.numExamples(), dimension);
        TrainingOptions options = new TrainingOptions(TrainingOptions.AUTO_LEARNING_RATE, 1000, 1, 1e-6, 0, 1,
                SolverType.LBFGS, 0, history, TrainingOptions.DEFAULT_MOMENTUM,
                false, Schedule.CONSTANT, TrainingOptions.DEFAULT_PATIENCE, Precision.DOUBLE, Preconditioner.CENTER,
                false, Acceleration.NESTEROV);
        try (Engine cpu = Backend.CPU.open(2); Evaluator evaluator = cpu.bind(data)) {
            TrainingResult result = new Trainer(options).train(cpu, evaluator, null, null,
                    new Parameters(data.numClasses(), data.numFeatures()), TrainingListener.NONE);
            return result.iterations() + " it. on the driver, max|dF| " + result.best().gradientMaxAbs() + ", "
                    + result.stopReason().id();
        }
    }
}
