package org.softmax4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.BuiltinDigits;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Backend;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;
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
 * The estimator on local[2] against our single-machine solver and against Spark MLlib's LogisticRegression, on the
 * built-in digits (1797 rows, 64 binary pixels, 10 classes).
 */
class SoftmaxClassifierTest {
    private static final BinaryDataset DIGITS = BuiltinDigits.load();
    /** Spark's regParam for our λ = 1 on the digits (λ = regParam · Σ weights). */
    private static final double REG_PARAM = 1.0 / DIGITS.numExamples();
    private static final double TOL = 1e-8;

    private static TrainingResult singleMachine(double lambda, double alpha) {
        return singleMachine(DIGITS, lambda, alpha, TrainingOptions.DEFAULT_HISTORY, Preconditioner.CENTER);
    }

    private static TrainingResult singleMachine(org.softmax4j.data.Dataset data, double lambda, double alpha,
                                                int history, Preconditioner preconditioner) {
        return singleMachine(data, lambda, alpha, history, preconditioner, TOL);
    }

    private static TrainingResult singleMachine(org.softmax4j.data.Dataset data, double lambda, double alpha,
                                                int history, Preconditioner preconditioner, double tolerance) {
        TrainingOptions options = new TrainingOptions(TrainingOptions.AUTO_LEARNING_RATE, 1000, lambda, tolerance, 0,
                1, alpha > 0 ? SolverType.OWLQN : SolverType.LBFGS, alpha, history, TrainingOptions.DEFAULT_MOMENTUM,
                false, Schedule.CONSTANT, TrainingOptions.DEFAULT_PATIENCE, Precision.DOUBLE, preconditioner, false,
                Acceleration.NESTEROV);
        try (Engine cpu = Backend.CPU.open(1); Evaluator evaluator = cpu.bind(data)) {
            return new Trainer(options).train(cpu, evaluator, null, null,
                    new Parameters(data.numClasses(), data.numFeatures()), TrainingListener.NONE);
        }
    }

    private static SoftmaxClassifier classifier() {
        return new SoftmaxClassifier().setRegParam(REG_PARAM).setStandardization(false).setTol(TOL).setMaxIter(1000)
                .setBackend("cpu");
    }

    /**
     * F within 1e-10 (relative) of our single-machine lbfgs at the same λ for 1, 2 and 7 partitions (7: one level of
     * the ordered tree sum); and the same rows with the same boundaries, through another lineage (another run, its
     * tasks scheduled anew), give bitwise the same F and weights.
     */
    @Test
    void reachesTheSingleMachineOptimumBitwiseTheSameForTheSameBoundaries() {
        double single = singleMachine(REG_PARAM * DIGITS.numExamples(), 0).best().objective();
        for (int partitions : new int[] {1, 2, 7}) {
            Dataset<Row> frame = SparkTests.frame(DIGITS, partitions);
            SoftmaxClassificationModel model = classifier().fit(frame);
            double objective = model.trainingInfo().metric("objective");
            assertEquals("converged", model.trainingInfo().stopReason(), partitions + " partitions");
            assertEquals(single, objective, 1e-10 * Math.abs(single), partitions + " partitions: F " + objective
                    + ", single machine " + single);
            assertEquals(DIGITS.numClasses(), model.numClasses());
            assertEquals(DIGITS.numFeatures(), model.coefficientMatrix().numCols());
            if (partitions == 7) {
                SoftmaxClassificationModel again = classifier().fit(frame.sparkSession()
                        .createDataFrame(frame.javaRDD(), frame.schema()));
                assertEquals(Double.doubleToLongBits(objective),
                        Double.doubleToLongBits(again.trainingInfo().metric("objective")));
                assertArrayEquals(model.coefficientMatrix().toArray(), again.coefficientMatrix().toArray());
            }
        }
        assertEquals(0, PartitionWorkers.size(), "executor-side workers left after the fits");
    }

