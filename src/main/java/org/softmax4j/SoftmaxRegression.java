package org.softmax4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.data.Splits;
import org.softmax4j.engine.Backend;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
import org.softmax4j.model.Model;
import org.softmax4j.model.ModelFile;
import org.softmax4j.model.TrainingInfo;
import org.softmax4j.train.Acceleration;
import org.softmax4j.train.Checkpoint;
import org.softmax4j.train.ExampleWeights;
import org.softmax4j.train.IterationRecord;
import org.softmax4j.train.PenaltyFactors;
import org.softmax4j.train.Precision;
import org.softmax4j.train.Preconditioner;
import org.softmax4j.train.Schedule;
import org.softmax4j.train.Trainer;
import org.softmax4j.train.TrainingListener;
import org.softmax4j.train.TrainingOptions;
import org.softmax4j.train.TrainingResult;

/**
 * Softmax regression in three lines, the way scikit-learn users expect it: configure, {@code fit}, {@code predict}.
 *
 * <pre>{@code
 * float[][] x = ...;                  // N rows of D features
 * int[] y = ...;                      // N labels (or String[])
 * SoftmaxRegression model = SoftmaxRegression.builder().lambda(1).solver(Solver.LBFGS).build().fit(x, y);
 * String[] predicted = model.predict(x);
 * double[][] p = model.predictProbabilities(x);
 * double accuracy = model.score(x, y);
 * model.save(Path.of("digits.s4j"));  // the CLI's model file: predict, eval, report and export read it
 * }</pre>
 *
 * <p>The builder has a method for every option of {@code softmax4j train} that shapes the model, with the same name
 * (camel case) and the same default: {@code learningRate} ("auto"), {@code acceleration}, {@code maxIterations},
 * {@code lambda}, {@code tolerance}, {@code batchSize}, {@code seed}, {@code solver}, {@code alpha}, {@code history},
 * {@code momentum}, {@code nesterov}, {@code schedule}, {@code precision}, {@code preconditioner},
 * {@code classWeight}, {@code sampleWeights}, {@code validationFraction}, {@code patience}, {@code init},
 * {@code noBias}, {@code binarize}, {@code backend}, {@code threads} and {@code penaltyFactors}. The options about
 * files ({@code --train}, {@code --test}, {@code --test-fraction}, {@code --model-out}, {@code --report},
 * {@code --plot}, the CSV options) have no builder method: {@code fit} takes the data, {@link #score} tests it,
 * {@link #save} writes it. A bad argument throws {@link IllegalArgumentException} naming it.
 *
 * <p>Classes are the distinct labels in ascending order (numeric order for {@code int} labels), as scikit-learn's
 * {@code classes_}. A fitted model is immutable and safe to share between threads.
 *
 * <p>Why one file of this length: the public face of the library is here in one place, the builder (one checked
 * method per option of {@code train}, each with its Javadoc) and the fitted model, so that a user reads one page.
 */
public final class SoftmaxRegression {
    private final Model model;
    private final List<IterationRecord> history;
    private final String stopReason;
    private final Backend backend;
    private final int threads;

