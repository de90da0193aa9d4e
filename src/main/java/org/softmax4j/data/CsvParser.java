package org.softmax4j.data;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

import org.softmax4j.InputException;

// One pass over the lines of a CSV file into a Dataset. The first non-blank line fixes the separator, the number of
// columns and where the label is; every later line must have as many columns. Fields are located by their byte offsets
// in the line and numbers are parsed from the bytes, so that reading 0/1 and small integer counts allocates nothing per
// field. Columns in messages are field numbers, 1-based, like the label column option.
final class CsvParser {
    // TRAIN: the labels define the classes. EVALUATE: labels must be among given classes. PREDICT: rows may carry a
    // label, which is ignored.
    enum Mode { TRAIN, EVALUATE, PREDICT }

    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    private static final int MAX_CLASSES_SHOWN = 10;
    private static final int MAX_FOUND_SHOWN = 40;

    private final String file;
    private final CsvOptions options;
    private final Mode mode;
    private final List<String> knownClasses;
    private final int expectedNumFeatures;
    private final List<String> expectedFeatureNames;
    private final boolean binarize;
    private final double threshold;

    // Fixed by the first non-blank line.
    private byte separator;
    private int numColumns;
    private int labelColumn;
    private int numFeatures;

    private int[] fieldStart = new int[64];
    private int[] fieldEnd = new int[64];
    private float[] row;
    // The feature that column c holds, or -1 for the label column.
    private int[] featureOfColumn;
    private FeatureProfile.Accumulator profile;
    private List<String> featureNames;
    private long numericHeaderLine;
    // PREDICT with keepInputLabels: each row's label as written, when the rows have a label column.
    private boolean keepInputLabels;
    private List<String> inputLabels;
    private LabelTable inputLabelNames;
    // The non-blank lines of the input, counted before (see countNonBlankLines), or -1 when unknown.
    private long nonBlankLines = -1;

    // Training: labels to provisional ids, in order of first appearance. Evaluation: class names to class indices.
    private final LabelTable labels = new LabelTable();

    // knownClasses: the classes labels map onto (EVALUATE), or the data set's class names (PREDICT).
    // expectedNumFeatures: the features a row must have (a model's); -1 when any count will do.
    CsvParser(String file, CsvOptions options, Mode mode, List<String> knownClasses, int expectedNumFeatures) {
        this(file, options, mode, knownClasses, expectedNumFeatures, null);
    }

    // expectedFeatureNames: a model's feature names; with a header, columns are matched to them by name (in any
    // order, a missing one is an error). Null: columns are taken by position.
    CsvParser(String file, CsvOptions options, Mode mode, List<String> knownClasses, int expectedNumFeatures,
              List<String> expectedFeatureNames) {
        this.file = file;
        this.expectedFeatureNames = expectedFeatureNames == null ? null : List.copyOf(expectedFeatureNames);
        if (expectedFeatureNames != null && expectedFeatureNames.size() != expectedNumFeatures) {
            throw new IllegalArgumentException("featureNames has " + expectedFeatureNames.size()
                    + " names, expected " + expectedNumFeatures + " (numFeatures)");
        }
        this.options = options;
        this.mode = mode;
        this.knownClasses = knownClasses == null ? null : List.copyOf(knownClasses);
        this.expectedNumFeatures = expectedNumFeatures;
        this.binarize = options.binarizeThreshold() != null;
        this.threshold = binarize ? options.binarizeThreshold() : 0;
        if (mode != Mode.TRAIN) {
            if (this.knownClasses.isEmpty()) {
                throw new IllegalArgumentException("classNames is empty, expected at least 1 class");
            }
            for (String name : this.knownClasses) {
                byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
                if (labels.find(bytes, 0, bytes.length) >= 0) {
                    throw new IllegalArgumentException("class name \"" + name + "\" appears twice");
                }
                labels.add(bytes, name);
            }
        }
        if (mode == Mode.PREDICT && expectedNumFeatures < 1) {
            throw new IllegalArgumentException("numFeatures is " + expectedNumFeatures + ", expected at least 1");
        }
    }

    String file() {
        return file;
    }

    CsvOptions options() {
        return options;
    }

