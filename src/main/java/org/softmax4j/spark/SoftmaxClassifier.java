package org.softmax4j.spark;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.softmax4j.Version;
import org.softmax4j.data.PartitionedDataset;
import org.softmax4j.engine.Backend;
import org.softmax4j.engine.Parameters;
import org.softmax4j.model.Model;
import org.softmax4j.model.TrainingInfo;
import org.softmax4j.train.Acceleration;
import org.softmax4j.train.PenaltyFactors;
import org.softmax4j.train.Precision;
import org.softmax4j.train.Preconditioner;
import org.softmax4j.train.Schedule;
import org.softmax4j.train.SolverType;
import org.softmax4j.train.Trainer;
import org.softmax4j.train.TrainingListener;
import org.softmax4j.train.TrainingOptions;
import org.softmax4j.train.TrainingResult;

/**
 * Softmax (multinomial logistic) regression as a spark.ml estimator: our solvers on the driver, every evaluation of
 * the log-likelihood and its gradient on the executors (each partition packed once, evaluated by our CPU or CUDA
 * engine, the partials added in partition order). Used wherever Spark's LogisticRegression is: in a Pipeline, with
 * CrossValidator and ParamGridBuilder, saved and loaded.
 *
 * <p>Spark's params keep Spark's names and meanings: {@code regParam} and {@code elasticNetParam} are Spark's, whose
 * loss is averaged over the weight sum, so our sum-form λ is {@code regParam · Σ weights}; {@code tol} is our stopping
 * rule (lbfgs and owlqn stop when max|∂F| of the sum-form objective is at most tol). Ours: {@code solver} (lbfgs, the
 * default, runs owlqn when the penalty has an L1 part), {@code backend} (cpu, cuda, auto), {@code history},
 * {@code learningRate}, {@code batchSize}, {@code seed}.
 */
