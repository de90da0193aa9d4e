package org.softmax4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@code --history auto}: which m L-BFGS keeps, and how the options record it. */
class AutoHistoryTest {

    @Test
    void tenPairsExceptForLbfgsOnManyDenseRows() {
        int dimension = 10 * 784 + 10;
        assertEquals(TrainingOptions.DEFAULT_HISTORY, QuasiNewton.autoHistory(false, 1_000_000, dimension),
                "bit-packed rows and owlqn keep 10 pairs");
        assertEquals(TrainingOptions.DEFAULT_HISTORY, QuasiNewton.autoHistory(true, 500, dimension),
                "few rows: at least 10");
        assertEquals(2000 / QuasiNewton.ROWS_PER_PAIR, QuasiNewton.autoHistory(true, 2000, dimension));
        assertEquals(QuasiNewton.MOST_AUTO_PAIRS, QuasiNewton.autoHistory(true, 100_000, dimension));
        int wide = 1000 * 1000 + 1000;
        long fit = QuasiNewton.HISTORY_BYTES / (16L * wide);
        assertEquals(Math.max(TrainingOptions.DEFAULT_HISTORY, fit), QuasiNewton.autoHistory(true, 100_000, wide),
                "the pairs' memory bounds m, but not below 10");
    }

    @Test
    void partitionedRowsKeepAtLeastFortyPairs() {
        int dimension = 10 * 784 + 10;
        int least = TrainingOptions.PARTITIONED_LEAST_HISTORY;
        assertEquals(least, TrainingOptions.autoHistory(false, 1_000_000, 10 * 64 + 10, least),
                "bit-packed rows on Spark: 40 pairs");
        assertEquals(least, TrainingOptions.autoHistory(true, 2000, dimension, least), "few dense rows: still 40");
        assertEquals(QuasiNewton.MOST_AUTO_PAIRS, TrainingOptions.autoHistory(true, 100_000, dimension, least),
                "many dense rows: as one machine");
        int wide = 100_000 * 10 + 10;
        assertEquals(QuasiNewton.HISTORY_BYTES / (16L * wide), TrainingOptions.autoHistory(false, 1000, wide, least),
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
