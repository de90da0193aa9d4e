package org.softmax4j.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.softmax4j.data.CsvData;
import org.softmax4j.data.FeatureProfile;

/**
 * Checks new data against what a model was trained on (its {@link Model#featureProfile()}), for the cases that read
 * without error and still give wrong answers: a column whose values fall far outside the training range (a label read
 * as a feature, a column from another data set), and a binarization that turns a column, or the whole input, into a
 * constant where training saw both values (data that is already 0/1 given to a model that binarizes counts at 8).
 * Each problem is one line for people, naming the column and what training saw; a model without a profile (a
 * version-1 file) gives none.
 */
public final class DataContract {
    /**
     * A column is "constant by chance" when a training zero share z makes n equal values at most this likely (z^n):
     * one row of a 0/1 feature is constant by nature, 30 rows of a feature that is 1 half of the time are not. Small,
     * because D columns are tested at once and the rows of a file are seldom a random sample: the first 360 rows of the
     * digits have a pixel that is 1 in 2.1% of all rows at 0 throughout (a chance of 5e-4).
     */
    static final double CHANCE = 1e-6;
    /** Problems of one kind listed column by column, at most; the rest are counted on one line. */
    static final int MAX_LINES = 10;

    private DataContract() {
    }

    /**
     * The notices for {@code input} given to {@code model}, each one line starting with "notice: ".
     *
     * @param threshold the binarization applied to the input (null: none), which may differ from the model's
     */
    public static List<String> check(Model model, CsvData input, Double threshold) {
        FeatureProfile trained = model.featureProfile();
        FeatureProfile found = input.profile();
        List<String> notices = new ArrayList<>();
        if (trained == null || found == null || trained.numFeatures() != found.numFeatures()) {
            return notices;
        }
        String source = input.data().source();
        List<String> outside = new ArrayList<>();
        for (int j = 0; j < trained.numFeatures(); j++) {
            double span = trained.max(j) - trained.min(j);
            // A feature constant in training allows the same distance as a 0/1 feature, or its own magnitude.
            double margin = span > 0 ? span : Math.max(1, Math.abs(trained.max(j)));
            if (found.max(j) > trained.max(j) + margin || found.min(j) < trained.min(j) - margin) {
                outside.add(String.format(Locale.ROOT, "notice: %s: %s has values from %s to %s, far outside the "
                                + "training range %s to %s (a label or a column of other data?)", source,
                        where(model, input, j), number(found.min(j)), number(found.max(j)), number(trained.min(j)),
                        number(trained.max(j))));
            }
        }
        addCapped(notices, outside, "columns have values far outside their training range");
        if (threshold != null) {
            checkBinarization(model, input, threshold, notices);
        }
        return notices;
    }

    private static void checkBinarization(Model model, CsvData input, double threshold, List<String> notices) {
        FeatureProfile trained = model.featureProfile();
        FeatureProfile found = input.profile();
        long rows = found.numRows();
        boolean allZero = true;
        boolean allOne = true;
        double logChanceAll = 0;
        double trainedZeros = 0;
        List<String> constant = new ArrayList<>();
        for (int j = 0; j < trained.numFeatures(); j++) {
            double z = trained.zeroShare(j);
            double zFound = found.zeroShare(j);
            allZero &= zFound == 1;
            allOne &= zFound == 0;
            trainedZeros += z;
            if (z <= 0 || z >= 1 || (zFound != 0 && zFound != 1)) {
                continue;
            }
            double logChance = rows * Math.log(zFound == 1 ? z : 1 - z);
            logChanceAll += logChance;
            if (logChance < Math.log(CHANCE)) {
                constant.add(String.format(Locale.ROOT, "notice: %s: binarized at %s, %s is always %d; in "
                                + "training it was 1 in %.1f%% of the rows", input.data().source(),
                        number(threshold), where(model, input, j), zFound == 1 ? 0 : 1, 100 * (1 - z)));
            }
        }
        if ((allZero || allOne) && logChanceAll < Math.log(CHANCE)) {
            double trainedOnes = 1 - trainedZeros / trained.numFeatures();
            notices.add(String.format(Locale.ROOT, "notice: %s: binarized at %s, every value of the input is %d; "
                            + "in training %.1f%% of the values were 1: if the input is already 0/1, give --binarize "
                            + "none (or a threshold such as 0.5)", input.data().source(), number(threshold),
                    allZero ? 0 : 1, 100 * trainedOnes));
            return;
        }
        addCapped(notices, constant, "columns are constant after binarization where training saw both values");
    }

    private static void addCapped(List<String> notices, List<String> lines, String what) {
        if (lines.size() <= MAX_LINES) {
            notices.addAll(lines);
            return;
        }
        notices.addAll(lines.subList(0, MAX_LINES - 1));
        notices.add("notice: ... " + (lines.size() - MAX_LINES + 1) + " more " + what);
    }

    /** "column 64 (feature 64)", or with names "column 3 (feature "age", 1 of the model)". */
    private static String where(Model model, CsvData input, int feature) {
        List<String> names = model.featureNames();
        return "column " + input.column(feature) + " (feature " + (names == null ? String.valueOf(feature + 1)
                : "\"" + names.get(feature) + "\", " + (feature + 1) + " of the model") + ")";
    }

    private static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return String.valueOf((long) value);
        }
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.4g", value)).stripTrailingZeros()
                .toPlainString();
    }
}
