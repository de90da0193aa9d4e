package org.softmax4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import org.apache.spark.api.java.JavaRDD;
import org.junit.jupiter.api.Test;

import scala.Tuple2;

/**
 * The sum of the partitions' partials does not depend on the order their tasks finish: each partition sleeps a
 * random time before answering, with values whose double sum depends on the order of addition, and the result is bit
 * for bit the sum in the tree's fixed order, with and without tree levels.
 */
class OrderedTreeSumTest {
    private static final int PARTITIONS = 7;

    /** Values of very different magnitudes: 1e16 + 1 − 1e16 is 0 or 2 depending on the order. */
    private static double[] partial(int partition) {
        SplittableRandom random = new SplittableRandom(partition);
        double[] values = new double[5];
        for (int i = 0; i < values.length; i++) {
            values[i] = (random.nextBoolean() ? 1e16 : 1) * (random.nextDouble() - 0.5);
        }
        return values;
    }

    /** Σ of the partials of {@code partitions}, in that order. */
    private static double[] sum(int... partitions) {
        double[] sum = partial(partitions[0]).clone();
        for (int i = 1; i < partitions.length; i++) {
            double[] values = partial(partitions[i]);
            for (int j = 0; j < sum.length; j++) {
                sum[j] += values[j];
            }
        }
        return sum;
    }

    private static double[] add(double[]... parts) {
        double[] sum = parts[0].clone();
        for (int i = 1; i < parts.length; i++) {
            for (int j = 0; j < sum.length; j++) {
                sum[j] += parts[i][j];
            }
        }
        return sum;
    }

    @Test
    void sumsInAFixedOrderWhateverTheScheduling() {
        double[] inOrder = sum(0, 1, 2, 3, 4, 5, 6);
        assertNotEquals(List.of(inOrder), List.of(sum(6, 5, 4, 3, 2, 1, 0)), "the test values do not depend on the "
                + "order");
        // Depth 1: no level, the driver adds all 7 in order. Depth 2: scale ⌈√7⌉ = 3, one level of groups {0,1,2},
        // {3,4,5}, {6}. Depth 3: scale ⌈∛7⌉ = 2, one level of pairs {0,1}, {2,3}, {4,5}, {6}.
        double[][] expected = {inOrder, add(sum(0, 1, 2), sum(3, 4, 5), sum(6)),
                add(sum(0, 1), sum(2, 3), sum(4, 5), sum(6))};
        List<Integer> indices = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            indices.add(p);
        }
        for (int trial = 0; trial < 2; trial++) {
            long seed = trial;
            JavaRDD<Tuple2<Integer, double[]>> partials = SparkTests.context().parallelize(indices, PARTITIONS)
                    .mapPartitionsWithIndex((index, iterator) -> {
                        Thread.sleep(new SplittableRandom(seed * 31 + index).nextInt(40));
                        return Collections.singletonList(new Tuple2<>(index, partial(index))).iterator();
                    }, true);
            for (int depth = 1; depth <= 3; depth++) {
                assertArrayEquals(expected[depth - 1], OrderedTreeSum.sum(partials, depth), "trial " + trial
                        + ", depth " + depth);
            }
        }
    }
}