    /** Rows to classify keep their labels as written (for output beside the predictions). */
    CsvParser keepingInputLabels() {
        keepInputLabels = true;
        return this;
    }

    /**
     * The input has {@code count} non-blank lines (as {@link #countNonBlankLines} counts them), so that the rows are
     * stored in arrays of their exact size from the start; a wrong count costs memory, never rows.
     */
    CsvParser expectingNonBlankLines(long count) {
        nonBlankLines = count;
        return this;
    }

    // The lines that parse() reads as rows or as the header: those with a character other than space, tab or CR.
    static long countNonBlankLines(CsvLines lines) {
        long count = 0;
        while (nextNonBlank(lines)) {
            count++;
        }
        return count;
    }

    CsvData parse(CsvLines lines) {
        if (!nextNonBlank(lines)) {
            throw InputException.at(file, 0, 0, lines.isEmpty() ? "expected data rows, found an empty file"
                    : "expected data rows, found only blank lines");
        }
        long firstLine = lines.lineNumber();
        separator = detectSeparator(lines);
        layOut(lines, split(lines), firstLine);
        row = new float[numFeatures];
        featureOfColumn = new int[numColumns];
        for (int c = 0, j = 0; c < numColumns; c++) {
            featureOfColumn[c] = c == labelColumn ? -1 : j++;
        }
        boolean header = switch (options.header()) {
            case PRESENT -> true;
            case ABSENT -> false;
            case AUTO -> looksLikeHeader(lines);
        };
        if (header) {
            if (options.header() == HeaderMode.PRESENT && !looksLikeHeader(lines)) {
                numericHeaderLine = firstLine;
            }
            readHeader(lines, firstLine);
        }
        profile = new FeatureProfile.Accumulator(numFeatures);
        long expectedRows = nonBlankLines - (header ? 1 : 0);
        RowStore store = new RowStore(numFeatures, options.representation() != Representation.DENSE,
                mode != Mode.PREDICT, (int) Math.max(0, Math.min(expectedRows, RowStore.MAX_ARRAY_LENGTH)));
        if (!header) {
            addRow(lines, store);
        }
        while (nextNonBlank(lines)) {
            int count = split(lines);
            if (count != numColumns) {
                throw InputException.at(file, lines.lineNumber(), Math.min(count, numColumns) + 1, "expected "
                        + numColumns + " columns (as on line " + firstLine + "), found " + count);
            }
            addRow(lines, store);
        }
        if (store.size() == 0) {
            throw InputException.at(file, firstLine, 0, "expected data rows after the header, found none");
        }
        Dataset data = switch (mode) {
            case TRAIN -> trainingDataset(store);
            case EVALUATE, PREDICT -> store.toDataset(null, knownClasses, file);
        };
        int[] featureColumns = new int[numFeatures];
        for (int c = 0; c < numColumns; c++) {
            if (featureOfColumn[c] >= 0) {
                featureColumns[featureOfColumn[c]] = c + 1;
            }
        }
        return new CsvData(data, featureNames, profile.profile(), featureColumns, numericHeaderLine, inputLabels);
    }

