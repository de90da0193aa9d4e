package org.softmax4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/**
 * Bad input fails before any iteration with an IllegalArgumentException naming the column and the row; nothing is
 * left cached on the executors.
 */
class SoftmaxClassifierBadInputTest {

    /** Four good rows (two classes) in two partitions, then {@code bad} at row 1 of partition 1. */
    private static List<Row> rowsWith(Row bad) {
        List<Row> rows = new ArrayList<>();
        rows.add(RowFactory.create(0.0, Vectors.dense(0, 1, 0), 1.0));
        rows.add(RowFactory.create(1.0, Vectors.dense(1, 0, 1), 1.0));
        rows.add(RowFactory.create(1.0, Vectors.sparse(3, new int[] {1}, new double[] {1}), 2.0));
        rows.add(bad);
        return rows;
    }

    private static void assertBadInput(List<Row> rows, String expected) {
        SoftmaxClassifier classifier = new SoftmaxClassifier().setStandardization(false).setBackend("cpu")
                .setWeightCol("weight");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> classifier.fit(SparkTests.frame(rows, 2, true)));
        assertEquals(expected, e.getMessage());
        assertEquals(0, PartitionWorkers.size(), "executor-side workers left after a failed fit");
    }

    @Test
    void labelNotIntegral() {
        assertBadInput(rowsWith(RowFactory.create(1.5, Vectors.dense(0, 0, 1), 1.0)),
                "label column \"label\": row 1 of partition 1 is 1.5, expected a class index (an integer >= 0)");
    }

    @Test
    void negativeLabel() {
        assertBadInput(rowsWith(RowFactory.create(-1.0, Vectors.dense(0, 0, 1), 1.0)),
                "label column \"label\": row 1 of partition 1 is -1.0, expected a class index (an integer >= 0)");
    }

    @Test
    void oneClass() {
        List<Row> rows = new ArrayList<>();
        for (int n = 0; n < 4; n++) {
            rows.add(RowFactory.create(2.0, Vectors.dense(n, 1), 1.0));
        }
        assertBadInput(rows, "label column \"label\" has one class only (2.0 in every row, e.g. row 0 of partition 0)"
                + ", expected at least 2");
    }

    @Test
    void notFiniteFeatures() {
        assertBadInput(rowsWith(RowFactory.create(0.0, Vectors.dense(0, Double.NaN, 1), 1.0)),
                "features column \"features\": row 1 of partition 1 has NaN at index 1, expected finite values");
        assertBadInput(rowsWith(RowFactory.create(0.0, Vectors.sparse(3, new int[] {2},
                        new double[] {Double.NEGATIVE_INFINITY}), 1.0)),
                "features column \"features\": row 1 of partition 1 has -Infinity at index 2, expected finite values");
    }

    @Test
    void vectorsOfDifferentSizes() {
        assertBadInput(rowsWith(RowFactory.create(0.0, Vectors.dense(0, 1), 1.0)),
                "features column \"features\": row 1 of partition 1 has 2 values, expected 3 (as row 0 of partition 1)");
        List<Row> rows = rowsWith(RowFactory.create(0.0, Vectors.dense(0, 1, 1), 1.0));
        rows.set(2, RowFactory.create(0.0, Vectors.dense(1, 1, 1, 1), 1.0));
        rows.set(3, RowFactory.create(1.0, Vectors.dense(1, 1, 1, 1), 1.0));
        assertBadInput(rows, "features column \"features\": row 0 of partition 1 has 4 values, expected 3 (as row 0 "
                + "of partition 0)");
    }

    @Test
    void emptyDataFrame() {
        assertBadInput(new ArrayList<>(), "the DataFrame has no rows (label column \"label\", features column "
                + "\"features\"), expected at least 1");
    }

    @Test
    void negativeOrZeroWeights() {
        assertBadInput(rowsWith(RowFactory.create(0.0, Vectors.dense(0, 0, 1), -1.0)),
                "weight column \"weight\": row 1 of partition 1 is -1.0, expected a finite weight >= 0");
        List<Row> zeros = new ArrayList<>();
        for (Row row : rowsWith(RowFactory.create(0.0, Vectors.dense(0, 0, 1), 0.0))) {
            zeros.add(RowFactory.create(row.get(0), row.get(1), 0.0));
        }
        assertBadInput(zeros, "weight column \"weight\": the weights sum to 0.0, expected a sum > 0");
    }

    @Test
    void unsupportedParams() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SoftmaxClassifier()
                .setFitIntercept(false).fit(SparkTests.frame(rowsWith(RowFactory.create(0.0, Vectors.dense(0, 0, 1),
                        1.0)), 2, true)));
        assertEquals("fitIntercept is false; this estimator fits an intercept always (set fitIntercept to true)",
                e.getMessage());
    }
}
