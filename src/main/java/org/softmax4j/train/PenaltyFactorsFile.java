package org.softmax4j.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.softmax4j.InputException;
import org.softmax4j.data.CsvReader;

/**
 * The file of {@code --penalty-factors}: a text or CSV file (gzip, a pipe or {@code /dev/stdin} as for the data, read
 * by {@link CsvReader#readLines}) with one line per feature; blank lines and lines starting with {@code #} are
 * skipped, fields are separated by commas.
 * <ul>
 * <li>{@code F}: one factor for both parts of the penalty (glmnet's {@code penalty.factor}); {@code L2,L1}: the L2
 * factor and the L1 factor. One line per feature, in feature order.</li>
 * <li>{@code NAME,F} or {@code NAME,L2,L1}: the feature of that name in the training data's header; features not
 * named keep the factor 1.</li>
 * <li>An optional first line of column names, none of them a number: {@code factor}, or {@code l2} and {@code l1} (in
 * either order), after {@code feature} (or {@code name}) for named lines.</li>
 * </ul>
 * Every line has the columns of the first. {@link #read} checks the syntax and the numbers (finite, ≥ 0) before the
 * data is read; {@link #forFeatures} checks the count, or the names, against the data. Errors are
 * {@link InputException}s naming the file, line and column (field number, 1-based).
 */
public final class PenaltyFactorsFile {
    private final String file;
    private final boolean named;
    private final List<String> names;
    private final List<Long> lines;
    private final List<double[]> factors;

    private PenaltyFactorsFile(String file, boolean named, List<String> names, List<Long> lines,
                               List<double[]> factors) {
        this.file = file;
        this.named = named;
        this.names = names;
        this.lines = lines;
        this.factors = factors;
    }

    /** @throws InputException naming the file, line and column of the first problem */
    public static PenaltyFactorsFile read(Path path) {
        String file = path.toString();
        Layout[] layout = {null};
        List<String> names = new ArrayList<>();
        List<Long> lines = new ArrayList<>();
        List<double[]> factors = new ArrayList<>();
        CsvReader.readLines(path, (line, raw) -> {
            String text = raw.trim();
            if (text.isEmpty() || text.startsWith("#")) {
                return;
            }
            String[] fields = text.split(",", -1);
            for (int c = 0; c < fields.length; c++) {
                fields[c] = fields[c].trim();
            }
            if (layout[0] == null) {
                layout[0] = Layout.of(file, line, fields);
                if (layout[0].header) {
                    return;
                }
            }
            Layout columns = layout[0];
            if (fields.length != columns.width) {
                throw InputException.at(file, line, Math.min(fields.length, columns.width) + 1, "expected "
                        + columns.width + " columns (" + columns.describe() + "), found " + fields.length);
            }
            double l2 = parse(file, line, columns.l2, fields);
            double l1 = columns.l1 < 0 ? l2 : parse(file, line, columns.l1, fields);
            if (columns.name >= 0) {
                if (fields[columns.name].isEmpty()) {
                    throw InputException.at(file, line, columns.name + 1, "expected a feature name, found nothing");
                }
                names.add(fields[columns.name]);
            }
            lines.add(line);
            factors.add(new double[] {l2, l1});
        });
        if (layout[0] == null || factors.isEmpty()) {
            throw InputException.at(file, 0, 0, "expected one penalty factor per feature, found none");
        }
        return new PenaltyFactorsFile(file, layout[0].name >= 0, names, lines, factors);
    }

