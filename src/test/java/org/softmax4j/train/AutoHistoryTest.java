package org.softmax4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@code --history auto}: which m L-BFGS keeps, and how the options record it. */
class AutoHistoryTest {

    @Test
    void tenPairsExceptForLbfgsOnManyDenseRows() {
        int dimension = 10 * 784 + 10;
        int ten = TrainingOptions.DEFAULT_HISTORY;
        assertEquals(TrainingOptions.DEFAULT_HISTORY, QuasiNewton.autoHistory(false, true, 1_000_000, dimension, ten),
                "owlqn keeps 10 pairs");
        assertEquals(TrainingOptions.DEFAULT_HISTORY, QuasiNewton.autoHistory(true, true, 500, dimension, ten),
                "few rows: at least 10");
        assertEquals(2000 / QuasiNewton.ROWS_PER_PAIR, QuasiNewton.autoHistory(true, true, 2000, dimension, ten));
        assertEquals(QuasiNewton.MOST_AUTO_PAIRS, QuasiNewton.autoHistory(true, true, 100_000, dimension, ten));
        int wide = 1000 * 1000 + 1000;
        long fit = QuasiNewton.HISTORY_BYTES / (16L * wide);
        assertEquals(Math.max(ten, fit), QuasiNewton.autoHistory(true, true, 100_000, wide, ten),
                "the pairs' memory bounds m, but not below 10");
    }

    @Test
    void bitPackedRowsOnePairPerThousandRows() {
        int dimension = 10 * 64 + 10;
        int least = TrainingOptions.DEFAULT_HISTORY;
        assertEquals(least, QuasiNewton.autoHistory(true, false, 1437, dimension, least),
                "the digits' split keeps 10 pairs (and its pinned bits)");
        assertEquals(50, QuasiNewton.autoHistory(true, false, 50_000, dimension, least));
        assertEquals(QuasiNewton.MOST_AUTO_PAIRS, QuasiNewton.autoHistory(true, false, 1_000_000, dimension, least));
        assertEquals(least, QuasiNewton.autoHistory(false, false, 1_000_000, dimension, least), "owlqn keeps 10");
        assertEquals(QuasiNewton.MOST_AUTO_PAIRS, TrainingOptions.autoHistory(SolverType.LBFGS, false, 1_000_000,
                dimension, TrainingOptions.PARTITIONED_LEAST_HISTORY), "on Spark: as one machine where more than 40");
    }

    @Test
    void partitionedRowsKeepAtLeastFortyPairs() {
        int dimension = 10 * 784 + 10;
        int least = TrainingOptions.PARTITIONED_LEAST_HISTORY;
        assertEquals(least, TrainingOptions.autoHistory(SolverType.OWLQN, false, 1_000_000, 10 * 64 + 10, least),
                "owlqn on Spark: 40 pairs");
        assertEquals(least, TrainingOptions.autoHistory(SolverType.LBFGS, true, 2000, dimension, least),
                "few dense rows: still 40");
        assertEquals(QuasiNewton.MOST_AUTO_PAIRS,
                TrainingOptions.autoHistory(SolverType.LBFGS, true, 100_000, dimension, least),
                "many dense rows: as one machine");
        int wide = 100_000 * 10 + 10;
        assertEquals(QuasiNewton.HISTORY_BYTES / (16L * wide),
                TrainingOptions.autoHistory(SolverType.OWLQN, true, 1000, wide, least),
                "the pairs' memory bounds the 40 too");
    }

    @Test
    void recordedAsAutoAndValidated() {
        TrainingOptions options = TrainingOptions.defaults().withSolver(SolverType.LBFGS);
        assertEquals(TrainingOptions.AUTO_HISTORY, options.history());
        assertEquals("auto", options.record().get("history"));
        assertEquals("7", options.withHistory(7).record().get("history"));
        assertThrows(IllegalArgumentException.class, () -> options.withHistory(-1));
    }
}