    private SoftmaxRegression(Model model, List<IterationRecord> history, String stopReason, Backend backend,
                              int threads) {
        this.model = model;
        this.history = List.copyOf(history);
        this.stopReason = stopReason;
        this.backend = backend;
        this.threads = threads;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads a model file written by {@link #save} or by {@code softmax4j train --model-out}.
     *
     * @throws InputException when the file is missing or not a valid model file (the message names it)
     */
    public static SoftmaxRegression load(Path file) {
        Model model = ModelFile.read(file);
        return new SoftmaxRegression(model, List.of(), model.training().stopReason(), Backend.CPU, 0);
    }

    /** Wraps a model (from {@link ModelFile}, or one made by hand) to predict with it. */
    public static SoftmaxRegression of(Model model) {
        return new SoftmaxRegression(Objects.requireNonNull(model, "model"), List.of(),
                model.training().stopReason(), Backend.CPU, 0);
    }

    /** Writes the model file (atomically); {@code softmax4j predict --model FILE} reads it. */
    public void save(Path file) {
        ModelFile.write(model, Objects.requireNonNull(file, "file"));
    }

    /** The predicted class of each row: the class with the highest probability (ties to the first class). */
    public String[] predict(float[][] x) {
        int[] index = predictIndices(x);
        String[] out = new String[index.length];
        for (int n = 0; n < index.length; n++) {
            out[n] = model.classNames().get(index[n]);
        }
        return out;
    }

    public String[] predict(double[][] x) {
        return predict(toFloat(x, "x"));
    }

    /** The predicted class of each row as an index into {@link #classes()}. */
    public int[] predictIndices(float[][] x) {
        float[] p = probabilities(x);
        int k = model.numClasses();
        int[] out = new int[x.length];
        for (int n = 0; n < x.length; n++) {
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (p[n * k + c] > p[n * k + best]) {
                    best = c;
                }
            }
            out[n] = best;
        }
        return out;
    }

    public int[] predictIndices(double[][] x) {
        return predictIndices(toFloat(x, "x"));
    }

    /** p[n][k], the probability of class k ({@code classes().get(k)}) for row n; each row sums to 1. */
    public double[][] predictProbabilities(float[][] x) {
        float[] p = probabilities(x);
        int k = model.numClasses();
        double[][] out = new double[x.length][k];
        for (int n = 0; n < x.length; n++) {
            for (int c = 0; c < k; c++) {
                out[n][c] = p[n * k + c];
            }
        }
        return out;
    }

    public double[][] predictProbabilities(double[][] x) {
        return predictProbabilities(toFloat(x, "x"));
    }

    /** The accuracy on labelled rows (scikit-learn's {@code score}); labels must be classes of the model. */
    public double score(float[][] x, int[] y) {
        return score(x, labelsAsText(y));
    }

    public double score(double[][] x, int[] y) {
        return score(toFloat(x, "x"), labelsAsText(y));
    }

    public double score(double[][] x, String[] y) {
        return score(toFloat(x, "x"), y);
    }

    public double score(float[][] x, String[] y) {
        Objects.requireNonNull(y, "y");
        if (y.length != x.length) {
            throw new IllegalArgumentException("y has " + y.length + " labels, expected " + x.length
                    + " (one per row of x)");
        }
        if (x.length == 0) {
            throw new IllegalArgumentException("x has no rows, expected at least 1 to score");
        }
        String[] predicted = predict(x);
        int correct = 0;
        for (int n = 0; n < y.length; n++) {
            if (!model.classNames().contains(y[n])) {
                throw new IllegalArgumentException("y[" + n + "] is \"" + y[n] + "\", not a class of the model "
                        + model.classNames());
            }
            if (predicted[n].equals(y[n])) {
                correct++;
            }
        }
        return (double) correct / y.length;
    }

    /** W as K rows of D weights, a copy. */
    public float[][] weights() {
        float[][] out = new float[model.numClasses()][model.numFeatures()];
        for (int k = 0; k < out.length; k++) {
            for (int j = 0; j < out[k].length; j++) {
                out[k][j] = model.weight(k, j);
            }
        }
        return out;
    }

    /** b, K values, a copy; zeros for a model fitted with {@code noBias(true)}. */
    public float[] bias() {
        float[] out = new float[model.numClasses()];
        for (int k = 0; k < out.length; k++) {
            out[k] = model.bias(k);
        }
        return out;
    }

    /** The class names in model order (ascending, as found in y). */
    public List<String> classes() {
        return model.classNames();
    }

    /** Every iteration of the fit (iteration 0 is the start); empty for a loaded model. */
    public List<IterationRecord> history() {
        return history;
    }

    /** Why training stopped: "converged", "max-iterations", "early-stopping", ... */
    public String stopReason() {
        return stopReason;
    }

    /** The underlying model: for reports, ONNX ({@link Model#toOnnx()}) and the rest of the library. */
    public Model model() {
        return model;
    }

    private float[] probabilities(float[][] x) {
        Dataset data = dataset(x, null, model.numFeatures(), model.classNames(), model.binarizeThreshold(), "x");
        float[] out = new float[Math.multiplyExact(x.length, model.numClasses())];
        if (x.length == 0) {
            return out;
        }
        try (Engine engine = backend.open(threads, line -> { });
             Evaluator evaluator = engine.bind(data)) {
            evaluator.probabilities(model.parameters(), out);
        }
        return out;
    }

    // ---- data ----

    /** Rows as a dense data set, binarised at the threshold when there is one; labels may be null (all 0). */
    static Dataset dataset(float[][] x, int[] labels, int numFeatures, List<String> classNames, Double threshold,
                           String name) {
        Objects.requireNonNull(x, name);
        float[] values = new float[Math.multiplyExact(x.length, numFeatures)];
        for (int n = 0; n < x.length; n++) {
            if (x[n] == null) {
                throw new IllegalArgumentException(name + "[" + n + "] is null, expected " + numFeatures
                        + " features");
            }
            if (x[n].length != numFeatures) {
                throw new IllegalArgumentException(name + "[" + n + "] has " + x[n].length + " features, expected "
                        + numFeatures);
            }
            for (int j = 0; j < numFeatures; j++) {
                float v = x[n][j];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException(name + "[" + n + "][" + j + "] is " + v
                            + ", expected a finite number");
                }
                values[n * numFeatures + j] = threshold == null ? v : (v >= threshold ? 1f : 0f);
            }
        }
        return new DenseDataset(values, labels == null ? new int[x.length] : labels, numFeatures, classNames, name);
    }

