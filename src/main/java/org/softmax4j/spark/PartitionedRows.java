package org.softmax4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.data.PartitionedDataset;
import org.softmax4j.engine.Backend;

import scala.Tuple2;

/**
 * The rows of one fit, checked and packed in Spark's partitions, and the jobs that evaluate on them. {@link #load} makes
 * two passes over the input: {@link PartitionSummary} checks every row and sums what the driver needs (raising the
 * first bad row, in partition order, before anything is packed), then {@link PartitionBlock} packs each partition
 * once and Spark caches the blocks. Each evaluation broadcasts its {@link EvaluationRequest}, evaluates every block on
 * its executor ({@link PartitionWorkers}), and sums the partials with {@link OrderedTreeSum}. {@link #close()} frees
 * the executors' evaluators and the cached blocks.
 */
final class PartitionedRows implements AutoCloseable {
    private final JavaSparkContext context;
    private final JavaRDD<PartitionBlock> blocks;
    private final PartitionedDataset dataset;
    private final RunSpec spec;
    private final int depth;
    private final double weightSquares;
    private boolean closed;

    private PartitionedRows(JavaSparkContext context, JavaRDD<PartitionBlock> blocks, PartitionedDataset dataset,
                            RunSpec spec, int depth, double weightSquares) {
        this.context = context;
        this.blocks = blocks;
        this.dataset = dataset;
        this.spec = spec;
        this.depth = depth;
        this.weightSquares = weightSquares;
    }

