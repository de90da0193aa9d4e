package org.softmax4j.train;

import java.util.ArrayList;
import java.util.List;

import org.softmax4j.engine.Parameters;

/**
 * What the {@link Trainer}'s loop carries from one iteration to the next: the records so far, the best by F and its
 * weights, with a validation set the best by validation log-likelihood, its weights and the iterations since it
 * improved. Saved into and restored from a {@link Checkpoint}'s "trainer" part: the history as 9 numbers per record,
 * the best ones as indices into it.
 */
final class LoopState {
    static final int RECORD_FIELDS = 9;

    final List<IterationRecord> history = new ArrayList<>();
    IterationRecord current;
    IterationRecord bestRecord;
    final Parameters best;
    IterationRecord bestValidation;
    /** Null without a validation set. */
    final Parameters bestValidationParameters;
    int sinceBetterValidation;

    /** The state after iteration 0: {@code first} is the record of {@code start}. */
    LoopState(IterationRecord first, Parameters start, boolean withValidation) {
        history.add(first);
        current = first;
        bestRecord = first;
        bestValidation = first;
        best = start.copy();
        bestValidationParameters = withValidation ? start.copy() : null;
    }

    /** Also the solver's current point, which the solver of a resumed run starts from. */
    void save(StateFields state, Parameters currentParameters) {
        double[] records = new double[history.size() * RECORD_FIELDS];
        for (int i = 0; i < history.size(); i++) {
            IterationRecord r = history.get(i);
            double[] fields = {r.iteration(), r.objective(), r.logLikelihood(), r.gradientNorm(), r.trainAccuracy(),
                    r.seconds(), r.gradientMaxAbs(), r.validationLogLikelihood(), r.optimalityGap()};
            System.arraycopy(fields, 0, records, i * RECORD_FIELDS, RECORD_FIELDS);
        }
        state.put("history", records);
        state.put("best_index", indexOf(bestRecord));
        state.put("best_validation_index", indexOf(bestValidation));
        state.put("best", best);
        if (bestValidationParameters != null) {
            state.put("best_validation", bestValidationParameters);
        }
        state.put("since_better_validation", sinceBetterValidation);
        state.put("current", currentParameters);
    }

    private int indexOf(IterationRecord record) {
        for (int i = history.size() - 1; i >= 0; i--) {
            if (history.get(i) == record) {
                return i;
            }
        }
        throw new IllegalStateException("the record of iteration " + record.iteration() + " is not in the history");
    }

    /** The point a resumed solver starts from (its state then overrides it where it keeps more). */
    static Parameters currentOf(StateFields state, int numClasses, int numFeatures) {
        Parameters current = new Parameters(numClasses, numFeatures);
        state.copy("current", current);
        return current;
    }

    /** The state {@link #save} wrote, for weights of K × D. */
    static LoopState restore(StateFields state, int numClasses, int numFeatures, boolean withValidation) {
        List<IterationRecord> records = records(state);
        Parameters zero = new Parameters(numClasses, numFeatures);
        LoopState loop = new LoopState(records.get(0), zero, withValidation);
        loop.history.clear();
        loop.history.addAll(records);
        loop.current = records.get(records.size() - 1);
        loop.bestRecord = records.get(index(state, "best_index", records.size()));
        loop.bestValidation = records.get(index(state, "best_validation_index", records.size()));
        state.copy("best", loop.best);
        if (withValidation) {
            state.copy("best_validation", loop.bestValidationParameters);
        }
        loop.sinceBetterValidation = state.getInt("since_better_validation");
        return loop;
    }

    /** The iteration of the last record {@link #save} wrote. */
    static int iterationOf(StateFields state) {
        List<IterationRecord> records = records(state);
        return records.get(records.size() - 1).iteration();
    }

    private static List<IterationRecord> records(StateFields state) {
        double[] values = state.doubles("history", lengthOf(state));
        List<IterationRecord> records = new ArrayList<>();
        for (int at = 0; at < values.length; at += RECORD_FIELDS) {
            double iteration = values[at];
            if (!(iteration >= 0 && iteration <= Integer.MAX_VALUE) || iteration != Math.rint(iteration)) {
                throw new IllegalArgumentException("record " + at / RECORD_FIELDS + " has the iteration " + iteration);
            }
            records.add(new IterationRecord((int) iteration, values[at + 1], values[at + 2], values[at + 3],
                    values[at + 4], values[at + 5], values[at + 6], values[at + 7], values[at + 8]));
        }
        return records;
    }

    private static int lengthOf(StateFields state) {
        int length = state.length("history");
        if (length == 0 || length % RECORD_FIELDS != 0) {
            throw new IllegalArgumentException("the history has " + length + " numbers, expected a positive "
                    + "multiple of " + RECORD_FIELDS);
        }
        return length;
    }

    private static int index(StateFields state, String name, int size) {
        int index = state.getInt(name);
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException(name + " is " + index + ", expected 0 to " + (size - 1));
        }
        return index;
    }
}
