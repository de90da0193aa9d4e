package org.softmax4j.spark;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;

import scala.Tuple2;

/**
 * Spark's treeAggregate in a fixed order: the partitions' partial sums, each tagged with its partition index, are
 * combined in levels of at most {@code scale} consecutive partitions (scale = ⌈P^(1/depth)⌉, at least 2, the levels
 * added by Spark's own rule), each group summed in partition order on an executor, and the last level summed in
 * partition order on the driver. Spark's treeAggregate merges partials in the order tasks finish, and double addition
 * is not associative; here the order is a function of the partition count alone, so a result is bitwise the same
 * whatever the scheduling.
 */
final class OrderedTreeSum {
    private OrderedTreeSum() {
    }

    /** Σ over partitions of their partial vectors (all of one length), in partition order. */
    static double[] sum(JavaRDD<Tuple2<Integer, double[]>> partials, int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("aggregation depth is " + depth + ", expected at least 1");
        }
        int count = partials.getNumPartitions();
        int scale = Math.max((int) Math.ceil(Math.pow(count, 1.0 / depth)), 2);
        JavaPairRDD<Integer, double[]> level = partials.mapToPair(partial -> partial);
        while (count > scale + (count + scale - 1) / scale) {
            count = (count + scale - 1) / scale;
            int groupSize = scale;
            level = level.mapToPair(partial -> new Tuple2<>(partial._1() / groupSize, partial))
                    .groupByKey(count)
                    .mapValues(OrderedTreeSum::inOrder);
        }
        List<Tuple2<Integer, double[]>> top = new ArrayList<>(level.collect());
        return inOrder(top);
    }

    /** The vectors summed in the order of their indices. */
    static double[] inOrder(Iterable<Tuple2<Integer, double[]>> partials) {
        List<Tuple2<Integer, double[]>> sorted = new ArrayList<>();
        partials.forEach(sorted::add);
        sorted.sort(Comparator.comparing(Tuple2::_1));
        double[] sum = null;
        for (Tuple2<Integer, double[]> partial : sorted) {
            double[] values = partial._2();
            if (sum == null) {
                sum = values.clone();
                continue;
            }
            if (values.length != sum.length) {
                throw new IllegalStateException("partial " + partial._1() + " has " + values.length
                        + " values, expected " + sum.length);
            }
            for (int i = 0; i < sum.length; i++) {
                sum[i] += values[i];
            }
        }
        if (sum == null) {
            throw new IllegalStateException("no partial sums to combine");
        }
        return sum;
    }
}
