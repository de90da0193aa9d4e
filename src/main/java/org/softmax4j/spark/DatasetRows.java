package org.softmax4j.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.softmax4j.data.BinaryDataset;
import org.softmax4j.data.Dataset;

/**
 * A data set of ours as Spark rows (label as double, features[, weight]), in its order: bit-packed rows as sparse
 * vectors of their ones (a row of 64 bits is then a few hundred bytes, not 64 doubles), dense rows as dense vectors.
 */
final class DatasetRows {
    private DatasetRows() {
    }

    /** @param exampleWeights ω_n, a third column, or null for none */
    static List<Row> of(Dataset data, double[] exampleWeights) {
        List<Row> rows = new ArrayList<>(data.numExamples());
        int numFeatures = data.numFeatures();
        int[] indices = new int[numFeatures];
        for (int n = 0; n < data.numExamples(); n++) {
            Vector features;
            if (data instanceof BinaryDataset) {
                int count = 0;
                for (int j = 0; j < numFeatures; j++) {
                    if (data.feature(n, j) != 0) {
                        indices[count++] = j;
                    }
                }
                double[] ones = new double[count];
                Arrays.fill(ones, 1);
                features = Vectors.sparse(numFeatures, Arrays.copyOf(indices, count), ones);
            } else {
                double[] x = new double[numFeatures];
                for (int j = 0; j < numFeatures; j++) {
                    x[j] = data.feature(n, j);
                }
                features = Vectors.dense(x);
            }
            double label = data.label(n);
            rows.add(exampleWeights == null ? RowFactory.create(label, features)
                    : RowFactory.create(label, features, exampleWeights[n]));
        }
        return rows;
    }
}