    private static double parse(String file, long line, int column, String[] fields) {
        double value;
        try {
            value = Double.parseDouble(fields[column]);
        } catch (NumberFormatException e) {
            value = Double.NaN;
        }
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw InputException.at(file, line, column + 1, "expected a finite penalty factor >= 0, found \""
                    + fields[column] + "\"");
        }
        return value;
    }

    /** Which column holds what: -1 where there is none. */
    private record Layout(boolean header, int width, int name, int l2, int l1) {
        static Layout of(String file, long line, String[] fields) {
            boolean header = true;
            for (String field : fields) {
                if (isNumber(field)) {
                    header = false;
                }
            }
            if (!header) {
                boolean named = !isNumber(fields[0]);
                int width = fields.length;
                if (width > 3 || (!named && width > 2) || (named && width < 2)) {
                    throw InputException.at(file, line, 1, "expected F, L2,L1, NAME,F or NAME,L2,L1, found "
                            + width + " columns");
                }
                int first = named ? 1 : 0;
                return new Layout(false, width, named ? 0 : -1, first, width - first == 2 ? first + 1 : -1);
            }
            int name = -1;
            int factor = -1;
            int l2 = -1;
            int l1 = -1;
            for (int c = 0; c < fields.length; c++) {
                switch (fields[c].toLowerCase(Locale.ROOT)) {
                    case "feature", "name" -> {
                        if (c != 0) {
                            throw InputException.at(file, line, c + 1, "\"" + fields[c] + "\" is the feature "
                                    + "column, expected first");
                        }
                        name = c;
                    }
                    case "factor", "penalty_factor" -> factor = once(factor, c, file, line, fields);
                    case "l2" -> l2 = once(l2, c, file, line, fields);
                    case "l1" -> l1 = once(l1, c, file, line, fields);
                    default -> throw InputException.at(file, line, c + 1, "expected a column named feature, "
                            + "factor, l2 or l1, found \"" + fields[c] + "\"");
                }
            }
            boolean single = factor >= 0 && l2 < 0 && l1 < 0;
            boolean pair = factor < 0 && l2 >= 0 && l1 >= 0;
            if (!single && !pair) {
                throw InputException.at(file, line, 0, "expected the columns factor, or l2 and l1 (after feature for "
                        + "named lines), found " + String.join(",", fields));
            }
            return new Layout(true, fields.length, name, single ? factor : l2, single ? -1 : l1);
        }

        private static int once(int earlier, int c, String file, long line, String[] fields) {
            if (earlier >= 0) {
                throw InputException.at(file, line, c + 1, "\"" + fields[c] + "\" is repeated (first in column "
                        + (earlier + 1) + ")");
            }
            return c;
        }

        String describe() {
            String values = l1 < 0 ? "factor" : "l2,l1";
            return name >= 0 ? "feature," + values : values;
        }
    }

    private static boolean isNumber(String field) {
        try {
            Double.parseDouble(field);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** How many lines of factors the file holds. */
    public int count() {
        return factors.size();
    }

    /**
     * The factors of the training data's {@code numFeatures} features, named by {@code featureNames} (the header's,
     * or null without one).
     *
     * @throws InputException when positional lines are not one per feature, or a named line names no feature of the
     *                        data (or one twice)
     */
    public PenaltyFactors forFeatures(List<String> featureNames, int numFeatures) {
        double[] l2 = new double[numFeatures];
        double[] l1 = new double[numFeatures];
        if (!named) {
            if (factors.size() != numFeatures) {
                throw new InputException("--penalty-factors " + file + " has " + factors.size() + " factors, expected "
                        + numFeatures + " (one per feature)");
            }
            for (int j = 0; j < numFeatures; j++) {
                l2[j] = factors.get(j)[0];
                l1[j] = factors.get(j)[1];
            }
            return PenaltyFactors.of(l2, l1);
        }
        if (featureNames == null) {
            throw InputException.at(file, lines.get(0), 1, "names feature \"" + names.get(0) + "\", but the "
                    + "training data have no header of feature names");
        }
        Map<String, Integer> index = new HashMap<>();
        for (int j = 0; j < featureNames.size(); j++) {
            index.putIfAbsent(featureNames.get(j), j);
        }
        java.util.Arrays.fill(l2, 1.0);
        java.util.Arrays.fill(l1, 1.0);
        Map<Integer, Long> named = new HashMap<>();
        for (int i = 0; i < factors.size(); i++) {
            Integer j = index.get(names.get(i));
            if (j == null) {
                throw InputException.at(file, lines.get(i), 1, "\"" + names.get(i) + "\" is not a feature of the "
                        + "training data");
            }
            Long earlier = named.putIfAbsent(j, lines.get(i));
            if (earlier != null) {
                throw InputException.at(file, lines.get(i), 1, "feature \"" + names.get(i) + "\" is named again "
                        + "(first on line " + earlier + ")");
            }
            l2[j] = factors.get(i)[0];
            l1[j] = factors.get(i)[1];
        }
        return PenaltyFactors.of(l2, l1);
    }
}