    // The header's names: with a model's names, the columns are matched to them (any order) and the one column left
    // over, if any, is the label; else the names are recorded in feature order.
    private void readHeader(CsvLines lines, long line) {
        byte[] b = lines.bytes();
        String[] names = new String[numColumns];
        for (int c = 0; c < numColumns; c++) {
            names[c] = new String(b, fieldStart[c], fieldEnd[c] - fieldStart[c], StandardCharsets.UTF_8);
        }
        if (expectedFeatureNames == null) {
            List<String> found = new ArrayList<>(numFeatures);
            for (int c = 0; c < numColumns; c++) {
                if (c != labelColumn) {
                    found.add(names[c]);
                }
            }
            featureNames = found;
            return;
        }
        java.util.Map<String, Integer> columnOf = new java.util.HashMap<>();
        for (int c = 0; c < numColumns; c++) {
            Integer earlier = columnOf.putIfAbsent(names[c], c);
            if (earlier != null && expectedFeatureNames.contains(names[c])) {
                throw InputException.at(file, line, c + 1, "expected distinct column names, found \""
                        + shown(names[c]) + "\" in columns " + (earlier + 1) + " and " + (c + 1));
            }
        }
        int[] matched = new int[numColumns];
        Arrays.fill(matched, -1);
        for (int j = 0; j < expectedFeatureNames.size(); j++) {
            Integer c = columnOf.get(expectedFeatureNames.get(j));
            if (c == null) {
                throw InputException.at(file, line, 0, "expected a column named \""
                        + shown(expectedFeatureNames.get(j)) + "\" (feature " + (j + 1) + " of the model), found no "
                        + "such column in the header");
            }
            matched[c] = j;
        }
        int leftover = -1;
        for (int c = 0; c < numColumns; c++) {
            if (matched[c] < 0) {
                leftover = c;
            }
        }
        Integer labelOption = options.labelColumn();
        if (labelOption != null && leftover >= 0 && labelOption - 1 != leftover) {
            throw InputException.at(file, line, labelOption, "expected the label in column " + (leftover + 1) + " (\""
                    + shown(names[leftover]) + "\", the one the model has no feature of), found --label-column "
                    + labelOption + " (\"" + shown(names[labelOption - 1]) + "\", a feature of the model)");
        }
        labelColumn = leftover;
        featureOfColumn = matched;
        featureNames = expectedFeatureNames;
    }