    static float[][] toFloat(double[][] x, String name) {
        Objects.requireNonNull(x, name);
        float[][] out = new float[x.length][];
        for (int n = 0; n < x.length; n++) {
            if (x[n] == null) {
                throw new IllegalArgumentException(name + "[" + n + "] is null, expected a row of features");
            }
            out[n] = new float[x[n].length];
            for (int j = 0; j < x[n].length; j++) {
                out[n][j] = (float) x[n][j];
            }
        }
        return out;
    }

    private static String[] labelsAsText(int[] y) {
        Objects.requireNonNull(y, "y");
        String[] out = new String[y.length];
        for (int n = 0; n < y.length; n++) {
            out[n] = Integer.toString(y[n]);
        }
        return out;
    }

    /**
     * The options of a fit; {@link #build()} checks them together and gives the estimator. Every method checks its
     * argument at once and throws {@link IllegalArgumentException} naming it.
     */
    public static final class Builder {
        private double learningRate = TrainingOptions.AUTO_LEARNING_RATE;
        private Acceleration acceleration = Acceleration.NESTEROV;
        private int maxIterations = TrainingOptions.DEFAULT_MAX_ITERATIONS;
        private double lambda = TrainingOptions.DEFAULT_LAMBDA;
        private double tolerance = TrainingOptions.DEFAULT_TOLERANCE;
        private int batchSize;
        private long seed = TrainingOptions.DEFAULT_SEED;
        private Solver solver = Solver.ASCENT;
        private double alpha;
        private int history = TrainingOptions.AUTO_HISTORY;
        private double momentum = TrainingOptions.DEFAULT_MOMENTUM;
        private boolean nesterov;
        private Schedule schedule = Schedule.CONSTANT;
        private Precision precision = Precision.DOUBLE;
        private Preconditioner preconditioner = Preconditioner.CENTER;
        private String classWeight;
        private double[] sampleWeights;
        private double validationFraction;
        private int patience = TrainingOptions.DEFAULT_PATIENCE;
        private Model init;
        private boolean noBias;
        private Double binarize;
        private Backend backend = Backend.AUTO;
        private int threads;
        private Checkpoint.Writing checkpoint;
        private Path resume;
        /** null: none, every factor 1 (a file on the command line, which has no default). */
        private PenaltyFactors penaltyFactors;

        private Builder() {
        }

        /** The step η of ascent, sgd and adam, finite, above 0. Default: "auto" ({@link #learningRate(String)}). */
        public Builder learningRate(double eta) {
            if (!(eta > 0) || Double.isInfinite(eta)) {
                throw new IllegalArgumentException("learningRate is " + eta + ", expected a finite number > 0 or "
                        + "\"auto\"");
            }
            this.learningRate = eta;
            return this;
        }

