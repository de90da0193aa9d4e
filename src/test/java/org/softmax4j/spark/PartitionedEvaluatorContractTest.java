package org.softmax4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.softmax4j.EngineAssertions;
import org.softmax4j.TestData;
import org.softmax4j.data.Dataset;
import org.softmax4j.data.DenseDataset;
import org.softmax4j.engine.Backend;
import org.softmax4j.engine.DoublePrecisionEvaluator;
import org.softmax4j.engine.Engine;
import org.softmax4j.engine.Evaluation;
import org.softmax4j.engine.Evaluator;
import org.softmax4j.engine.EvaluatorContractTest;
import org.softmax4j.engine.Parameters;

/**
 * {@link org.softmax4j.engine.Evaluator}'s contract on Spark ({@link PartitionedEngine}, local[2]), as
 * {@code EvaluatorContractTest} checks it for the engines of one machine: the float32 evaluation of every row and of a
 * shuffled batch that crosses partitions (an index repeated), the double-precision evaluation, and the probabilities,
 * each against the double reference (or the CPU engine's probabilities), bit-packed, dense and dense with 85% zeros
 * (whose double evaluation runs over the non-zeros alone on the executors), weighted or not, in 1
 * and 3 partitions; bad batches name the index and N. Not a subclass of EvaluatorContractTest: a Spark fit reads its
 * classes from the labels (K = largest + 1, at least two seen) and binds the rows it loaded only, so the shapes are
 * ones where every class occurs (checked), and each shape is loaded once for all its checks.
 */
class PartitionedEvaluatorContractTest {
    private static final int FEATURES = 70;

    /** The rows of {@code data} (weighted by {@code weights}, or not) loaded in {@code partitions} slices. */
    private static PartitionedRows load(Dataset data, double[] weights, int partitions) {
        return PartitionedRows.load(SparkTests.context().parallelize(DatasetRows.of(data, weights), partitions),
                new Columns("label", "features", weights == null ? null : "weight"), Backend.CPU, 1, 2, true,
                "contract");
    }

    private static boolean everyClassOccurs(Dataset data) {
        boolean[] seen = new boolean[data.numClasses()];
        for (int n = 0; n < data.numExamples(); n++) {
            seen[data.label(n)] = true;
        }
        for (boolean s : seen) {
            if (!s) {
                return false;
            }
        }
        return true;
    }

    @Test
    void everyEvaluationMatchesTheReference() {
        int[][] shapes = {{33, 2, 1}, {33, 10, 3}, {1025, 17, 3}};
        for (int s = 0; s < shapes.length; s++) {
            int n = shapes[s][0];
            int k = shapes[s][1];
            int partitions = shapes[s][2];
            // Bit-packed; dense; dense with 85% zeros (the executors' double evaluation over the non-zeros alone).
            for (int layout = 0; layout < 3; layout++) {
                boolean binary = layout == 0;
                Dataset data = binary ? TestData.randomBinary(n, FEATURES, k, 31L * n + k)
                        : TestData.randomDense(n, FEATURES, k, 37L * n + k);
                if (layout == 2) {
                    float[] values = ((DenseDataset) data).values();
                    SplittableRandom random = new SplittableRandom(n + k);
                    for (int i = 0; i < values.length; i++) {
                        values[i] = random.nextDouble() < 0.85 ? 0f : values[i];
                    }
                }
                assertTrue(everyClassOccurs(data), "shape " + n + "x" + k + ": a class has no row");
                // Weighted and not alternate over the shapes, so that each layout is checked both ways.
                boolean weighted = (layout + s) % 2 == 0;
                double[] weights = weighted ? EvaluatorContractTest.weights(n, n + k) : null;
                String what = String.format("spark, %d partitions, %dx%d, K = %d, %s%s", partitions, n, FEATURES, k,
                        new String[] {"bit-packed", "dense", "dense, 85% zeros"}[layout], weighted ? ", weighted" : "");
                try (PartitionedRows rows = load(data, weights, partitions)) {
                    check(rows, data, weights, what);
                }
            }
        }
        assertEquals(0, PartitionWorkers.size(), "executor-side workers left after the rows were closed");
    }

    private static void check(PartitionedRows rows, Dataset data, double[] weights, String what) {
        int n = data.numExamples();
        int k = data.numClasses();
        PartitionedEngine engine = new PartitionedEngine(rows, "spark");
        Parameters p = Parameters.random(k, FEATURES, 0.3, 17L * n + k);
        Evaluation out = new Evaluation(k, FEATURES);
        try (Evaluator evaluator = engine.bind(rows.dataset(), null)) {
            evaluator.evaluate(p, out);
            EngineAssertions.assertMatchesReference(data, weights, p, out, what);
            assertEquals(n, out.numExamples(), what + ": rows evaluated");

            int[] order = TestData.shuffled(n, n);
            order[1] = order[4];  // an index may repeat
            evaluator.evaluate(p, order, 2, n - 1, out);
            int[] batch = Arrays.copyOfRange(order, 2, n - 1);
            EngineAssertions.assertMatchesReference(data.select(batch), weights == null ? null
                    : Arrays.stream(batch).mapToDouble(i -> weights[i]).toArray(), p, out, what + ", shuffled batch");
            assertEquals(n - 3, out.numExamples(), what + ": batch rows evaluated");

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> evaluator.evaluate(p, new int[] {0, 5, n, 2}, 0, 4, out));
            assertTrue(e.getMessage().contains("examples[2] is " + n) && e.getMessage().contains("N = " + n),
                    what + ": " + e.getMessage());

            float[] probabilities = new float[n * k];
            evaluator.probabilities(p, probabilities);
            float[] expected = new float[n * k];
            try (Engine cpu = Backend.CPU.open(1); Evaluator local = cpu.bind(data)) {
                local.probabilities(p, expected);
            }
            EngineAssertions.assertProbabilitiesClose(expected, probabilities, k, 1e-6, what + ", probabilities");
        }
        try (DoublePrecisionEvaluator evaluator = engine.bindDoublePrecision(rows.dataset(), null)) {
            double[] point = new double[evaluator.dimension()];
            for (int i = 0; i < point.length; i++) {
                point[i] = i < k * FEATURES ? p.weights()[i] : p.bias()[i - k * FEATURES];
            }
            double[] gradient = new double[point.length];
            double logLikelihood = evaluator.evaluate(point, gradient);
            EngineAssertions.assertMatchesReferenceInDouble(data, weights, point, logLikelihood, gradient,
                    what + ", double precision");
        }
    }
}
