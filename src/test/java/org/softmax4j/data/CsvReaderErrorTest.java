package org.softmax4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.softmax4j.InputException;

// Each bad input must fail with one line "file:line:column: expected ..., found ...".
class CsvReaderErrorTest {
    @TempDir
    Path dir;

    private static final CsvOptions DEFAULTS = CsvOptions.defaults();

    private static String message(Executable reading) {
        InputException e = assertThrows(InputException.class, reading);
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    private String readMessage(String content) {
        Path file = CsvFiles.write(dir, "bad.csv", content);
        return message(() -> CsvReader.read(file, DEFAULTS));
    }

    private String where(int line, int column) {
        return dir.resolve("bad.csv") + ":" + line + (column > 0 ? ":" + column : "") + ": ";
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("absent.csv");
        assertEquals(file + ": expected a file, found no such file", message(() -> CsvReader.read(file, DEFAULTS)));
    }

    @Test
    void directory() {
        assertEquals(dir + ": expected a file, found a directory", message(() -> CsvReader.read(dir, DEFAULTS)));
    }

    @Test
    void emptyFile() {
        assertEquals(dir.resolve("bad.csv") + ": expected data rows, found an empty file", readMessage(""));
    }

    @Test
    void onlyBlankLines() {
        assertEquals(dir.resolve("bad.csv") + ": expected data rows, found only blank lines",
                readMessage("\n   \r\n\t\n"));
    }

    @Test
    void headerOnly() {
        assertEquals(where(2, 0) + "expected data rows after the header, found none",
                readMessage("\nx1,x2,label\n\n"));
    }

    @Test
    void raggedRows() {
        assertEquals(where(4, 4) + "expected 4 columns (as on line 1), found 3",
                readMessage("1,2,3,a\n4,5,6,b\n\n7,8,c\n"));
        assertEquals(where(2, 5) + "expected 4 columns (as on line 1), found 5", readMessage("1,2,3,a\n4,5,6,7,b\n"));
    }

    @Test
    void nonNumericFeature() {
        assertEquals(where(3, 2) + "expected a number, found \"abc\"", readMessage("1,2,a\n3,4,b\n5,abc,a\n"));
        assertEquals(where(2, 1) + "expected a number, found \"1.5f\"", readMessage("1,2,a\n1.5f,4,b\n"));
        assertEquals(where(2, 1) + "expected a number, found \"0x10\"", readMessage("1,2,a\n0x10,4,b\n"));
        assertEquals(where(2, 2) + "expected a number, found \"1e\"", readMessage("1,2,a\n1,1e,b\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "nan", "+Inf", "-Inf", "Infinity", "-infinity"})
    void nonFiniteFeature(String value) {
        assertEquals(where(2, 3) + "expected a finite number, found \"" + value + "\"",
                readMessage("1,2,3,a\n4,5," + value + ",b\n"));
    }

    @Test
    void nonFiniteValueOnTheFirstLineIsNotTakenForAHeader() {
        assertEquals(where(1, 1) + "expected a finite number, found \"NaN\"", readMessage("NaN,2,a\n3,4,b\n"));
    }

    @Test
    void numberOutOfFloatRange() {
        String message = readMessage("1,2,a\n3,-1e40,b\n");
        assertTrue(message.startsWith(where(2, 2) + "expected a number, found \"-1e40\", out of float range"), message);
    }

    @Test
    void emptyFeatureField() {
        assertEquals(where(2, 2) + "expected a number, found an empty field", readMessage("1,2,a\n3,,b\n"));
    }

    @Test
    void emptyLabel() {
        assertEquals(where(2, 3) + "expected a label, found an empty field", readMessage("1,2,a\n3,4,  \n"));
    }

    @Test
    void labelThatIsNotUtf8() {
        byte[] content = {'1', ',', 'a', '\n', '2', ',', 'b', (byte) 0xff, '\n'};
        Path file = CsvFiles.write(dir, "bad.csv", content);
        assertEquals(where(2, 2) + "expected a label in UTF-8, found \"b\uFFFD\" (invalid bytes)",
                message(() -> CsvReader.read(file, DEFAULTS)));
    }

    @Test
    void singleClass() {
        assertEquals(dir.resolve("bad.csv") + ": expected at least 2 classes, found only \"3\" in 12 rows",
                readMessage("1,2,3\n".repeat(12)));
    }

    @Test
    void labelNotAmongTheKnownClasses() {
        Path file = CsvFiles.write(dir, "bad.csv", "1,2,a\n3,4,b\n5,6,c\n");
        assertEquals(where(3, 3) + "expected one of the classes \"a\", \"b\", found \"c\"",
                message(() -> CsvReader.read(file, DEFAULTS, List.of("a", "b"))));
    }

    @Test
    void labelNotAmongManyKnownClassesListsOnlyTheFirst() {
        List<String> classes = new ArrayList<>();
        for (int k = 0; k < 30; k++) {
            classes.add(String.valueOf(k));
        }
        Path file = CsvFiles.write(dir, "bad.csv", "1,2,3\n1,2,07\n");
        assertEquals(where(2, 3) + "expected one of the classes \"0\", \"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\","
                + " ... (30 classes), found \"07\"", message(() -> CsvReader.read(file, DEFAULTS, classes)));
    }

    @Test
    void featureCountUnlikeTheModel() {
        Path file = CsvFiles.write(dir, "bad.csv", "x1,x2,x3,y\n1,2,3,a\n");
        assertEquals(where(1, 0) + "expected 64 features and a label (65 columns), found 3 features and a label"
                + " (4 columns)", message(() -> CsvReader.read(file, DEFAULTS, List.of("a", "b"), 64)));
        Dataset data = CsvReader.read(CsvFiles.write(dir, "train.csv", "1,2,3,a\n4,5,6,b\n"), DEFAULTS);
        assertEquals(data.source() + ": expected 64 features (as the model has), found 3",
                message(() -> CsvReader.requireNumFeatures(data, 64)));
    }

    @Test
    void predictionRowsOfTheWrongWidth() {
        Path file = CsvFiles.write(dir, "bad.csv", "0,".repeat(62) + "0\n");
        assertEquals(where(1, 0) + "expected 64 feature values (or 65 with a label), found 63",
                message(() -> CsvReader.readForPrediction(file, DEFAULTS, List.of("a", "b"), 64)));
    }

    @Test
    void truncatedGzip() {
        byte[] gz = CsvFiles.gzip(CsvFiles.binaryRows(2000, 64, 10));
        Path file = CsvFiles.write(dir, "bad.csv.gz", Arrays.copyOf(gz, gz.length / 2));
        String message = message(() -> CsvReader.read(file, DEFAULTS));
        String expected = "\\Q" + file + "\\E: expected complete gzip data, found it truncated or corrupt after line"
                + " \\d+";
        assertTrue(message.matches(expected), message);
    }

    @Test
    void gzipCutInsideItsHeader() {
        Path file = CsvFiles.write(dir, "bad.csv.gz", new byte[] {0x1f, (byte) 0x8b, 8});
        assertEquals(file + ": expected a gzip header after the gzip signature, found the data cut short",
                message(() -> CsvReader.read(file, DEFAULTS)));
    }

    @Test
    void corruptGzipHeader() {
        byte[] gz = CsvFiles.gzip("1,2,a\n3,4,b\n");
        gz[2] = 7;
        Path file = CsvFiles.write(dir, "bad.csv.gz", gz);
        assertEquals(file + ": expected a valid gzip header, found a corrupt one (Unsupported compression method)",
                message(() -> CsvReader.read(file, DEFAULTS)));
    }

    @Test
    void corruptGzipData() {
        byte[] gz = CsvFiles.gzip(CsvFiles.binaryRows(2000, 64, 10));
        for (int i = gz.length / 3; i < gz.length / 3 + 64; i++) {
            gz[i] ^= (byte) 0x5a;
        }
        String message = message(() -> CsvReader.read(new ByteArrayInputStream(gz), "stream.gz", DEFAULTS));
        assertTrue(message.matches(
                "stream\\.gz: expected valid gzip data, found corrupt data after line [0-9]+ \\(.+\\)"), message);
    }

    @Test
    void labelColumnOutOfRange() {
        Path file = CsvFiles.write(dir, "bad.csv", "0,".repeat(64) + "1\n");
        assertEquals(where(1, 0) + "expected a label column from 1 to 65, found label column 70",
                message(() -> CsvReader.read(file, DEFAULTS.withLabelColumn(70))));
    }

    @Test
    void valueOtherThanZeroOrOneWhenBinaryIsForced() {
        Path file = CsvFiles.write(dir, "bad.csv", "0,1,0,a\n1,1,0.5,b\n");
        assertEquals(where(2, 3) + "expected 0 or 1 (binary representation), found \"0.5\"",
                message(() -> CsvReader.read(file, DEFAULTS.withRepresentation(Representation.BINARY))));
    }

    @Test
    void onlyOneColumn() {
        assertEquals(where(1, 0) + "expected at least 2 columns (features and a label), found 1",
                readMessage("3\n4\n"));
    }

    @Test
    void declaredHeaderLeavesNoRows() {
        Path file = CsvFiles.write(dir, "bad.csv", "1,2,a\n");
        assertEquals(where(1, 0) + "expected data rows after the header, found none",
                message(() -> CsvReader.read(file, DEFAULTS.withHeader(HeaderMode.PRESENT))));
    }

    @Test
    void longFoundTextIsCutShort() {
        String message = readMessage("1,2,a\n" + "x".repeat(500) + ",4,b\n");
        assertTrue(message.endsWith("found \"" + "x".repeat(37) + "...\""), message);
    }
}