    /**
     * MLlib's multinomial LogisticRegression with the mapped params, standardization false and true (our penalty
     * factors σ², σ), L2 and elastic net: the same optimum within MLlib's convergence, ours at least as high; both
     * measured by the same double-precision ruler, max|∂F| of both printed.
     */
    @Test
    void matchesMllibLogisticRegression() {
        Dataset<Row> frame = SparkTests.frame(DIGITS, 2);
        double lambda = REG_PARAM * DIGITS.numExamples();
        for (boolean standardization : new boolean[] {false, true}) {
            PenaltyFactors factors = PenaltyFactors.none();
            if (standardization) {
                try (PartitionedRows rows = PartitionedRows.load(frame.javaRDD(), new Columns("label", "features",
                        null), Backend.CPU, 1, 2, false, "digits")) {
                    factors = SoftmaxClassifier.standardization(rows.dataset(), rows.weightSquares());
                }
            }
            double[] f2 = factors.l2Factors(DIGITS.numFeatures());
            double[] f1 = factors.l1Factors(DIGITS.numFeatures());
            for (double alpha : new double[] {0, 0.5}) {
                LogisticRegressionModel mllib = new LogisticRegression().setFamily("multinomial")
                        .setRegParam(REG_PARAM).setElasticNetParam(alpha).setStandardization(standardization)
                        .setMaxIter(500).setTol(1e-10).fit(frame);
                SoftmaxClassificationModel ours = classifier().setElasticNetParam(alpha)
                        .setStandardization(standardization).fit(frame);
                double[] theirs = SparkTests.objective(DIGITS, mllib.coefficientMatrix(), mllib.interceptVector(),
                        lambda, alpha, f2, f1);
                double[] mine = SparkTests.objective(DIGITS, ours.coefficientMatrix(), ours.interceptVector(), lambda,
                        alpha, f2, f1);
                String what = String.format(Locale.ROOT, "digits, lambda 1, alpha %.1f, standardization %s",
                        alpha, standardization);
                System.out.printf(Locale.ROOT, "%s: F ours %.12f (max|dF| %.3g, %d iterations), MLlib %.12f "
                        + "(max|dF| %.3g, %d iterations)%n", what, mine[0], mine[1], ours.trainingInfo().iterations(),
                        theirs[0], theirs[1], mllib.summary().totalIterations());
                assertTrue(mine[0] >= theirs[0] - 1e-9 * Math.abs(theirs[0]), what + ": F ours " + mine[0]
                        + " below MLlib's " + theirs[0]);
                assertEquals(theirs[0], mine[0], 1e-6 * Math.abs(theirs[0]), what);
                // The model's coefficients are the solver's point in double (not our model's float32 rounding, which
                // alone moves max|∂F| to about 5e-6 here): the stop, max|∂F| ≤ 1e-6, holds for them.
                assertTrue(mine[1] <= 1e-6, what + ": max|dF| " + mine[1]);
            }
        }
    }

    /**
     * Dense rows with at least 32 per feature (the digits' pixel pairs as counts 0..32, 32 features): the
     * estimator whitens them as one machine does (its sample is every row here, so the same preconditioner), so it
     * takes about the whitened iterations, far fewer than plain centring's, to the same optimum.
     */
    @Test
    void whitensDenseRowsAsOneMachineDoes() {
        DenseDataset dense = scaledPixelPairs();
        double lambda = 1;
        SoftmaxClassificationModel model = classifier().setRegParam(lambda / dense.numExamples()).setTol(1e-6).fit(
                SparkTests.frame(dense, 2));
        int history = Integer.parseInt(model.trainingInfo().options().get("history"));
        TrainingResult whitened = singleMachine(dense, lambda, 0, history, Preconditioner.CENTER, 1e-6);
        TrainingResult centred = singleMachine(dense, lambda, 0, history, Preconditioner.CENTER_UNSCALED, 1e-6);
        double objective = model.trainingInfo().metric("objective");
        int iterations = model.trainingInfo().iterations();
        String what = "Spark " + iterations + " iterations, one machine whitened " + whitened.iterations()
                + ", centred only " + centred.iterations();
        assertEquals("converged", model.trainingInfo().stopReason(), what);
        assertEquals(whitened.best().objective(), objective, 1e-10 * Math.abs(objective), what);
        assertTrue(centred.iterations() > 1.5 * whitened.iterations(), "the data do not tell whitening apart: " + what);
        assertTrue(Math.abs(iterations - whitened.iterations()) <= 0.1 * whitened.iterations() + 2, what);
    }