        /** "auto" (η = N/L from the data's curvature, safeguarded; the default) or a number as text. */
        public Builder learningRate(String eta) {
            Objects.requireNonNull(eta, "learningRate");
            if (eta.trim().equalsIgnoreCase("auto")) {
                this.learningRate = TrainingOptions.AUTO_LEARNING_RATE;
                return this;
            }
            try {
                return learningRate(Double.parseDouble(eta.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("learningRate is \"" + eta + "\", expected auto or a number > 0");
            }
        }

        /** "nesterov" (the default) or "none": ascent's momentum with the auto step. */
        public Builder acceleration(String name) {
            this.acceleration = parse(() -> Acceleration.parse(name), "acceleration", name);
            return this;
        }

        /** At least 0. Default: 5000. */
        public Builder maxIterations(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("maxIterations is " + count + ", expected 0 or more");
            }
            this.maxIterations = count;
            return this;
        }

        /** The penalty (λ/2)·‖W‖² in sum form (1/C of scikit-learn), finite, at least 0. Default: 1. */
        public Builder lambda(double value) {
            if (!(value >= 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException("lambda is " + value + ", expected a finite number >= 0");
            }
            this.lambda = value;
            return this;
        }

        /** Stop when the relative change of F, or ‖∇F‖/N, is below this. Default: 1e-6. */
        public Builder tolerance(double value) {
            if (!(value >= 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException("tolerance is " + value + ", expected a finite number >= 0");
            }
            this.tolerance = value;
            return this;
        }

        /** Mini-batch size of ascent, sgd and adam; 0 (the default) for the full batch. */
        public Builder batchSize(int size) {
            if (size < 0) {
                throw new IllegalArgumentException("batchSize is " + size + ", expected 0 (full batch) or more");
            }
            this.batchSize = size;
            return this;
        }

        /** The seed of the mini-batch order and the validation split. Default: 1. */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /** Default: {@link Solver#ASCENT}. */
        public Builder solver(Solver value) {
            this.solver = Objects.requireNonNull(value, "solver");
            return this;
        }

        /** The L1 share of the penalty, in [0, 1]; above 0 needs {@link Solver#OWLQN}. Default: 0. */
        public Builder alpha(double value) {
            if (!(value >= 0 && value <= 1)) {
                throw new IllegalArgumentException("alpha is " + value + ", expected a number in [0, 1]");
            }
            this.alpha = value;
            return this;
        }

        /** Pairs kept by lbfgs and owlqn, at least 1. Default: auto (10; for lbfgs on dense rows one per 80 rows, up to 300). */
        public Builder history(int pairs) {
            if (pairs < 1) {
                throw new IllegalArgumentException("history is " + pairs + ", expected at least 1");
            }
            this.history = pairs;
            return this;
        }

        /** Momentum of sgd, in [0, 1). Default: 0.9. */
        public Builder momentum(double value) {
            if (!(value >= 0 && value < 1)) {
                throw new IllegalArgumentException("momentum is " + value + ", expected a number in [0, 1)");
            }
            this.momentum = value;
            return this;
        }

        /** Nesterov's momentum for sgd. Default: false. */
        public Builder nesterov(boolean value) {
            this.nesterov = value;
            return this;
        }

        /** The step schedule of sgd and adam: "constant" (the default), "inverse-time" or "cosine". */
        public Builder schedule(String name) {
            this.schedule = parse(() -> Schedule.parse(name), "schedule", name);
            return this;
        }

        /** lbfgs/owlqn: "double" (finish in double precision; the default) or "engine". */
        public Builder precision(String name) {
            this.precision = parse(() -> Precision.parse(name), "precision", name);
            return this;
        }

        /** lbfgs/owlqn: "center" (the default) or "none". */
        public Builder preconditioner(String name) {
            this.preconditioner = parse(() -> Preconditioner.parse(name), "preconditioner", name);
            return this;
        }

        /** "balanced" (N / (K·count)) or "CLASS=W,..." (others 1), as {@code --class-weight}. Default: none. */
        public Builder classWeight(String spec) {
            Objects.requireNonNull(spec, "classWeight");
            if (!spec.trim().equalsIgnoreCase("balanced")) {
                for (String item : spec.split(",", -1)) {
                    int equals = item.lastIndexOf('=');
                    double w;
                    try {
                        w = equals < 1 ? Double.NaN : Double.parseDouble(item.substring(equals + 1).trim());
                    } catch (NumberFormatException e) {
                        w = Double.NaN;
                    }
                    if (!(w >= 0) || Double.isInfinite(w)) {
                        throw new IllegalArgumentException("classWeight item \"" + item + "\": expected balanced or "
                                + "CLASS=WEIGHT with a finite weight >= 0");
                    }
                }
            }
            this.classWeight = spec.trim();
            return this;
        }

        /** One weight (finite, at least 0) per row of the x given to fit, in order. Default: none (all 1). */
        public Builder sampleWeights(double[] weights) {
            Objects.requireNonNull(weights, "sampleWeights");
            for (int n = 0; n < weights.length; n++) {
                if (!(weights[n] >= 0) || Double.isInfinite(weights[n])) {
                    throw new IllegalArgumentException("sampleWeights[" + n + "] is " + weights[n]
                            + ", expected a finite weight >= 0");
                }
            }
            this.sampleWeights = weights.clone();
            return this;
        }

        /** Share of the rows held out (stratified) for early stopping, in [0, 1); 0 (the default) for none. */
        public Builder validationFraction(double value) {
            if (!(value >= 0 && value < 1)) {
                throw new IllegalArgumentException("validationFraction is " + value + ", expected a number in [0, 1)");
            }
            this.validationFraction = value;
            return this;
        }

        /** With a validation set: iterations without a better validation log-likelihood to stop. Default: 10. */
        public Builder patience(int iterations) {
            if (iterations < 1) {
                throw new IllegalArgumentException("patience is " + iterations + ", expected at least 1");
            }
            this.patience = iterations;
            return this;
        }

        /** Warm start from a fitted model (same classes and features; a bias unless {@code noBias}). */
        public Builder init(SoftmaxRegression model) {
            this.init = Objects.requireNonNull(model, "init").model;
            return this;
        }

        /** The model without a bias: scores W·x. Default: false. */
        public Builder noBias(boolean value) {
            this.noBias = value;
            return this;
        }

        /**
         * Binarise every feature at this finite threshold (1 where x &gt;= threshold, else 0) in fit and in every
         * prediction, as the CLI's {@code --binarize}. Default: none (features as given).
         */
        public Builder binarize(double threshold) {
            if (!Double.isFinite(threshold)) {
                throw new IllegalArgumentException("binarize is " + threshold + ", expected a finite threshold");
            }
            this.binarize = threshold;
            return this;
        }

        /**
         * Write the whole training state to {@code file}, atomically, every {@code everySeconds} (0: after every
         * iteration), as the CLI's {@code --checkpoint}; {@link #resume} continues from it. Default: none.
         */
        public Builder checkpoint(Path file, double everySeconds) {
            this.checkpoint = new Checkpoint.Writing(Objects.requireNonNull(file, "checkpoint"), everySeconds);
            return this;
        }

        /**
         * Continue the fit that wrote this checkpoint (with the same data and settings; the iteration limit may
         * change) to the result it would have reached, bit for bit on the CPU engine, as the CLI's {@code --resume}.
         * {@link Estimator#fit} throws {@link InputException} for a damaged checkpoint, or one written with other
         * data or settings. Default: none.
         */
        public Builder resume(Path file) {
            this.resume = Objects.requireNonNull(file, "resume");
            return this;
        }

        /**
         * Per-feature penalty factors ({@link PenaltyFactors}; the CLI's {@code --penalty-factors}): one L2 and one L1
         * factor per feature of the data given to fit, which checks their number. Default:
         * {@link PenaltyFactors#none()}, every factor 1.
         */
        public Builder penaltyFactors(PenaltyFactors factors) {
            this.penaltyFactors = Objects.requireNonNull(factors, "penaltyFactors");
            return this;
        }

        /** One factor per feature for both parts of the penalty, glmnet's {@code penalty.factor}. */
        public Builder penaltyFactors(double[] factors) {
            return penaltyFactors(PenaltyFactors.same(factors));
        }

        /** "auto" (CUDA when usable, else the CPU; the default), "cpu" or "cuda". */
        public Builder backend(String name) {
            this.backend = parse(() -> Backend.parse(name), "backend", name);
            return this;
        }

        /** CPU threads, 0 (the default) for one per processor; results are bitwise the same for every count. */
        public Builder threads(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("threads is " + count + ", expected 0 (all processors) or more");
            }
            this.threads = count;
            return this;
        }

        /**
         * Checks the options together (alpha above 0 needs owlqn; lbfgs and owlqn take the full batch).
         *
         * @throws IllegalArgumentException naming the options that do not fit together
         */
        public Estimator build() {
            TrainingOptions options = new TrainingOptions(learningRate, maxIterations, lambda, tolerance, batchSize,
                    seed, solver.type(), alpha, history, momentum, nesterov, schedule, patience, precision,
                    preconditioner, noBias, acceleration);
            return new Estimator(this, options);
        }

        private static <T> T parse(java.util.function.Supplier<T> parser, String option, String text) {
            if (text == null) {
                throw new IllegalArgumentException(option + " is null");
            }
            try {
                return parser.get();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
            }
        }
    }

    /** Configured, not yet fitted: {@link #fit} trains a new model each time, leaving the estimator as it was. */
    public static final class Estimator {
        private final Builder settings;
        private final TrainingOptions options;
        private final double[] sampleWeights;
        private final PenaltyFactors penaltyFactors;

        private Estimator(Builder settings, TrainingOptions options) {
            this.settings = settings;
            this.options = options;
            this.sampleWeights = settings.sampleWeights == null ? null : settings.sampleWeights.clone();
            this.penaltyFactors = settings.penaltyFactors == null ? PenaltyFactors.none() : settings.penaltyFactors;
        }

        public SoftmaxRegression fit(float[][] x, int[] y) {
            Objects.requireNonNull(y, "y");
            TreeSet<Integer> distinct = new TreeSet<>();
            for (int label : y) {
                distinct.add(label);
            }
            List<String> names = new ArrayList<>();
            for (int label : distinct) {
                names.add(Integer.toString(label));
            }
            return fit(x, labelsAsText(y), names);
        }

        public SoftmaxRegression fit(double[][] x, int[] y) {
            return fit(toFloat(x, "x"), y);
        }

        public SoftmaxRegression fit(double[][] x, String[] y) {
            return fit(toFloat(x, "x"), y);
        }

        public SoftmaxRegression fit(float[][] x, String[] y) {
            Objects.requireNonNull(y, "y");
            TreeSet<String> distinct = new TreeSet<>();
            for (int n = 0; n < y.length; n++) {
                if (y[n] == null || y[n].isEmpty()) {
                    throw new IllegalArgumentException("y[" + n + "] is " + (y[n] == null ? "null" : "empty")
                            + ", expected a class name");
                }
                distinct.add(y[n]);
            }
            return fit(x, y, new ArrayList<>(distinct));
        }

        /**
         * Fits on a data set as the library reads it ({@code CsvReader}, {@code BuiltinDigits}), its values used as
         * they are: a data set read with a threshold is binarised already, so {@code binarize(T)} here only records T
         * in the model, for predictions on raw rows; give it the threshold the data were read with
         * ({@code BuiltinDigits.load(8)} with {@code binarize(8)}).
         */
        public SoftmaxRegression fit(Dataset data) {
            Objects.requireNonNull(data, "data");
            return train(data, settings.binarize, data.source());
        }

        private SoftmaxRegression fit(float[][] x, String[] y, List<String> classNames) {
            Objects.requireNonNull(x, "x");
            if (x.length == 0) {
                throw new IllegalArgumentException("x has no rows, expected at least 1");
            }
            if (y.length != x.length) {
                throw new IllegalArgumentException("y has " + y.length + " labels, expected " + x.length
                        + " (one per row of x)");
            }
            if (x[0] == null) {
                throw new IllegalArgumentException("x[0] is null, expected a row of features");
            }
            Map<String, Integer> index = new LinkedHashMap<>();
            for (String name : classNames) {
                index.put(name, index.size());
            }
            int[] labels = new int[y.length];
            for (int n = 0; n < y.length; n++) {
                labels[n] = index.get(y[n]);
            }
            Dataset data = dataset(x, labels, x[0].length, classNames, settings.binarize, "x");
            return train(data, settings.binarize, "arrays");
        }

        private SoftmaxRegression train(Dataset all, Double threshold, String source) {
            if (all.numExamples() == 0) {
                throw new IllegalArgumentException("the data have no rows, expected at least 1");
            }
            if (sampleWeights != null && sampleWeights.length != all.numExamples()) {
                throw new IllegalArgumentException("sampleWeights has " + sampleWeights.length + " weights, expected "
                        + all.numExamples() + " (one per row)");
            }
            PenaltyFactors factors = penaltyFactors;
            if (factors.numFeatures() != all.numFeatures() && !factors.isNone()) {
                throw new IllegalArgumentException("penaltyFactors has " + factors.numFeatures() + " factors, expected "
                        + all.numFeatures() + " (one per feature)");
            }
            Dataset train = all;
            Dataset validation = null;
            double[] rowWeights = sampleWeights;
            if (settings.validationFraction > 0) {
                int[][] parts = Splits.stratifiedIndices(all, settings.validationFraction, options.seed() + 1);
                validation = all.select(parts[1]);
                train = all.select(parts[0]);
                rowWeights = ExampleWeights.select(sampleWeights, parts[0]);
            }
            double[] classWeights = classWeights(train);
            double[] exampleWeights = ExampleWeights.combine(train, rowWeights, classWeights);
            Parameters start = new Parameters(train.numClasses(), train.numFeatures());
            if (settings.init != null) {
                Model init = settings.init;
                if (init.hasBias() == settings.noBias) {
                    throw new IllegalArgumentException("init " + (settings.noBias ? "has a bias, but noBias is set"
                            : "has no bias; set noBias(true) to continue it"));
                }
                if (!init.classNames().equals(train.classNames()) || init.numFeatures() != train.numFeatures()) {
                    throw new IllegalArgumentException("init has classes " + init.classNames() + " and "
                            + init.numFeatures() + " features, expected " + train.classNames() + " and "
                            + train.numFeatures());
                }
                start = init.parameters();
            }
            TrainingResult result;
            String engineDescription;
            try (Engine engine = settings.backend.open(settings.threads, line -> { });
                 Evaluator evaluator = engine.bind(train, exampleWeights);
                 Evaluator validationEvaluator = validation == null ? null : engine.bind(validation)) {
                Trainer trainer = new Trainer(options).withPenaltyFactors(factors);
                if (settings.checkpoint != null || settings.resume != null) {
                    Checkpoint resumed = settings.resume == null ? null : Checkpoint.read(settings.resume);
                    trainer = trainer.withCheckpoints(settings.checkpoint, resumed);
                }
                // With the engine, the quasi-Newton solvers' double-precision polish runs on its threads (or device).
                result = trainer.train(engine, evaluator, exampleWeights, validationEvaluator, start,
                        TrainingListener.NONE);
                engineDescription = engine.description();
            }
            var best = result.best();
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("log_likelihood", best.logLikelihood());
            metrics.put("objective", best.objective());
            metrics.put("gradient_max_abs", best.gradientMaxAbs());
            metrics.put("gradient_norm_per_example", best.gradientNorm());
            metrics.put("train_accuracy", best.trainAccuracy());
            Map<String, String> recorded = new LinkedHashMap<>();
            recorded.put("data", source);
            recorded.put("learning_rate", options.autoLearningRate() ? "auto"
                    : String.valueOf(options.learningRate()));
            recorded.put("max_iterations", String.valueOf(options.maxIterations()));
            recorded.put("lambda", String.valueOf(options.lambda()));
            recorded.put("tolerance", String.valueOf(options.tolerance()));
            recorded.put("batch_size", String.valueOf(options.batchSize()));
            recorded.put("seed", String.valueOf(options.seed()));
            recorded.put("solver", options.solver().id());
            recorded.put("alpha", String.valueOf(options.alpha()));
            factors.record(recorded);
            if (settings.classWeight != null) {
                recorded.put("class_weight", settings.classWeight);
            }
            if (settings.validationFraction > 0) {
                recorded.put("validation_fraction", String.valueOf(settings.validationFraction));
                recorded.put("patience", String.valueOf(options.patience()));
            }
            recorded.put("binarize", threshold == null ? "none" : String.valueOf(threshold));
            recorded.put("api", "SoftmaxRegression");
            TrainingInfo info = new TrainingInfo(engineDescription, options.seed(), result.stopReason().id(),
                    result.iterations(), recorded, metrics, java.time.Instant.now().toString(), Version.get());
            Model model = new Model(result.parameters(), train.classNames(), threshold, info, !options.noBias());
            return new SoftmaxRegression(model, result.history(), result.stopReason().id(), settings.backend,
                    settings.threads);
        }

        private double[] classWeights(Dataset train) {
            String spec = settings.classWeight;
            if (spec == null) {
                return null;
            }
            if (spec.equalsIgnoreCase("balanced")) {
                return ExampleWeights.balanced(train);
            }
            double[] weights = new double[train.numClasses()];
            Arrays.fill(weights, 1.0);
            for (String item : spec.split(",", -1)) {
                int equals = item.lastIndexOf('=');
                String name = item.substring(0, equals).trim();
                int k = train.classNames().indexOf(name);
                if (k < 0) {
                    throw new IllegalArgumentException("classWeight item \"" + item + "\": " + name
                            + " is not a class of " + train.classNames());
                }
                weights[k] = Double.parseDouble(item.substring(equals + 1).trim());
            }
            return weights;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "SoftmaxRegression.Estimator[%s]", options);
        }
    }
}
