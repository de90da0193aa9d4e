package org.softmax4j.spark;

import org.softmax4j.data.Dataset;
import org.softmax4j.engine.Backend;
import org.softmax4j.engine.DoublePrecisionEvaluator;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.Parameters;

/**
 * The engine of one fit on Spark, on the driver: it binds only the {@link PartitionedRows} it was made for, and its
 * evaluators ({@link Evaluator}, and the {@link DoublePrecisionEvaluator} of the quasi-Newton solvers) evaluate every
 * partition on its executor and add the partials in partition order, so that our solvers ({@code Trainer}) run on the
 * driver unchanged. The example weights live with the rows (the weight column), so both binds take null weights.
 */
final class PartitionedEngine implements Engine {
    private final PartitionedRows rows;
    private final String description;

    PartitionedEngine(PartitionedRows rows, String description) {
        this.rows = rows;
        this.description = description;
    }

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Evaluator bind(Dataset data) {
        return bind(data, null);
    }

    @Override
    public Evaluator bind(Dataset data, double[] exampleWeights) {
        checkOwn(data, exampleWeights);
        return new RowsEvaluator();
    }

    @Override
    public DoublePrecisionEvaluator bindDoublePrecision(Dataset data, double[] exampleWeights) {
        checkOwn(data, exampleWeights);
        return new RowsDoubleEvaluator();
    }

    private void checkOwn(Dataset data, double[] exampleWeights) {
        if (data != rows.dataset()) {
            throw new IllegalArgumentException("this engine evaluates the rows of " + rows.dataset().source()
                    + " only, not " + data.source());
        }
        if (exampleWeights != null) {
            throw new IllegalArgumentException("the rows of " + data.source() + " carry their own weights (the "
                    + "weight column); expected no example weights here");
        }
    }

    @Override
    public void close() {
        // The rows belong to the fit, which closes them.
    }

    /** The engine's evaluation (float θ, the executors' engines), summed over the partitions. */
    private final class RowsEvaluator implements Evaluator {
        @Override
        public Dataset data() {
            return rows.dataset();
        }

        @Override
        public void evaluate(Parameters parameters, Evaluation out) {
            evaluate(parameters, null, 0, rows.dataset().numExamples(), out);
        }

        /**
         * Each partition sums its share of the batch in the order given; the partitions' sums are added in partition
         * order (so a batch that crosses partitions is not summed in its own order, but in a fixed one).
         */
        @Override
        public void evaluate(Parameters parameters, int[] examples, int from, int to, Evaluation out) {
            int numExamples = rows.dataset().numExamples();
            Evaluator.checkBatch(numExamples, examples, from, to);
            RunSpec spec = rows.spec();
            parameters.checkShape(spec.numClasses(), spec.numFeatures());
            out.checkShape(spec.numClasses(), spec.numFeatures());
            double[] sum = rows.sum(new EvaluationRequest(EvaluationRequest.Kind.ENGINE, parameters.weights(),
                    parameters.bias(), null, examples, from, to));
            int numWeights = spec.numClasses() * spec.numFeatures();
            System.arraycopy(sum, 0, out.gradWeights(), 0, numWeights);
            System.arraycopy(sum, numWeights, out.gradBias(), 0, spec.numClasses());
            int dimension = spec.dimension();
            out.set(sum[dimension], Math.round(sum[dimension + 1]), Math.round(sum[dimension + 2]));
        }

        @Override
        public void probabilities(Parameters parameters, float[] out) {
            RunSpec spec = rows.spec();
            parameters.checkShape(spec.numClasses(), spec.numFeatures());
            long expected = (long) rows.dataset().numExamples() * spec.numClasses();
            if (out.length != expected) {
                throw new IllegalArgumentException("probabilities has " + out.length + " values, expected N×K = "
                        + expected);
            }
            int at = 0;
            for (double[] part : rows.each(new EvaluationRequest(EvaluationRequest.Kind.PROBABILITIES,
                    parameters.weights(), parameters.bias(), null, null, 0, 0))) {
                for (double p : part) {
                    out[at++] = (float) p;
                }
            }
        }

        /** On CPU executors the double evaluation costs what the float one does, as on one machine. */
        @Override
        public boolean doublePrecisionCostsTheSame() {
            return rows.spec().backend() == Backend.CPU;
        }

        @Override
        public void close() {
            // Nothing is bound on the driver.
        }
    }

    /** The double-precision evaluation, summed over the partitions. */
    private final class RowsDoubleEvaluator implements DoublePrecisionEvaluator {
        private long numCorrect;

        @Override
        public Dataset data() {
            return rows.dataset();
        }

        @Override
        public int dimension() {
            return rows.spec().dimension();
        }

        @Override
        public int threads() {
            return rows.spec().threads();
        }

        @Override
        public double evaluate(double[] point, double[] gradient) {
            int dimension = dimension();
            if (point.length != dimension || gradient.length != dimension) {
                throw new IllegalArgumentException("point and gradient have " + point.length + " and "
                        + gradient.length + " values, expected " + dimension);
            }
            double[] sum = rows.sum(new EvaluationRequest(EvaluationRequest.Kind.DOUBLE, null, null, point, null, 0,
                    0));
            System.arraycopy(sum, 0, gradient, 0, dimension);
            numCorrect = Math.round(sum[dimension + 1]);
            return sum[dimension];
        }

        @Override
        public long numCorrect() {
            return numCorrect;
        }

        @Override
        public void close() {
            // Nothing is bound on the driver.
        }
    }
}