    /** The digits' 64 pixels as 32 dense features, (pixel 2j + pixel 2j+1) · 16. */
    private static DenseDataset scaledPixelPairs() {
        int numFeatures = DIGITS.numFeatures() / 2;
        float[] values = new float[DIGITS.numExamples() * numFeatures];
        int[] labels = new int[DIGITS.numExamples()];
        for (int n = 0; n < DIGITS.numExamples(); n++) {
            labels[n] = DIGITS.label(n);
            for (int j = 0; j < numFeatures; j++) {
                values[n * numFeatures + j] = (DIGITS.feature(n, 2 * j) + DIGITS.feature(n, 2 * j + 1)) * 16;
            }
        }
        return new DenseDataset(values, labels, numFeatures, DIGITS.classNames(), "digits' scaled pixel pairs");
    }

    /**
     * precision engine: the executors' float32 evaluations throughout (no double polish), to the optimum within what
     * float32 sums over 1797 rows allow.
     */
    @Test
    void precisionEngineEvaluatesInFloat32Throughout() {
        Dataset<Row> frame = SparkTests.frame(DIGITS, 2);
        SoftmaxClassificationModel model = classifier().setPrecision("engine").setTol(1e-3).fit(frame);
        double single = singleMachine(REG_PARAM * DIGITS.numExamples(), 0).best().objective();
        double objective = SparkTests.objective(DIGITS, model.coefficientMatrix(), model.interceptVector(),
                REG_PARAM * DIGITS.numExamples(), 0, null, null)[0];
        assertEquals("engine", model.trainingInfo().options().get("precision"));
        assertTrue(objective <= single, "F " + objective + " above the optimum " + single);
        assertEquals(single, objective, 1e-6 * Math.abs(single), "F in float32 against the optimum");
    }

    /**
     * solver newton: the Hessian's rows fetched from the partitions (all 1,437 here), the single-machine lbfgs optimum
     * within 1e-10 relative, in fewer iterations (the jobs a fit costs).
     */
    @Test
    void newtonReachesTheSingleMachineOptimum() {
        SoftmaxClassificationModel model = classifier().setSolver("newton").fit(SparkTests.frame(DIGITS, 2));
        double lambda = REG_PARAM * DIGITS.numExamples();
        TrainingResult single = singleMachine(lambda, 0);
        double objective = SparkTests.objective(DIGITS, model.coefficientMatrix(), model.interceptVector(), lambda, 0,
                null, null)[0];
        assertEquals(single.best().objective(), objective, 1e-10 * Math.abs(objective), "newton on 2 partitions");
        assertEquals("newton", model.trainingInfo().options().get("solver"));
        assertTrue(model.trainingInfo().iterations() < single.iterations(), model.trainingInfo().iterations()
                + " iterations against lbfgs's " + single.iterations());
    }

    /**
     * ascent and sgd take the learningRate given (the automatic step would read every row on the driver): a few steps
     * land where one machine's steps of the same size, on the same mini-batches, land (within float32 summation
     * order), and far from where steps twice as long land.
     */
    @Test
    void ascentAndSgdTakeTheLearningRateGiven() {
        Dataset<Row> frame = SparkTests.frame(DIGITS, 2);
        double lambda = REG_PARAM * DIGITS.numExamples();
        for (SolverType type : new SolverType[] {SolverType.ASCENT, SolverType.SGD}) {
            int batchSize = type == SolverType.SGD ? 100 : 0;
            double[] objectives = new double[2];
            for (int i = 0; i < 2; i++) {
                double learningRate = 1e-3 * (i + 1);
                SoftmaxClassificationModel model = classifier().setSolver(type.id()).setLearningRate(learningRate)
                        .setBatchSize(batchSize).setMaxIter(5).setTol(0).setSeed(7).fit(frame);
                objectives[i] = SparkTests.objective(DIGITS, model.coefficientMatrix(), model.interceptVector(),
                        lambda, 0, null, null)[0];
                TrainingOptions options = new TrainingOptions(learningRate, 5, lambda, 0, batchSize, 7, type, 0,
                        TrainingOptions.DEFAULT_HISTORY, TrainingOptions.DEFAULT_MOMENTUM, false, Schedule.CONSTANT,
                        TrainingOptions.DEFAULT_PATIENCE, Precision.DOUBLE, Preconditioner.CENTER, false,
                        Acceleration.NESTEROV);
                TrainingResult single;
                try (Engine cpu = Backend.CPU.open(1); Evaluator evaluator = cpu.bind(DIGITS)) {
                    single = new Trainer(options).train(cpu, evaluator, null, null,
                            new Parameters(DIGITS.numClasses(), DIGITS.numFeatures()), TrainingListener.NONE);
                }
                double expected = SparkTests.objective(DIGITS, SparkTests.matrix(single.parameters()),
                        SparkTests.vector(single.parameters().bias()), lambda, 0, null, null)[0];
                assertEquals(expected, objectives[i], 1e-5 * Math.abs(expected), type.id() + ", learningRate "
                        + learningRate);
            }
            // Ten times the agreement above.
            assertTrue(Math.abs(objectives[1] - objectives[0]) > 1e-4 * Math.abs(objectives[0]), type.id()
                    + ": F " + objectives[0] + " and " + objectives[1] + " for two learning rates");
        }
    }

