package org.softmax4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.softmax4j.bench.SyntheticData;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Backend;
import org.softmax4j.engine.DoublePrecisionEvaluator;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Parameters;

/**
 * scripts/compare-spark.sh: our estimator against Spark MLlib's multinomial LogisticRegression on local[2], the same
 * cached DataFrame, λ = 1 (regParam = 1/N), standardization false. Ours: lbfgs to max|∂F| ≤ 1e-6 (its tol); MLlib:
 * its default tol (1e-6, its own relative criterion), maxIter raised to 1000 so that tol decides. After one warm-up
 * fit of each, R rounds alternating the two; the median times and their ratio; F and max|∂F| of both models measured
 * by one ruler (our double-precision evaluator on the driver's copy of the data); and for the last round's fits, their
 * Spark jobs and the time their tasks ran ({@link JobTimes}).
 *
 * <p>Data (bench's SyntheticData rows, labels drawn from a planted W, so that the optimum is not W = 0): binary, N
 * rows of 64 bits (each on with probability 0.323), K = 10, W* ~ N(0, 1); dense, N rows of 784 values uniform in
 * [0, 1), K = 10, W* ~ N(0, 0.1²).
 *
 * <p>Arguments: binaryRows denseRows rounds [binaryVectors]: how the binary rows travel, sparse (their ones; the
 * default) or dense (64 values of 0 or 1); our estimator packs both into bits, MLlib reads them as given.
 */
public final class SparkComparison {
    private SparkComparison() {
    }

    public static void main(String[] args) {
        int binaryRows = Integer.parseInt(args[0]);
        int denseRows = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        boolean denseBinary = args.length > 3 && args[3].equals("dense");
        SparkSession session = SparkSession.builder().master("local[2]").appName("compare-spark")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        session.sparkContext().setLogLevel("WARN");
        JobTimes times = JobTimes.on(session);
        try {
            if (binaryRows > 0) {
                BinaryDataset binary = SyntheticData.binary(binaryRows, 64, 10, 11);
                compare(session, "binary " + binaryRows + " x 64 (" + (denseBinary ? "dense" : "sparse")
                        + " vectors), K = 10", relabel(binary, 1.0, 12), rounds, denseBinary, times);
            }
            if (denseRows > 0) {
                DenseDataset dense = SyntheticData.dense(denseRows, 784, 10, 13);
                compare(session, "dense " + denseRows + " x 784, K = 10", relabel(dense, 0.1, 14), rounds, true, times);
            }
        } finally {
            session.stop();
        }
    }