    /**
     * Checks and packs {@code rows}: (label as double, features vector[, weight as double]).
     *
     * @param backend cpu, cuda, or auto (CUDA where every executor that ran the first pass has a usable device)
     * @param threads CPU threads per task on the executors
     * @param depth   the depth of the ordered tree sum (Spark's aggregationDepth)
     * @param driverRows whether {@code rows} is a list of the driver's, parallelized: then the packed blocks' lineage is
     *                cut (a local checkpoint), for a parallelized list ships its rows inside every task of every job
     *                that reads it, cached or not (3 MB per task at 20,000 binary rows); an executor lost during the
     *                fit then fails it, where Spark would pack its partitions again
     * @throws IllegalArgumentException naming the column and the row of the first bad row; for no rows, one class, or
     *                                  weights that sum to 0
     */
    static PartitionedRows load(JavaRDD<Row> rows, Columns columns, Backend backend, int threads, int depth,
                                boolean driverRows, String source) {
        boolean probeCuda = backend == Backend.AUTO;
        List<PartitionSummary> summaries = new ArrayList<>(rows.mapPartitionsWithIndex(
                (index, iterator) -> Collections.singletonList(PartitionSummary.of(index, iterator, columns,
                        probeCuda)).iterator(), true).collect());
        summaries.sort(Comparator.comparingInt(summary -> summary.partition));
        PartitionSummary first = null;
        int numClasses = 0;
        int minLabel = Integer.MAX_VALUE;
        boolean binary = true;
        boolean cudaEverywhere = true;
        int[] sizes = new int[summaries.size()];
        long total = 0;
        for (PartitionSummary summary : summaries) {
            if (summary.error != null) {
                throw new IllegalArgumentException(summary.error);
            }
            sizes[summary.partition] = summary.rows;
            cudaEverywhere &= summary.cudaAvailable;
            total += summary.rows;
            if (summary.rows == 0) {
                continue;
            }
            if (first == null) {
                first = summary;
            } else if (summary.numFeatures != first.numFeatures) {
                throw new IllegalArgumentException(columns.featuresColumn() + ": " + Columns.row(summary.partition, 0)
                        + " has " + summary.numFeatures + " values, expected " + first.numFeatures + " (as "
                        + Columns.row(first.partition, 0) + ")");
            }
            numClasses = Math.max(numClasses, summary.maxLabel + 1);
            minLabel = Math.min(minLabel, summary.minLabel);
            binary &= summary.binary;
        }
        if (first == null) {
            throw new IllegalArgumentException("the DataFrame has no rows (" + columns.labelColumn() + ", "
                    + columns.featuresColumn() + "), expected at least 1");
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the DataFrame has " + total + " rows, more than the "
                    + Integer.MAX_VALUE + " one fit takes");
        }
        if (minLabel == numClasses - 1) {
            throw new IllegalArgumentException(columns.labelColumn() + " has one class only (" + minLabel
                    + ".0 in every row, e.g. " + Columns.row(first.partition, 0) + "), expected at least 2");
        }
        int numFeatures = first.numFeatures;
        int[] classCounts = new int[numClasses];
        double weightTotal = 0;
        double weightSquares = 0;
        double[] sums = new double[numFeatures];
        double[] squares = new double[numFeatures];
        double maxAbs = 0;
        for (PartitionSummary summary : summaries) {
            if (summary.rows == 0) {
                continue;
            }
            maxAbs = Math.max(maxAbs, summary.maxAbs);
            for (int k = 0; k < Math.min(numClasses, summary.classCounts.length); k++) {
                classCounts[k] += summary.classCounts[k];
            }
            weightTotal += summary.weightTotal;
            weightSquares += summary.weightSquares;
            for (int j = 0; j < numFeatures; j++) {
                sums[j] += summary.featureSums[j];
                squares[j] += summary.featureSquares[j];
            }
        }
        if (!(weightTotal > 0)) {
            throw new IllegalArgumentException(columns.weightColumn() + ": the weights sum to " + weightTotal
                    + ", expected a sum > 0");
        }
        int[] offsets = new int[sizes.length];
        for (int p = 1; p < sizes.length; p++) {
            offsets[p] = offsets[p - 1] + sizes[p - 1];
        }
        // auto: CUDA when every executor that ran the first pass has a usable device, else the CPU, for the whole fit.
        Backend resolved = backend != Backend.AUTO ? backend : cudaEverywhere ? Backend.CUDA : Backend.CPU;
        RunSpec spec = new RunSpec(UUID.randomUUID().toString(), resolved, threads, numClasses, numFeatures, offsets);
        boolean packBinary = binary;
        int packClasses = numClasses;
        boolean weighted = columns.weight() != null;
        JavaRDD<PartitionBlock> blocks = rows.mapPartitionsWithIndex(
                (index, iterator) -> Collections.singletonList(PartitionBlock.pack(index, iterator, sizes[index],
                        numFeatures, packClasses, packBinary, weighted)).iterator(), true)
                .persist(StorageLevel.MEMORY_AND_DISK());
        blocks.setName("softmax4j blocks of " + source);
        if (driverRows) {
            blocks.rdd().localCheckpoint();
        }
        blocks.count();
        PartitionedDataset.RowReader reader =
                examples -> fetch(blocks, offsets, numFeatures, packClasses, weighted, examples, source);
        PartitionedDataset dataset = new PartitionedDataset(sizes, numFeatures, PartitionBlock.classNames(numClasses),
                classCounts, binary, weightTotal, sums, squares, maxAbs, reader, source);
        JavaSparkContext context = JavaSparkContext.fromSparkContext(rows.context());
        return new PartitionedRows(context, blocks, dataset, spec, depth, weightSquares);
    }

    /** The rows {@code examples} (increasing) as dense rows (bit-packed ones 0/1), read from the blocks in one job. */
    private static PartitionedDataset.FetchedRows fetch(JavaRDD<PartitionBlock> blocks, int[] offsets, int numFeatures,
                                                        int numClasses, boolean weighted, int[] examples,
                                                        String source) {
        List<PartitionBlock.Fetched> parts = new ArrayList<>(blocks.map(block -> block.fetch(examples,
                offsets[block.partition])).collect());
        parts.sort(Comparator.comparingInt(PartitionBlock.Fetched::partition));
        float[] values = new float[Math.multiplyExact(examples.length, numFeatures)];
        int[] labels = new int[examples.length];
        double[] weights = weighted ? new double[examples.length] : null;
        int at = 0;
        for (PartitionBlock.Fetched part : parts) {
            System.arraycopy(part.values(), 0, values, at * numFeatures, part.values().length);
            System.arraycopy(part.labels(), 0, labels, at, part.labels().length);
            if (weights != null) {
                System.arraycopy(part.weights(), 0, weights, at, part.weights().length);
            }
            at += part.labels().length;
        }
        return new PartitionedDataset.FetchedRows(new DenseDataset(values, labels, numFeatures,
                PartitionBlock.classNames(numClasses), "rows of " + source), weights);
    }

    PartitionedDataset dataset() {
        return dataset;
    }

    RunSpec spec() {
        return spec;
    }

    /** The cached blocks (for tests and tools). */
    JavaRDD<PartitionBlock> blocks() {
        return blocks;
    }

    /** Σ_n ω_n² (Spark's unbiased weighted variance needs it). */
    double weightSquares() {
        return weightSquares;
    }

    /** The partial sums of {@code request} over every partition, added in partition order. */
    double[] sum(EvaluationRequest request) {
        checkOpen();
        Shipped shipped = ship(request);
        try {
            return OrderedTreeSum.sum(partials(shipped), depth);
        } finally {
            shipped.release();
        }
    }

    /** Each partition's result of {@code request}, in partition order (the probabilities of its rows). */
    List<double[]> each(EvaluationRequest request) {
        checkOpen();
        Shipped shipped = ship(request);
        List<Tuple2<Integer, double[]>> results;
        try {
            results = new ArrayList<>(partials(shipped).collect());
        } finally {
            shipped.release();
        }
        results.sort(Comparator.comparing(Tuple2::_1));
        List<double[]> values = new ArrayList<>(results.size());
        for (Tuple2<Integer, double[]> result : results) {
            values.add(result._2());
        }
        return values;
    }

    /**
     * θ travels inside the tasks when it is small (below {@link #BROADCAST_BYTES}: a few kilobytes per task cost less
     * than a broadcast's registration and removal, two block-manager round trips per evaluation), else as a broadcast,
     * destroyed after the job.
     */
    private Shipped ship(EvaluationRequest request) {
        long bytes = 8L * (request.point() != null ? request.point().length : 0)
                + 4L * (request.weights() != null ? request.weights().length : 0)
                + 4L * (request.examples() != null ? request.to() - request.from() : 0);
        if (bytes < BROADCAST_BYTES) {
            return new Shipped(request, null);
        }
        return new Shipped(null, context.broadcast(request));
    }

    /** Above this, θ (and a batch) go to the executors as a broadcast. */
    static final long BROADCAST_BYTES = 1L << 20;

    /** A request as it travels: in the task itself, or as a broadcast. */
    private record Shipped(EvaluationRequest inline, Broadcast<EvaluationRequest> broadcast) implements Serializable {
        EvaluationRequest value() {
            return inline != null ? inline : broadcast.value();
        }

        void release() {
            if (broadcast != null) {
                broadcast.destroy();
            }
        }
    }

    /** Every block evaluated on its executor: (partition, partial). Lazy: the caller's action runs it. */
    private JavaRDD<Tuple2<Integer, double[]>> partials(Shipped shipped) {
        RunSpec run = spec;
        return blocks.mapPartitionsWithIndex((index, iterator) -> evaluate(index, iterator, run, shipped.value()),
                true);
    }

    private static Iterator<Tuple2<Integer, double[]>> evaluate(int index, Iterator<PartitionBlock> iterator, RunSpec run,
                                                                EvaluationRequest request) {
        PartitionBlock block = iterator.next();
        return Collections.singletonList(new Tuple2<>(index, PartitionWorkers.evaluate(run, block, request)))
                .iterator();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the rows of " + dataset.source() + " were released");
        }
    }

    /** Frees the executors' evaluators of this fit and the cached blocks; safe twice. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        String runId = spec.runId();
        try {
            blocks.foreachPartition(iterator -> PartitionWorkers.release(runId));
        } finally {
            PartitionWorkers.release(runId);
            blocks.unpersist(false);
        }
    }
}