public final class SoftmaxClassifier
        extends ProbabilisticClassifier<Vector, SoftmaxClassifier, SoftmaxClassificationModel>
        implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    /** Set by the first {@link #uid()}, which Spark's superclass constructor makes (see {@link PendingUid}). */
    private String uid;
    private final Param<String> weightCol;
    private final IntParam maxIter;
    private final DoubleParam tol;
    private final DoubleParam regParam;
    private final DoubleParam elasticNetParam;
    private final BooleanParam standardization;
    private final BooleanParam fitIntercept;
    private final IntParam aggregationDepth;
    private final Param<String> solver;
    private final Param<String> backend;
    private final Param<String> precision;
    private final IntParam history;
    private final DoubleParam learningRate;
    private final IntParam batchSize;
    private final LongParam seed;

    public SoftmaxClassifier() {
        this(Identifiable$.MODULE$.randomUID("softmax4j"));
    }

    public SoftmaxClassifier(String uid) {
        this(PendingUid.pass(uid), true);
    }

    private SoftmaxClassifier(String uid, boolean passed) {
        if (!uid.equals(uid())) {
            throw new IllegalStateException("uid " + uid() + " was taken instead of " + uid);
        }
        weightCol = new Param<>(this, "weightCol", "weight column name; if not set or empty, every row has weight 1");
        maxIter = new IntParam(this, "maxIter", "maximum number of iterations (>= 0)", ParamValidators.gtEq(0));
        tol = new DoubleParam(this, "tol", "stop when max|dF| of the sum-form objective is at most this (>= 0)",
                ParamValidators.gtEq(0));
        regParam = new DoubleParam(this, "regParam", "regularization parameter (>= 0), Spark's: our lambda is "
                + "regParam times the sum of the weights", ParamValidators.gtEq(0));
        elasticNetParam = new DoubleParam(this, "elasticNetParam", "the ElasticNet mixing parameter, in [0, 1]: 0 is "
                + "an L2 penalty, 1 an L1 penalty", ParamValidators.inRange(0, 1));
        standardization = new BooleanParam(this, "standardization", "whether the penalty is that of standardized "
                + "features (Spark's meaning); the data are never rescaled");
        fitIntercept = new BooleanParam(this, "fitIntercept", "whether to fit an intercept term (true only)");
        aggregationDepth = new IntParam(this, "aggregationDepth", "depth of the tree that adds the partitions' sums "
                + "(>= 2), in partition order", ParamValidators.gtEq(2));
        solver = new Param<>(this, "solver", "lbfgs (owlqn when the penalty has an L1 part), owlqn, newton, ascent, "
                + "sgd or adam", ParamValidators.inArray(new String[] {"lbfgs", "owlqn", "newton", "ascent", "sgd",
                "adam"}));
        backend = new Param<>(this, "backend", "cpu, cuda, or auto (cuda where every executor has a usable GPU)",
                ParamValidators.inArray(new String[] {"cpu", "cuda", "auto"}));
        precision = new Param<>(this, "precision", "what lbfgs and owlqn evaluate F with: double (the executors' "
                + "double-precision evaluators: on the CPU from the start, on CUDA after the device's float32 evaluations "
                + "meet tol) or engine (the backend's float32 evaluation throughout), train's --precision",
                ParamValidators.inArray(new String[] {"double", "engine"}));
        history = new IntParam(this, "history", "pairs kept by lbfgs and owlqn (>= 1), or 0: as many as pay on Spark "
                + "(40, fewer where 2 x 40 vectors of K*D+K doubles pass 256 MiB, at least 10)", ParamValidators.gtEq(0));
        learningRate = new DoubleParam(this, "learningRate", "step of ascent, sgd and adam (> 0); NaN: adam's default "
                + "(ascent and sgd need one on Spark)", value -> Double.isNaN((Double) value) || (Double) value > 0);
        batchSize = new IntParam(this, "batchSize", "rows per step of sgd and adam, 0 for the full batch (>= 0)",
                ParamValidators.gtEq(0));
        seed = new LongParam(this, "seed", "random seed of the mini-batches");
        setDefault(weightCol, "");
        setDefault(maxIter, 100);
        setDefault(tol, TrainingOptions.DEFAULT_TOLERANCE);
        setDefault(regParam, 0.0);
        setDefault(elasticNetParam, 0.0);
        setDefault(standardization, true);
        setDefault(fitIntercept, true);
        setDefault(aggregationDepth, 2);
        setDefault(solver, "lbfgs");
        setDefault(backend, "auto");
        setDefault(precision, Precision.DOUBLE.id());
        setDefault(history, 0);
        setDefault(learningRate, Double.NaN);
        setDefault(batchSize, 0);
        setDefault(seed, TrainingOptions.DEFAULT_SEED);
    }

    @Override
    public String uid() {
        if (uid == null) {
            uid = PendingUid.take();
        }
        return uid;
    }

    public Param<String> weightCol() {
        return weightCol;
    }

    public IntParam maxIter() {
        return maxIter;
    }

    public DoubleParam tol() {
        return tol;
    }

    public DoubleParam regParam() {
        return regParam;
    }

    public DoubleParam elasticNetParam() {
        return elasticNetParam;
    }

    public BooleanParam standardization() {
        return standardization;
    }

    public BooleanParam fitIntercept() {
        return fitIntercept;
    }

    public IntParam aggregationDepth() {
        return aggregationDepth;
    }

    public Param<String> solver() {
        return solver;
    }

    public Param<String> backend() {
        return backend;
    }

    public Param<String> precision() {
        return precision;
    }

    public IntParam history() {
        return history;
    }

    public DoubleParam learningRate() {
        return learningRate;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public LongParam seed() {
        return seed;
    }

    public SoftmaxClassifier setWeightCol(String value) {
        return (SoftmaxClassifier) set(weightCol, value);
    }

    public SoftmaxClassifier setMaxIter(int value) {
        return (SoftmaxClassifier) set(maxIter, value);
    }

    public SoftmaxClassifier setTol(double value) {
        return (SoftmaxClassifier) set(tol, value);
    }

    public SoftmaxClassifier setRegParam(double value) {
        return (SoftmaxClassifier) set(regParam, value);
    }

    public SoftmaxClassifier setElasticNetParam(double value) {
        return (SoftmaxClassifier) set(elasticNetParam, value);
    }

    public SoftmaxClassifier setStandardization(boolean value) {
        return (SoftmaxClassifier) set(standardization, value);
    }

    public SoftmaxClassifier setFitIntercept(boolean value) {
        return (SoftmaxClassifier) set(fitIntercept, value);
    }

    public SoftmaxClassifier setAggregationDepth(int value) {
        return (SoftmaxClassifier) set(aggregationDepth, value);
    }

    public SoftmaxClassifier setSolver(String value) {
        return (SoftmaxClassifier) set(solver, value);
    }

    public SoftmaxClassifier setBackend(String value) {
        return (SoftmaxClassifier) set(backend, value);
    }

    public SoftmaxClassifier setPrecision(String value) {
        return (SoftmaxClassifier) set(precision, value);
    }

    public SoftmaxClassifier setHistory(int value) {
        return (SoftmaxClassifier) set(history, value);
    }

    public SoftmaxClassifier setLearningRate(double value) {
        return (SoftmaxClassifier) set(learningRate, value);
    }

    public SoftmaxClassifier setBatchSize(int value) {
        return (SoftmaxClassifier) set(batchSize, value);
    }

    public SoftmaxClassifier setSeed(long value) {
        return (SoftmaxClassifier) set(seed, value);
    }

    public String getWeightCol() {
        return (String) $(weightCol);
    }

    public int getMaxIter() {
        return (Integer) $(maxIter);
    }

    public double getTol() {
        return (Double) $(tol);
    }

    public double getRegParam() {
        return (Double) $(regParam);
    }

    public double getElasticNetParam() {
        return (Double) $(elasticNetParam);
    }

    public boolean getStandardization() {
        return (Boolean) $(standardization);
    }

    public boolean getFitIntercept() {
        return (Boolean) $(fitIntercept);
    }

    public int getAggregationDepth() {
        return (Integer) $(aggregationDepth);
    }

    public String getSolver() {
        return (String) $(solver);
    }

    public String getBackend() {
        return (String) $(backend);
    }

    public String getPrecision() {
        return (String) $(precision);
    }

    public int getHistory() {
        return (Integer) $(history);
    }

    public double getLearningRate() {
        return (Double) $(learningRate);
    }

    public int getBatchSize() {
        return (Integer) $(batchSize);
    }

    public long getSeed() {
        return (Long) $(seed);
    }

    @Override
    public SoftmaxClassifier copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<SoftmaxClassifier> read() {
        return new DefaultParamsReader<>();
    }

    public static SoftmaxClassifier load(String path) {
        return read().load(path);
    }

    /**
     * The solver these params run: lbfgs becomes owlqn when the penalty has an L1 part (as MLlib's L-BFGS becomes
     * OWL-QN).
     */
    SolverType solverType() {
        SolverType type = SolverType.parse(getSolver());
        boolean l1 = getRegParam() > 0 && getElasticNetParam() > 0;
        return type == SolverType.LBFGS && l1 ? SolverType.OWLQN : type;
    }

    /**
     * The pairs lbfgs and owlqn keep: {@code history}, or for 0 as many as pay on Spark. Each iteration costs a Spark
     * job (tens of milliseconds on local[2]), the pairs cost 4·m·(K·D+K) flops on the driver, so more pairs than
     * {@code train}'s 10 pay: on 10⁵ binary rows (D = 64, K = 10, λ = 1), to max|∂F| ≤ 1e-6, 220 iterations with 10
     * pairs, 121 with 40, 104 with 80. So at least {@link TrainingOptions#PARTITIONED_LEAST_HISTORY}, and with lbfgs as
     * many as one machine's {@code --history auto} gives if more (one per 80 dense or 1,000 bit-packed rows, up to
     * 300), within 256 MiB.
     */
    int history(SolverType solver, boolean dense, long numExamples, int dimension) {
        if (getHistory() > 0) {
            return getHistory();
        }
        return TrainingOptions.autoHistory(solver, dense, numExamples, dimension,
                TrainingOptions.PARTITIONED_LEAST_HISTORY);
    }

    /**
     * Checks what these params cannot do, before the data are read.
     *
     * @throws IllegalArgumentException naming the param
     */
    void checkParams() {
        if (!getFitIntercept()) {
            throw new IllegalArgumentException("fitIntercept is false; this estimator fits an intercept always "
                    + "(set fitIntercept to true)");
        }
        SolverType type = solverType();
        if (!type.isQuasiNewton() && type != SolverType.ADAM && Double.isNaN(getLearningRate())) {
            throw new IllegalArgumentException("solver " + type.id() + " needs a learningRate on Spark (the automatic "
                    + "step reads every row on the driver); set learningRate, or use lbfgs");
        }
        if (type.isQuasiNewton() && getBatchSize() != 0) {
            throw new IllegalArgumentException("batchSize is " + getBatchSize() + ", but " + type.id()
                    + " works on the full batch only (batchSize 0)");
        }
    }

    /**
     * Spark's standardization as penalty factors: Spark penalises the weights β_j = σ_j w_j of standardised features,
     * so in the original coordinates the L2 factor is σ_j² and the L1 factor σ_j, with σ_j Spark's weighted unbiased
     * standard deviation, σ_j² = (Σω x² − (Σω x)²/Σω) / (Σω − Σω²/Σω) (its Summarizer's). A constant feature gets the
     * factor 0, as in Spark, where its standardised value is 0. The data are never rescaled.
     */
    static PenaltyFactors standardization(PartitionedDataset data, double weightSquares) {
        double total = data.weightTotal();
        double denominator = total - weightSquares / total;
        double[] sums = data.featureSums();
        double[] squares = data.featureSquares();
        double[] variance = new double[sums.length];
        double[] deviation = new double[sums.length];
        for (int j = 0; j < sums.length; j++) {
            variance[j] = denominator > 0 ? Math.max((squares[j] - sums[j] * sums[j] / total) / denominator, 0) : 0;
            deviation[j] = Math.sqrt(variance[j]);
        }
        return PenaltyFactors.of(variance, deviation);
    }

    @Override
    public SoftmaxClassificationModel train(Dataset<?> dataset) {
        checkParams();
        String weight = isDefined(weightCol) && !getWeightCol().isEmpty() ? getWeightCol() : null;
        Columns columns = new Columns(getLabelCol(), getFeaturesCol(), weight);
        Column label = functions.col(columns.label()).cast("double");
        Column features = functions.col(columns.features());
        Dataset<Row> frame = weight == null ? dataset.select(label, features)
                : dataset.select(label, features, functions.col(weight).cast("double"));
        int threads = dataset.sparkSession().sparkContext().getConf().getInt("spark.task.cpus", 1);
        Backend chosen = Backend.parse(getBackend());
        try (PartitionedRows rows = PartitionedRows.load(frame.javaRDD(), columns, chosen, threads,
                getAggregationDepth(), false, "DataFrame[" + columns.label() + ", " + columns.features() + "]")) {
            return fit(rows, dataset.sparkSession().sparkContext().master());
        }
    }

    private SoftmaxClassificationModel fit(PartitionedRows rows, String master) {
        var data = rows.dataset();
        double lambda = getRegParam() * data.weightTotal();
        SolverType type = solverType();
        PenaltyFactors factors = getStandardization() ? standardization(data, rows.weightSquares())
                : PenaltyFactors.none();
        TrainingOptions options = new TrainingOptions(getLearningRate(), getMaxIter(), lambda, getTol(),
                getBatchSize(), getSeed(), type, getElasticNetParam(),
                history(type, !data.binary(), data.numExamples(),
                        data.numClasses() * data.numFeatures() + data.numClasses()),
                TrainingOptions.DEFAULT_MOMENTUM, false, Schedule.CONSTANT, TrainingOptions.DEFAULT_PATIENCE,
                Precision.parse(getPrecision()), Preconditioner.CENTER, false, Acceleration.NESTEROV);
        String description = String.format(Locale.ROOT, "spark %s, %d partitions, %s on the executors", master,
                data.numPartitions(), rows.spec().backend().name().toLowerCase(Locale.ROOT));
        PartitionedEngine engine = new PartitionedEngine(rows, description);
        TrainingResult result;
        try (var evaluator = engine.bind(data, null)) {
            result = new Trainer(options).withPenaltyFactors(factors).train(engine, evaluator, null, null,
                    new Parameters(data.numClasses(), data.numFeatures()), TrainingListener.NONE);
        }
        Map<String, String> optionMap = new LinkedHashMap<>();
        optionMap.put("solver", type.id());
        optionMap.put("regParam", Double.toString(getRegParam()));
        optionMap.put("lambda", Double.toString(lambda));
        optionMap.put("elasticNetParam", Double.toString(getElasticNetParam()));
        optionMap.put("standardization", Boolean.toString(getStandardization()));
        optionMap.put("precision", result.precision());
        optionMap.put("history", Integer.toString(options.history()));
        optionMap.put("maxIter", Integer.toString(getMaxIter()));
        optionMap.put("tol", Double.toString(getTol()));
        optionMap.put("partitions", Integer.toString(data.numPartitions()));
        factors.record(optionMap);
        optionMap.put("spark_master", master);
        var best = result.best();
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("log_likelihood", best.logLikelihood());
        metrics.put("objective", best.objective());
        metrics.put("gradient_max_abs", best.gradientMaxAbs());
        metrics.put("gradient_norm_per_example", best.gradientNorm());
        metrics.put("train_accuracy", best.trainAccuracy());
        TrainingInfo info = new TrainingInfo(description, getSeed(), result.stopReason().id(), best.iteration(),
                optionMap, metrics, Instant.now().toString(), Version.get());
        Model model = new Model(result.parameters(), data.classNames(), null, info);
        return new SoftmaxClassificationModel(uid, model, result.point(), result.history());
    }
}
