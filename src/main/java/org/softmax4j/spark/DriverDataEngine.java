package org.softmax4j.spark;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Backend;
import org.softmax4j.engine.DoublePrecisionEvaluator;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.ForwardingDoublePrecisionEvaluator;
import org.softmax4j.engine.ForwardingEvaluator;

/**
 * The engine of {@code softmax4j-spark train}: the command reads its data on the driver as {@code train} does, and
 * this engine cuts the training set into {@code partitions} contiguous slices on Spark, which evaluate it on the
 * executors' engines ({@code --backend}, {@code --threads} per task) while the solver and its helpers (the automatic
 * step, the duality gap, the centring) read the driver's copy as on one machine. The first bind is the training set;
 * the validation and test sets, bound after it, are evaluated on the driver's CPU.
 */
final class DriverDataEngine implements Engine {
    private final SparkSession session;
    private final int partitions;
    private final Backend executors;
    private final int threads;
    private Engine local;
    private PartitionedRows rows;
    private PartitionedEngine engine;
    private Dataset train;
    private double[] trainWeights;

    DriverDataEngine(SparkSession session, int partitions, Backend executors, int threads) {
        this.session = session;
        this.partitions = partitions;
        this.executors = executors;
        this.threads = threads;
    }

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public String description() {
        return String.format(Locale.ROOT, "spark %s, %d partitions, %s on the executors",
                session.sparkContext().master(), partitions, (rows == null ? executors : rows.spec().backend())
                        .name().toLowerCase(Locale.ROOT));
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("spark_master", session.sparkContext().master());
        settings.put("partitions", partitions);
        return settings;
    }

    @Override
    public Evaluator bind(Dataset data) {
        return bind(data, null);
    }

    @Override
    public Evaluator bind(Dataset data, double[] exampleWeights) {
        Engine.checkExampleWeights(data, exampleWeights);
        if (rows != null) {
            return local().bind(data, exampleWeights);
        }
        train = data;
        trainWeights = exampleWeights;
        rows = PartitionedRows.load(rowsOf(data, exampleWeights), new Columns("label", "features",
                exampleWeights == null ? null : "weight"), executors, threads, 2, true, data.source());
        engine = new PartitionedEngine(rows, description());
        return new DriverView(engine.bind(rows.dataset(), null));
    }

    @Override
    public DoublePrecisionEvaluator bindDoublePrecision(Dataset data, double[] exampleWeights) {
        if (data != train || exampleWeights != trainWeights) {
            return local().bindDoublePrecision(data, exampleWeights);
        }
        DoublePrecisionEvaluator partitioned = engine.bindDoublePrecision(rows.dataset(), null);
        // The partitioned rows' evaluator, presented as one of the training data the trainer bound.
        return new ForwardingDoublePrecisionEvaluator(partitioned) {
            @Override
            public Dataset data() {
                return train;
            }
        };
    }

    private Engine local() {
        if (local == null) {
            local = Backend.CPU.open(threads);
        }
        return local;
    }

    /** The rows in order, in {@code partitions} contiguous slices. */
    private JavaRDD<Row> rowsOf(Dataset data, double[] exampleWeights) {
        return JavaSparkContext.fromSparkContext(session.sparkContext()).parallelize(DatasetRows.of(data,
                exampleWeights), partitions);
    }

    @Override
    public void close() {
        try {
            if (rows != null) {
                rows.close();
            }
        } finally {
            if (local != null) {
                local.close();
            }
        }
    }

    /** The partitioned evaluator, seen with the driver's copy of the rows as its data. */
    private final class DriverView extends ForwardingEvaluator {
        DriverView(Evaluator partitioned) {
            super(partitioned);
        }

        @Override
        public Dataset data() {
            return train;
        }

    }
}