    /** The same rows, each label drawn from softmax(W* x + b*), W* and b* ~ N(0, scale²). */
    static org.softmax4j.data.Dataset relabel(org.softmax4j.data.Dataset data, double scale, long seed) {
        int numClasses = data.numClasses();
        int numFeatures = data.numFeatures();
        Parameters planted = Parameters.random(numClasses, numFeatures, scale, seed);
        SplittableRandom random = new SplittableRandom(seed + 1);
        int[] labels = new int[data.numExamples()];
        double[] p = new double[numClasses];
        for (int n = 0; n < labels.length; n++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < numClasses; k++) {
                double z = planted.bias()[k];
                for (int j = 0; j < numFeatures; j++) {
                    z += planted.weight(k, j) * data.feature(n, j);
                }
                p[k] = z;
                max = Math.max(max, z);
            }
            double sum = 0;
            for (int k = 0; k < numClasses; k++) {
                p[k] = Math.exp(p[k] - max);
                sum += p[k];
            }
            double u = random.nextDouble() * sum;
            int k = 0;
            while (k < numClasses - 1 && u >= p[k]) {
                u -= p[k++];
            }
            labels[n] = k;
        }
        if (data instanceof BinaryDataset binary) {
            return new BinaryDataset(binary.words(), labels, numFeatures, data.classNames(), data.source());
        }
        return new DenseDataset(((DenseDataset) data).values(), labels, numFeatures, data.classNames(), data.source());
    }

    /**
     * The rows as a cached DataFrame read from Parquet, as a user's data come from files: a DataFrame made from a
     * driver-side list (parallelize) carries its rows inside every task of every job (3 MB per task at 20,000 binary
     * rows, 85 ms per job on local[2]), which would time the task serialisation of both estimators, not their work.
     */
    static Dataset<Row> frame(SparkSession session, org.softmax4j.data.Dataset data, boolean denseVectors,
                              Path folder) {
        String parquet = folder.resolve("rows.parquet").toString();
        List<Row> rows = DatasetRows.of(data, null);
        if (denseVectors) {
            rows.replaceAll(row -> RowFactory.create(row.get(0), ((Vector) row.get(1)).toDense()));
        }
        session.createDataFrame(SparkTests.context().parallelize(rows, 2),
                SparkTests.schema(false)).write().parquet(parquet);
        Dataset<Row> frame = session.read().parquet(parquet).repartition(2).cache();
        frame.count();
        return frame;
    }

    private static void compare(SparkSession session, String what, org.softmax4j.data.Dataset data, int rounds,
                                boolean denseVectors, JobTimes times) {
        Path folder;
        try {
            folder = Files.createTempDirectory("compare-spark");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Dataset<Row> frame = frame(session, data, denseVectors, folder);
        double regParam = 1.0 / data.numExamples();
        double lambda = regParam * data.numExamples();
        // Our solver: lbfgs, or what compare-spark.sh's SOLVER says (newton for bit-packed rows).
        String solver = System.getProperty("softmax4j.compare.solver", "lbfgs");
        SoftmaxClassifier ours = new SoftmaxClassifier().setRegParam(regParam).setStandardization(false)
                .setTol(1e-6).setMaxIter(1000).setBackend("cpu").setSolver(solver);
        LogisticRegression mllib = new LogisticRegression().setFamily("multinomial").setRegParam(regParam)
                .setStandardization(false).setMaxIter(1000);
        ours.fit(frame);
        mllib.fit(frame);
        double[] oursSeconds = new double[rounds];
        double[] mllibSeconds = new double[rounds];
        SoftmaxClassificationModel oursModel = null;
        LogisticRegressionModel mllibModel = null;
        String oursJobs = null;
        String mllibJobs = null;
        for (int r = 0; r < rounds; r++) {
            times.reset();
            long start = System.nanoTime();
            oursModel = ours.fit(frame);
            oursSeconds[r] = (System.nanoTime() - start) / 1e9;
            oursJobs = times.describe(oursSeconds[r]);
            times.reset();
            start = System.nanoTime();
            mllibModel = mllib.fit(frame);
            mllibSeconds[r] = (System.nanoTime() - start) / 1e9;
            mllibJobs = times.describe(mllibSeconds[r]);
        }
        double[] oursF = objective(data, oursModel.coefficientMatrix(), oursModel.interceptVector(), lambda);
        double[] mllibF = objective(data, mllibModel.coefficientMatrix(), mllibModel.interceptVector(), lambda);
        double oursMedian = median(oursSeconds);
        double mllibMedian = median(mllibSeconds);
        System.out.printf(Locale.ROOT, "%s, local[2], 2 partitions, lambda 1 (regParam 1/N), %d rounds:%n", what,
                rounds);
        System.out.printf(Locale.ROOT, "  softmax4j " + solver + ": median %.2f s (runs %s), %d iterations, F %.10g, "
                + "max|dF| %.3g (stop %s, its own max|dF| %.3g)%n", oursMedian, Arrays.toString(oursSeconds),
                oursModel.trainingInfo().iterations(), oursF[0], oursF[1], oursModel.trainingInfo().stopReason(),
                oursModel.trainingInfo().metrics().get("gradient_max_abs"));
        System.out.printf(Locale.ROOT, "  MLlib LogisticRegression: median %.2f s (runs %s), %d iterations, F %.10g, "
                + "max|dF| %.3g%n", mllibMedian, Arrays.toString(mllibSeconds),
                mllibModel.summary().totalIterations(), mllibF[0], mllibF[1]);
        System.out.printf(Locale.ROOT, "  last round's Spark jobs: softmax4j %s; MLlib %s%n", oursJobs, mllibJobs);
        System.out.printf(Locale.ROOT, "  ratio MLlib/softmax4j: %.2fx; F ours - F MLlib = %.3g%n",
                mllibMedian / oursMedian, oursF[0] - mllibF[0]);
        frame.unpersist();
        deleteTree(folder);
    }

    static void deleteTree(Path folder) {
        try (var paths = Files.walk(folder)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {F, max|∂F|} at (W, b) by our double-precision evaluator (one thread per processor). */
    private static double[] objective(org.softmax4j.data.Dataset data, Matrix w, Vector b, double lambda) {
        int numClasses = w.numRows();
        int numFeatures = w.numCols();
        double[] point = new double[numClasses * numFeatures + numClasses];
        double penalty = 0;
        for (int k = 0; k < numClasses; k++) {
            for (int j = 0; j < numFeatures; j++) {
                point[k * numFeatures + j] = w.apply(k, j);
                penalty += w.apply(k, j) * w.apply(k, j);
            }
            point[numClasses * numFeatures + k] = b.apply(k);
        }
        double[] gradient = new double[point.length];
        try (Engine cpu = Backend.CPU.open(0);
             DoublePrecisionEvaluator evaluator = cpu.bindDoublePrecision(data, null)) {
            double logLikelihood = evaluator.evaluate(point, gradient);
            double maxAbs = 0;
            for (int i = 0; i < gradient.length; i++) {
                double g = i < numClasses * numFeatures ? gradient[i] - lambda * point[i] : gradient[i];
                maxAbs = Math.max(maxAbs, Math.abs(g));
            }
            return new double[] {logLikelihood - lambda / 2 * penalty, maxAbs};
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
