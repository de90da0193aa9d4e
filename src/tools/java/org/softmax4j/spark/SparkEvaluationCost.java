package org.softmax4j.spark;

import java.util.Arrays;
import java.util.Locale;

import org.apache.spark.sql.SparkSession;
import org.softmax4j.bench.SyntheticData;
import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Backend;
import org.softmax4j.engine.DoublePrecisionEvaluator;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;

/**
 * Where one distributed evaluation's time goes, on local[2]: the median time of the partitioned double-precision
 * evaluation (one Spark job) against the same evaluation on the driver (the CPU engine's double evaluator, 2 threads)
 * and against a Spark job that only counts the cached blocks (the floor a job costs). Not a test.
 *
 * <p>Arguments: rows, repetitions, [parquet|checkpoint|parallelize] (how the rows come: read from Parquet, as users'
 * data do; a driver-side list with the packed blocks' lineage cut, as {@code softmax4j-spark train}; or the list as it
 * is), [binary|dense] (compare-spark's rows: 64 bits or 784 floats, K = 10; binary by default).
 */
public final class SparkEvaluationCost {
    private SparkEvaluationCost() {
    }

    public static void main(String[] args) {
        int rows = Integer.parseInt(args[0]);
        int repetitions = Integer.parseInt(args[1]);
        String how = args.length > 2 ? args[2] : "parallelize";
        boolean dense = args.length > 3 && args[3].equals("dense");
        Dataset data = dense ? SparkComparison.relabel(SyntheticData.dense(rows, 784, 10, 13), 0.1, 14)
                : SparkComparison.relabel(SyntheticData.binary(rows, 64, 10, 11), 1.0, 12);
        SparkSession session = SparkSession.builder().master("local[2]").appName("spark-evaluation-cost")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        session.sparkContext().setLogLevel("WARN");
        try (PartitionedRows partitioned = PartitionedRows.load(
                (how.equals("parquet") ? SparkComparison.frame(session, data, dense, temporary())
                        : SparkTests.frame(data, 2)).javaRDD(),
                new Columns("label", "features", null), Backend.CPU, 1, 2, how.equals("checkpoint"), "synthetic");
             Engine cpu = Backend.CPU.open(2);
             DoublePrecisionEvaluator local = cpu.bindDoublePrecision(data, null)) {
            PartitionedEngine engine = new PartitionedEngine(partitioned, "spark");
            DoublePrecisionEvaluator spark = engine.bindDoublePrecision(partitioned.dataset(), null);
            double[] point = new double[spark.dimension()];
            Arrays.fill(point, 0.01);
            double[] gradient = new double[point.length];
            double[] sparkSeconds = new double[repetitions];
            double[] localSeconds = new double[repetitions];
            double[] jobSeconds = new double[repetitions];
            double[] floatSeconds = new double[repetitions];
            double[] localFloatSeconds = new double[repetitions];
            Evaluator floats = engine.bind(partitioned.dataset(), null);
            Evaluator localFloats = cpu.bind(data);
            Parameters parameters = new Parameters(data.numClasses(), data.numFeatures());
            Arrays.fill(parameters.weights(), 0.01f);
            Arrays.fill(parameters.bias(), 0.01f);
            Evaluation evaluation = new Evaluation(data.numClasses(), data.numFeatures());
            for (int warm = 0; warm < 2; warm++) {
                for (int r = 0; r < repetitions; r++) {
                    long start = System.nanoTime();
                    spark.evaluate(point, gradient);
                    sparkSeconds[r] = (System.nanoTime() - start) / 1e9;
                    start = System.nanoTime();
                    local.evaluate(point, gradient);
                    localSeconds[r] = (System.nanoTime() - start) / 1e9;
                    start = System.nanoTime();
                    partitioned.blocks().count();
                    jobSeconds[r] = (System.nanoTime() - start) / 1e9;
                    start = System.nanoTime();
                    floats.evaluate(parameters, evaluation);
                    floatSeconds[r] = (System.nanoTime() - start) / 1e9;
                    start = System.nanoTime();
                    localFloats.evaluate(parameters, evaluation);
                    localFloatSeconds[r] = (System.nanoTime() - start) / 1e9;
                }
            }
            System.out.printf(Locale.ROOT, "%d %s rows x %d, K = 10, 2 partitions, local[2], %d repetitions "
                    + "(medians): partitioned double evaluation %.2f ms, driver's double evaluation (2 threads) %.2f ms, "
                    + "a Spark job counting the cached blocks %.2f ms; float32 (engine) evaluation partitioned %.2f ms, "
                    + "on the driver %.2f ms%n", rows, dense ? "dense" : "binary", data.numFeatures(), repetitions,
                    1e3 * median(sparkSeconds), 1e3 * median(localSeconds), 1e3 * median(jobSeconds),
                    1e3 * median(floatSeconds), 1e3 * median(localFloatSeconds));
        } finally {
            session.stop();
        }
    }

    private static java.nio.file.Path temporary() {
        try {
            java.nio.file.Path folder = java.nio.file.Files.createTempDirectory("spark-evaluation-cost");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> SparkComparison.deleteTree(folder)));
            return folder;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
