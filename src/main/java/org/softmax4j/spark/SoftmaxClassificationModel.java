package org.softmax4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.softmax4j.model.Model;
import org.softmax4j.model.ModelFile;
import org.softmax4j.model.TrainingInfo;
import org.softmax4j.train.IterationRecord;

/**
 * The model a {@link SoftmaxClassifier} fits: raw predictions W x + b (rawPredictionCol), their softmax
 * (probabilityCol), and its arg-max (predictionCol), as Spark's multinomial LogisticRegressionModel names them:
 * {@link #numClasses()}, {@link #coefficientMatrix()} (K×D) and {@link #interceptVector()} (K). Saved with Spark's
 * MLWriter as Spark's metadata plus our model file ({@code data/model.json}, the format the CLI reads), loaded with
 * {@link #read()}.
 */
public final class SoftmaxClassificationModel
        extends ProbabilisticClassificationModel<Vector, SoftmaxClassificationModel> implements MLWritable {
    private static final long serialVersionUID = 1L;
    /** Where the model file lies inside a saved model's folder. */
    static final String MODEL_FILE = "data/model.json";
    /**
     * Where W and b lie in double (one Parquet row: coefficientMatrix, interceptVector, as Spark's own model keeps
     * them); a model saved without it predicts from the model file's float32 W and b.
     */
    static final String COEFFICIENTS = "data/coefficients";

    /** Set by the first {@link #uid()}, which Spark's superclass constructor makes (see {@link PendingUid}). */
    private String uid;
    /** Ours, on the driver; the executors' copies predict from the coefficients alone. */
    private final transient Model model;
    private final transient List<IterationRecord> history;
    private final DenseMatrix coefficients;
    private final DenseVector intercepts;

    /**
     * @param point θ = [W, b] in double (K·D + K values), the fit's point before our model's float32 rounding, or
     *              null for the model's own W and b
     */
    SoftmaxClassificationModel(String uid, Model model, double[] point, List<IterationRecord> history) {
        this(PendingUid.pass(uid), model, point, history, true);
    }

    private SoftmaxClassificationModel(String uid, Model model, double[] point, List<IterationRecord> history,
                                       boolean passed) {
        if (!uid.equals(uid())) {
            throw new IllegalStateException("uid " + uid() + " was taken instead of " + uid);
        }
        this.model = model;
        this.history = history == null ? List.of() : List.copyOf(history);
        int numClasses = model.numClasses();
        int numFeatures = model.numFeatures();
        int numWeights = numClasses * numFeatures;
        if (point != null && point.length != numWeights + numClasses) {
            throw new IllegalArgumentException("point has " + point.length + " values, expected K*D + K = "
                    + (numWeights + numClasses));
        }
        double[] values = new double[numWeights];
        double[] bias = new double[numClasses];
        for (int k = 0; k < numClasses; k++) {
            for (int j = 0; j < numFeatures; j++) {
                values[k * numFeatures + j] = point != null ? point[k * numFeatures + j] : model.weight(k, j);
            }
            bias[k] = point != null ? point[numWeights + k] : model.bias(k);
        }
        // Row-major K×D (Spark's DenseMatrix is column-major unless transposed).
        this.coefficients = new DenseMatrix(numClasses, numFeatures, values, true);
        this.intercepts = new DenseVector(bias);
    }

    /** θ = [W, b] of {@link #coefficientMatrix()} and {@link #interceptVector()}, in double. */
    private double[] point() {
        double[] values = coefficients.values();
        double[] point = new double[values.length + intercepts.size()];
        System.arraycopy(values, 0, point, 0, values.length);
        System.arraycopy(intercepts.values(), 0, point, values.length, intercepts.size());
        return point;
    }

    @Override
    public String uid() {
        if (uid == null) {
            uid = PendingUid.take();
        }
        return uid;
    }

    @Override
    public int numClasses() {
        return coefficients.numRows();
    }

    @Override
    public int numFeatures() {
        return coefficients.numCols();
    }

    /** W, K×D. */
    public Matrix coefficientMatrix() {
        return coefficients;
    }

    /** b, K. */
    public Vector interceptVector() {
        return intercepts;
    }

    /** Our model: the weights, the class names, and how it was trained (stop reason, F, max|∂F|). */
    public Model model() {
        return model;
    }

    public TrainingInfo trainingInfo() {
        return model.training();
    }

    /** F, the log-likelihood and max|∂F| of each iteration of the fit (empty for a loaded model). */
    public List<IterationRecord> history() {
        return history;
    }

    /** W x + b, in double. */
    @Override
    public Vector predictRaw(Vector features) {
        int numFeatures = numFeatures();
        if (features.size() != numFeatures) {
            throw new IllegalArgumentException("features has " + features.size() + " values, expected "
                    + numFeatures);
        }
        int numClasses = numClasses();
        double[] margins = intercepts.values().clone();
        double[] w = coefficients.values();
        int[] indices = features instanceof SparseVector sparse ? sparse.indices() : null;
        double[] x = features instanceof SparseVector sparse ? sparse.values() : features.toArray();
        for (int k = 0; k < numClasses; k++) {
            double sum = margins[k];
            int row = k * numFeatures;
            for (int i = 0; i < x.length; i++) {
                sum += w[row + (indices == null ? i : indices[i])] * x[i];
            }
            margins[k] = sum;
        }
        return Vectors.dense(margins);
    }

    /** softmax(raw), in place: exp(r_k − max r) / Σ, so that no term overflows. */
    @Override
    public Vector raw2probabilityInPlace(Vector rawPrediction) {
        if (!(rawPrediction instanceof DenseVector dense)) {
            throw new IllegalArgumentException("raw prediction is a " + rawPrediction.getClass().getSimpleName()
                    + ", expected a DenseVector");
        }
        double[] values = dense.values();
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int k = 0; k < values.length; k++) {
            values[k] = Math.exp(values[k] - max);
            sum += values[k];
        }
        for (int k = 0; k < values.length; k++) {
            values[k] /= sum;
        }
        return dense;
    }

    /**
     * Spark's (it names the columns a training summary reads); overridden because Java sees the two Scala declarations
     * it inherits, with covariant returns, as a clash.
     */
    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public scala.Tuple3 findSummaryModel() {
        return super.findSummaryModel();
    }

    @Override
    public SoftmaxClassificationModel copy(ParamMap extra) {
        SoftmaxClassificationModel copy = new SoftmaxClassificationModel(uid, model, point(), history);
        return copyValues(copy, extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    public static MLReader<SoftmaxClassificationModel> read() {
        return new Reader();
    }

    public static SoftmaxClassificationModel load(String path) {
        return read().load(path);
    }

    /** Spark's metadata (class, uid, params) and our model file beside it. */
    private static final class Writer extends MLWriter {
        private final SoftmaxClassificationModel instance;

        Writer(SoftmaxClassificationModel instance) {
            this.instance = instance;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, sparkSession());
            Configuration conf = sparkSession().sparkContext().hadoopConfiguration();
            Path local = null;
            try {
                local = Files.createTempFile("softmax4j-model", ".json");
                ModelFile.write(instance.model, local);
                org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(path, MODEL_FILE);
                FileSystem fs = target.getFileSystem(conf);
                fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()), target);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot save the model to " + path + ": " + e.getMessage(), e);
            } finally {
                deleteQuietly(local);
            }
            StructType schema = new StructType()
                    .add("coefficientMatrix", SQLDataTypes.MatrixType(), false)
                    .add("interceptVector", SQLDataTypes.VectorType(), false);
            sparkSession().createDataFrame(List.of(RowFactory.create(instance.coefficients, instance.intercepts)),
                    schema).repartition(1).write().parquet(new org.apache.hadoop.fs.Path(path, COEFFICIENTS)
                    .toString());
        }
    }

    private static final class Reader extends MLReader<SoftmaxClassificationModel> {
        @Override
        public SoftmaxClassificationModel load(String path) {
            DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
                    SoftmaxClassificationModel.class.getName());
            Configuration conf = sparkSession().sparkContext().hadoopConfiguration();
            Path local = null;
            Model model;
            try {
                local = Files.createTempFile("softmax4j-model", ".json");
                org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(path, MODEL_FILE);
                source.getFileSystem(conf).copyToLocalFile(false, source,
                        new org.apache.hadoop.fs.Path(local.toUri()), true);
                model = ModelFile.read(local);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the model from " + path + ": " + e.getMessage(), e);
            } finally {
                deleteQuietly(local);
            }
            SoftmaxClassificationModel loaded = new SoftmaxClassificationModel(metadata.uid(), model,
                    coefficients(sparkSession(), path, conf, model), null);
            metadata.getAndSetParams(loaded, scala.Option.empty());
            return loaded;
        }
    }

    /** θ in double from {@link #COEFFICIENTS}, or null when the model was saved without it. */
    private static double[] coefficients(SparkSession session, String path, Configuration conf, Model model) {
        org.apache.hadoop.fs.Path folder = new org.apache.hadoop.fs.Path(path, COEFFICIENTS);
        try {
            if (!folder.getFileSystem(conf).exists(folder)) {
                return null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the model from " + path + ": " + e.getMessage(), e);
        }
        Row row = session.read().parquet(folder.toString()).first();
        Matrix w = row.getAs(0);
        Vector b = row.getAs(1);
        if (w.numRows() != model.numClasses() || w.numCols() != model.numFeatures() || b.size() != w.numRows()) {
            throw new IllegalArgumentException(folder + " holds a " + w.numRows() + "x" + w.numCols() + " matrix and "
                    + b.size() + " intercepts, expected " + model.numClasses() + "x" + model.numFeatures() + " and "
                    + model.numClasses() + " as " + MODEL_FILE);
        }
        int numFeatures = w.numCols();
        double[] point = new double[w.numRows() * numFeatures + b.size()];
        for (int k = 0; k < w.numRows(); k++) {
            for (int j = 0; j < numFeatures; j++) {
                point[k * numFeatures + j] = w.apply(k, j);
            }
            point[w.numRows() * numFeatures + k] = b.apply(k);
        }
        return point;
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A temporary file left behind is not worth failing a save or load for.
            }
        }
    }
}