    private static boolean nextNonBlank(CsvLines lines) {
        while (lines.next()) {
            byte[] b = lines.bytes();
            for (int i = lines.start(); i < lines.end(); i++) {
                if (!isSpace(b[i])) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\r';
    }

    // ',' if the line has one, else ';' if it has one, else 0 for runs of whitespace.
    private static byte detectSeparator(CsvLines lines) {
        byte[] b = lines.bytes();
        boolean semicolon = false;
        for (int i = lines.start(); i < lines.end(); i++) {
            if (b[i] == ',') {
                return ',';
            }
            semicolon |= b[i] == ';';
        }
        return semicolon ? (byte) ';' : 0;
    }

    private void layOut(CsvLines lines, int count, long line) {
        numColumns = count;
        // A header that lacks one of the model's feature names is named as such, before the column count is judged.
        if (expectedFeatureNames != null && options.header() != HeaderMode.ABSENT) {
            byte[] b = lines.bytes();
            java.util.Set<String> found = new java.util.HashSet<>();
            boolean numeric = true;
            for (int c = 0; c < count; c++) {
                found.add(new String(b, fieldStart[c], fieldEnd[c] - fieldStart[c], StandardCharsets.UTF_8));
                numeric &= fieldEnd[c] > fieldStart[c] && CsvNumbers.looksLikeNumber(b, fieldStart[c], fieldEnd[c]);
            }
            if (!numeric || options.header() == HeaderMode.PRESENT) {
                for (int j = 0; j < expectedFeatureNames.size(); j++) {
                    if (!found.contains(expectedFeatureNames.get(j))) {
                        throw InputException.at(file, line, 0, "expected a column named \""
                                + shown(expectedFeatureNames.get(j)) + "\" (feature " + (j + 1) + " of the model), "
                                + "found no such column in the header");
                    }
                }
            }
        }
        Integer labelOption = options.labelColumn();
        if (mode == Mode.PREDICT) {
            if (count == expectedNumFeatures) {
                labelColumn = -1;
                numFeatures = count;
                return;
            }
            if (count != expectedNumFeatures + 1) {
                throw InputException.at(file, line, 0, "expected " + expectedNumFeatures + " feature values (or "
                        + (expectedNumFeatures + 1) + " with a label), found " + count);
            }
        } else if (count < 2) {
            throw InputException.at(file, line, 0, "expected at least 2 columns (features and a label), found "
                    + count);
        }
        if (labelOption != null && labelOption > count) {
            throw InputException.at(file, line, 0, "expected a label column from 1 to " + count
                    + ", found label column " + labelOption);
        }
        labelColumn = labelOption == null ? count - 1 : labelOption - 1;
        numFeatures = count - 1;
        if (mode == Mode.EVALUATE && expectedNumFeatures >= 0 && numFeatures != expectedNumFeatures) {
            throw InputException.at(file, line, 0, "expected " + expectedNumFeatures + " features and a label ("
                    + (expectedNumFeatures + 1) + " columns), found " + numFeatures + " features and a label ("
                    + count + " columns)");
        }
    }

    private boolean looksLikeHeader(CsvLines lines) {
        byte[] b = lines.bytes();
        for (int c = 0; c < numColumns; c++) {
            if (c != labelColumn && fieldEnd[c] > fieldStart[c] && !CsvNumbers.looksLikeNumber(b, fieldStart[c], fieldEnd[c])) {
                return true;
            }
        }
        return false;
    }

    // Splits the current line into fields, trimmed and unquoted, and returns how many there are.
    private int split(CsvLines lines) {
        byte[] b = lines.bytes();
        int end = lines.end();
        int count = 0;
        if (separator == 0) {
            int i = lines.start();
            while (true) {
                while (i < end && isSpace(b[i])) {
                    i++;
                }
                if (i == end) {
                    return count;
                }
                int start = i;
                while (i < end && !isSpace(b[i])) {
                    i++;
                }
                count = addField(b, count, start, i);
            }
        }
        int start = lines.start();
        for (int i = start; ; i++) {
            if (i == end || b[i] == separator) {
                count = addField(b, count, start, i);
                if (i == end) {
                    return count;
                }
                start = i + 1;
            }
        }
    }

    private int addField(byte[] b, int count, int start, int end) {
        while (start < end && isSpace(b[start])) {
            start++;
        }
        while (end > start && isSpace(b[end - 1])) {
            end--;
        }
        if (end - start >= 2 && b[start] == '"' && b[end - 1] == '"') {
            start++;
            end--;
        }
        if (count == fieldStart.length) {
            fieldStart = Arrays.copyOf(fieldStart, 2 * count);
            fieldEnd = Arrays.copyOf(fieldEnd, 2 * count);
        }
        fieldStart[count] = start;
        fieldEnd[count] = end;
        return count + 1;
    }

    private void addRow(CsvLines lines, RowStore store) {
        byte[] b = lines.bytes();
        long line = lines.lineNumber();
        boolean rowIsBinary = true;
        int label = 0;
        for (int c = 0; c < numColumns; c++) {
            int j = featureOfColumn[c];
            if (j < 0) {
                if (mode != Mode.PREDICT) {
                    label = labelId(b, fieldStart[c], fieldEnd[c], line, c + 1);
                } else if (keepInputLabels) {
                    keepInputLabel(b, fieldStart[c], fieldEnd[c]);
                }
                continue;
            }
            float value = feature(b, fieldStart[c], fieldEnd[c], line, c + 1, j);
            row[j] = value;
            rowIsBinary &= (value == 0f) | (value == 1f);
        }
        profile.endRow();
        if (!store.add(row, rowIsBinary, label)) {
            throw InputException.at(file, line, 0, "expected at most " + store.size() + " rows of " + numFeatures
                    + " features (the most one Java array holds), found more");
        }
    }

    // Keeps a row's label as written, one String per distinct label (labels repeat: rows share their class's String).
    private void keepInputLabel(byte[] b, int start, int end) {
        if (inputLabels == null) {
            inputLabels = new ArrayList<>();
            inputLabelNames = new LabelTable();
        }
        int id = inputLabelNames.find(b, start, end);
        if (id < 0) {
            id = inputLabelNames.add(Arrays.copyOfRange(b, start, end),
                    new String(b, start, end - start, StandardCharsets.UTF_8));
        }
        inputLabels.add(inputLabelNames.names().get(id));
    }

    private float feature(byte[] b, int start, int end, long line, int column, int j) {
        if (start == end) {
            throw InputException.at(file, line, column, "expected a number, found an empty field");
        }
        double value = parseNumber(b, start, end, line, column);
        float stored;
        if (binarize) {
            stored = value >= threshold ? 1f : 0f;
        } else {
            stored = (float) value;
            if (Float.isInfinite(stored)) {
                throw InputException.at(file, line, column, "expected a number, found \"" + shown(b, start, end)
                        + "\", out of float range (largest magnitude " + Float.MAX_VALUE + ")");
            }
        }
        if (options.representation() == Representation.BINARY && stored != 0f && stored != 1f) {
            throw InputException.at(file, line, column, "expected 0 or 1 (binary representation), found \""
                    + shown(b, start, end) + "\"");
        }
        profile.add(j, value, stored);
        return stored;
    }

    // A finite double from a decimal number (see CsvNumbers), or an error naming the field.
    private double parseNumber(byte[] b, int start, int end, long line, int column) {
        double value = CsvNumbers.parse(b, start, end);
        if (Double.isNaN(value)) {
            String found = shown(b, start, end);
            if (CsvNumbers.isNanOrInfinity(b, start, end)) {
                throw InputException.at(file, line, column, "expected a finite number, found \"" + found + "\"");
            }
            throw InputException.at(file, line, column, "expected a number, found \"" + found + "\"");
        }
        if (Double.isInfinite(value)) {
            throw InputException.at(file, line, column, "expected a number, found \"" + shown(b, start, end)
                    + "\", out of double range (largest magnitude " + Double.MAX_VALUE + ")");
        }
        return value;
    }

    private int labelId(byte[] b, int start, int end, long line, int column) {
        if (start == end) {
            throw InputException.at(file, line, column, "expected a label, found an empty field");
        }
        int id = labels.find(b, start, end);
        if (id >= 0) {
            return id;
        }
        if (mode == Mode.EVALUATE) {
            throw InputException.at(file, line, column, "expected one of the classes " + listed(knownClasses)
                    + ", found \"" + shown(b, start, end) + "\"");
        }
        // Checked once per distinct label: distinct valid UTF-8 byte strings are distinct names.
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b, start, end - start)).toString();
        } catch (CharacterCodingException e) {
            throw InputException.at(file, line, column, "expected a label in UTF-8, found \"" + shown(b, start, end)
                    + "\" (invalid bytes)");
        }
        return labels.add(Arrays.copyOfRange(b, start, end), name);
    }

    // Classes named by their labels, integers in numeric order, other strings in String order.
    private Dataset trainingDataset(RowStore store) {
        List<String> labelsInOrderSeen = labels.names();
        int numClasses = labelsInOrderSeen.size();
        if (numClasses < 2) {
            throw InputException.at(file, 0, 0, "expected at least 2 classes, found only \""
                    + shown(labelsInOrderSeen.get(0)) + "\" in " + store.size() + " rows");
        }
        List<String> classNames = new ArrayList<>(labelsInOrderSeen);
        classNames.sort(classOrder(classNames));
        int[] classOf = new int[numClasses];
        for (int k = 0; k < numClasses; k++) {
            byte[] bytes = classNames.get(k).getBytes(StandardCharsets.UTF_8);
            classOf[labels.find(bytes, 0, bytes.length)] = k;
        }
        return store.toDataset(classOf, classNames, file);
    }

    static Comparator<String> classOrder(List<String> labels) {
        for (String label : labels) {
            if (!INTEGER.matcher(label).matches()) {
                return Comparator.naturalOrder();
            }
        }
        Comparator<String> numeric = Comparator.comparing(BigInteger::new);
        return numeric.thenComparing(Comparator.naturalOrder());
    }

    static String listed(List<String> classes) {
        StringBuilder text = new StringBuilder();
        int shown = classes.size() <= MAX_CLASSES_SHOWN ? classes.size() : MAX_CLASSES_SHOWN - 2;
        for (int k = 0; k < shown; k++) {
            text.append(k == 0 ? "" : ", ").append('"').append(shown(classes.get(k))).append('"');
        }
        if (shown < classes.size()) {
            text.append(", ... (").append(classes.size()).append(" classes)");
        }
        return text.toString();
    }

    private static String shown(byte[] b, int start, int end) {
        return shown(new String(b, start, end - start, StandardCharsets.UTF_8));
    }

    // The text as found, cut short when long so that a message stays one readable line.
    private static String shown(String text) {
        String oneLine = text.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= MAX_FOUND_SHOWN ? oneLine : oneLine.substring(0, MAX_FOUND_SHOWN - 3) + "...";
    }
}