    @Test
    void worksInAPipelineWithCrossValidator() {
        Dataset<Row> frame = SparkTests.frame(DIGITS, 2);
        SoftmaxClassifier classifier = new SoftmaxClassifier().setStandardization(false).setBackend("cpu")
                .setMaxIter(200);
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {classifier});
        ParamMap[] grid = new ParamGridBuilder().addGrid(classifier.regParam(), new double[] {1e-4, 1e-2}).build();
        CrossValidatorModel cv = new CrossValidator().setEstimator(pipeline).setEstimatorParamMaps(grid)
                .setEvaluator(new MulticlassClassificationEvaluator().setMetricName("accuracy")).setNumFolds(2)
                .setSeed(3).fit(frame);
        assertEquals(2, cv.avgMetrics().length);
        for (double accuracy : cv.avgMetrics()) {
            assertTrue(accuracy > 0.85, "cross-validated accuracy " + accuracy);
        }
        PipelineModel best = (PipelineModel) cv.bestModel();
        assertInstanceOf(SoftmaxClassificationModel.class, best.stages()[0]);
        List<Row> predicted = best.transform(frame).select("prediction", "probability", "rawPrediction").collectAsList();
        assertEquals(DIGITS.numExamples(), predicted.size());
    }

    @Test
    void savesAndLoadsWithItsModelFileInside(@TempDir Path folder) throws IOException {
        Dataset<Row> frame = SparkTests.frame(DIGITS, 2);
        SoftmaxClassificationModel model = classifier().setMaxIter(50).fit(frame);
        String path = folder.resolve("model").toString();
        model.write().overwrite().save(path);
        assertTrue(folder.resolve("model").resolve(SoftmaxClassificationModel.MODEL_FILE).toFile().isFile());
        SoftmaxClassificationModel loaded = SoftmaxClassificationModel.load(path);
        assertEquals(model.uid(), loaded.uid());
        assertArrayEquals(model.coefficientMatrix().toArray(), loaded.coefficientMatrix().toArray());
        assertArrayEquals(model.interceptVector().toArray(), loaded.interceptVector().toArray());
        assertEquals(model.model(), loaded.model());
        List<Row> before = model.transform(frame).select("prediction", "probability").collectAsList();
        List<Row> after = loaded.transform(frame).select("prediction", "probability").collectAsList();
        assertEquals(before, after);

        PipelineModel pipeline = new Pipeline().setStages(new PipelineStage[] {new StandardScaler()
                .setInputCol("features").setOutputCol("scaled").setWithMean(false), classifier().setMaxIter(20)
                .setFeaturesCol("scaled")}).fit(frame);
        String pipelinePath = folder.resolve("pipeline").toString();
        pipeline.write().overwrite().save(pipelinePath);
        PipelineModel reloaded = PipelineModel.load(pipelinePath);
        assertEquals(pipeline.transform(frame).select("prediction").collectAsList(),
                reloaded.transform(frame).select("prediction").collectAsList());
        SoftmaxClassifier estimator = classifier().setRegParam(0.25);
        String estimatorPath = folder.resolve("estimator").toString();
        estimator.write().overwrite().save(estimatorPath);
        assertEquals(0.25, SoftmaxClassifier.load(estimatorPath).getRegParam());
    }
}
