package org.softmax4j.spark;

import java.util.List;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The Spark tests' shared pieces: one local[2] session for the whole test JVM (starting one costs seconds), the
 * built-in digits as a DataFrame with fixed partition boundaries, and F and max|∂F| of any (W, b) computed in double,
 * term by term, on the driver, so that our model and MLlib's are measured by the same ruler.
 */
final class SparkTests {
    private static SparkSession session;

    private SparkTests() {
    }

    static synchronized SparkSession session() {
        if (session == null) {
            session = SparkSession.builder().master("local[2]").appName("softmax4j-test")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "2")
                    .getOrCreate();
            session.sparkContext().setLogLevel("WARN");
        }
        return session;
    }

    static JavaSparkContext context() {
        return JavaSparkContext.fromSparkContext(session().sparkContext());
    }

    static StructType schema(boolean weighted) {
        StructType schema = new StructType().add("label", DataTypes.DoubleType).add("features",
                SQLDataTypes.VectorType());
        return weighted ? schema.add("weight", DataTypes.DoubleType) : schema;
    }

    /** Rows in the data set's order (bit-packed rows as sparse vectors), in {@code partitions} contiguous slices. */
    static Dataset<Row> frame(org.softmax4j.data.Dataset data, int partitions) {
        return frame(DatasetRows.of(data, null), partitions, false);
    }

    static Dataset<Row> frame(List<Row> rows, int partitions, boolean weighted) {
        return session().createDataFrame(context().parallelize(rows, partitions), schema(weighted));
    }

    /**
     * F = Σ_n ln p_{n,y_n} − λ(1−α)/2·Σ f2_j W_kj² − λα·Σ f1_j |W_kj| and max|∂F| (the minimum-norm subgradient where a
     * weight is 0 under an L1 part), in double, one row at a time; f2 = f1 = 1 without factors.
     *
     * @return {F, max|∂F|}
     */
    static double[] objective(org.softmax4j.data.Dataset data, Matrix coefficients, Vector intercepts, double lambda,
                              double alpha, double[] f2, double[] f1) {
        int numClasses = coefficients.numRows();
        int numFeatures = coefficients.numCols();
        double[][] w = new double[numClasses][numFeatures];
        for (int k = 0; k < numClasses; k++) {
            for (int j = 0; j < numFeatures; j++) {
                w[k][j] = coefficients.apply(k, j);
            }
        }
        double[][] grad = new double[numClasses][numFeatures];
        double[] gradBias = new double[numClasses];
        double logLikelihood = 0;
        double[] z = new double[numClasses];
        for (int n = 0; n < data.numExamples(); n++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < numClasses; k++) {
                double s = intercepts.apply(k);
                for (int j = 0; j < numFeatures; j++) {
                    s += w[k][j] * data.feature(n, j);
                }
                z[k] = s;
                max = Math.max(max, s);
            }
            double sum = 0;
            for (int k = 0; k < numClasses; k++) {
                sum += Math.exp(z[k] - max);
            }
            int y = data.label(n);
            logLikelihood += z[y] - max - Math.log(sum);
            for (int k = 0; k < numClasses; k++) {
                double residual = (k == y ? 1 : 0) - Math.exp(z[k] - max) / sum;
                gradBias[k] += residual;
                for (int j = 0; j < numFeatures; j++) {
                    grad[k][j] += residual * data.feature(n, j);
                }
            }
        }
        double penalty = 0;
        double maxAbs = 0;
        for (int k = 0; k < numClasses; k++) {
            maxAbs = Math.max(maxAbs, Math.abs(gradBias[k]));
            for (int j = 0; j < numFeatures; j++) {
                double l2 = lambda * (1 - alpha) * (f2 == null ? 1 : f2[j]);
                double l1 = lambda * alpha * (f1 == null ? 1 : f1[j]);
                penalty += l2 / 2 * w[k][j] * w[k][j] + l1 * Math.abs(w[k][j]);
                double g = grad[k][j] - l2 * w[k][j];
                double pseudo;
                if (w[k][j] != 0) {
                    pseudo = g - l1 * Math.signum(w[k][j]);
                } else {
                    pseudo = Math.max(0, Math.abs(g) - l1);
                }
                maxAbs = Math.max(maxAbs, Math.abs(pseudo));
            }
        }
        return new double[] {logLikelihood - penalty, maxAbs};
    }

    /** A (W, b) of our engine's Parameters as Spark's types. */
    static Matrix matrix(org.softmax4j.engine.Parameters parameters) {
        double[] values = new double[parameters.weights().length];
        for (int i = 0; i < values.length; i++) {
            values[i] = parameters.weights()[i];
        }
        return new DenseMatrix(parameters.numClasses(), parameters.numFeatures(), values, true);
    }

    static Vector vector(float[] values) {
        double[] copy = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            copy[i] = values[i];
        }
        return Vectors.dense(copy);
    }
}
