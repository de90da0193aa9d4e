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

    /** Set by the first {@link #uid()}, which Spark's superclass constructor makes (see {@link PendingUid}). */
    private String uid;
    /** Ours, on the driver; the executors' copies predict from the coefficients alone. */
    private final transient Model model;
    private final transient List<IterationRecord> history;
    private final DenseMatrix coefficients;
    private final DenseVector intercepts;

    SoftmaxClassificationModel(String uid, Model model, List<IterationRecord> history) {
        this(PendingUid.pass(uid), model, history, true);
    }

    private SoftmaxClassificationModel(String uid, Model model, List<IterationRecord> history, boolean passed) {
        if (!uid.equals(uid())) {
            throw new IllegalStateException("uid " + uid() + " was taken instead of " + uid);
        }
        this.model = model;
        this.history = history == null ? List.of() : List.copyOf(history);
        int numClasses = model.numClasses();
        int numFeatures = model.numFeatures();
        double[] values = new double[numClasses * numFeatures];
        for (int k = 0; k < numClasses; k++) {
            for (int j = 0; j < numFeatures; j++) {
                values[k * numFeatures + j] = model.weight(k, j);
            }
        }
        // Row-major K×D (Spark's DenseMatrix is column-major unless transposed).
        this.coefficients = new DenseMatrix(numClasses, numFeatures, values, true);
        double[] bias = new double[numClasses];
        for (int k = 0; k < numClasses; k++) {
            bias[k] = model.bias(k);
        }
        this.intercepts = new DenseVector(bias);
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
        SoftmaxClassificationModel copy = new SoftmaxClassificationModel(uid, model, history);
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
            SoftmaxClassificationModel loaded = new SoftmaxClassificationModel(metadata.uid(), model, null);
            metadata.getAndSetParams(loaded, scala.Option.empty());
            return loaded;
        }
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
