package org.softmax4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.softmax4j.InputException;

class CsvReaderTest {
    @TempDir
    Path dir;

    private static final CsvOptions DEFAULTS = CsvOptions.defaults();

    private Dataset read(String content) {
        return CsvReader.read(CsvFiles.write(dir, "data.csv", content), DEFAULTS);
    }

    private static float[][] rows(Dataset data) {
        float[][] rows = new float[data.numExamples()][data.numFeatures()];
        for (int n = 0; n < data.numExamples(); n++) {
            for (int j = 0; j < data.numFeatures(); j++) {
                rows[n][j] = data.feature(n, j);
            }
        }
        return rows;
    }

    private static String[] labelNames(Dataset data) {
        String[] names = new String[data.numExamples()];
        for (int n = 0; n < names.length; n++) {
            names[n] = data.classNames().get(data.label(n));
        }
        return names;
    }

    private static final float[][] SMALL_ROWS = {{1.5f, -2f, 3e-3f}, {0f, 4f, 5.25f}, {7f, 8f, 9f}};
    private static final String[] SMALL_LABELS = {"b", "a", "b"};

    private static void assertSmall(Dataset data) {
        assertInstanceOf(DenseDataset.class, data);
        assertEquals(List.of("a", "b"), data.classNames());
        assertArrayEquals(SMALL_ROWS, rows(data));
        assertArrayEquals(SMALL_LABELS, labelNames(data));
    }

    @Test
    void readsCommaSeparatedRows() {
        assertSmall(read("1.5,-2,3e-3,b\n0,4,5.25,a\n7,8,9,b\n"));
    }

    /**
     * A pipe (--train <(zcat ...), /dev/stdin) delivers short reads and cannot answer available() (Files.newInputStream
     * computes it as size − position: "Illegal seek"). Here: 7-byte reads, available() failing as on a pipe.
     */
    @Test
    void readsFromAStreamThatCannotTellWhatIsAvailable() {
        StringBuilder csv = new StringBuilder();
        for (int n = 0; n < 20_000; n++) {
            csv.append(n % 7).append(',').append(n % 3).append(',').append(n % 2 == 0 ? "even" : "odd").append('\n');
        }
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        java.io.InputStream pipe = new java.io.InputStream() {
            private int position;

            @Override
            public int read() {
                return position < bytes.length ? bytes[position++] & 0xFF : -1;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (position >= bytes.length) {
                    return -1;
                }
                int n = Math.min(Math.min(length, 7), bytes.length - position);
                System.arraycopy(bytes, position, buffer, offset, n);
                position += n;
                return n;
            }

            @Override
            public int available() throws java.io.IOException {
                throw new java.io.IOException("Illegal seek");
            }
        };
        Dataset data = CsvReader.read(pipe, "pipe", DEFAULTS);
        assertEquals(20_000, data.numExamples());
        assertEquals(List.of("even", "odd"), data.classNames());
        assertEquals(6f, data.feature(13, 0));
        assertEquals(1f, data.feature(13, 1));
        assertEquals("odd", data.classNames().get(data.label(19_999)));
    }

    @Test
    void readsSemicolonSeparatedRows() {
        assertSmall(read("1.5;-2;3e-3;b\n0;4;5.25;a\n7;8;9;b\n"));
    }

    @Test
    void readsWhitespaceSeparatedRows() {
        assertSmall(read("  1.5   -2\t3e-3 b\n0\t\t4 5.25   a  \n7 8 9 b"));
    }

    @Test
    void trimsFieldsSkipsBlankLinesAndHandlesCrLfBomAndQuotes() {
        assertSmall(read("\uFEFF\r\n 1.5 , -2 ,3e-3, \"b\"\r\n\r\n   \n0,4,5.25,a\r\n7,8,9,b"));
    }

    @Test
    void detectsAHeaderByItsWords() {
        Dataset data = read("x1,x2,x3,class\n1.5,-2,3e-3,b\n0,4,5.25,a\n7,8,9,b\n");
        assertSmall(data);
    }

    @Test
    void treatsANumericFirstLineAsDataUnlessAHeaderIsDeclared() {
        String content = "1,2,3,b\n1.5,-2,3e-3,b\n0,4,5.25,a\n7,8,9,b\n";
        Path file = CsvFiles.write(dir, "numeric-header.csv", content);
        assertEquals(4, CsvReader.read(file, DEFAULTS).numExamples());
        assertSmall(CsvReader.read(file, DEFAULTS.withHeader(HeaderMode.PRESENT)));
    }

    @Test
    void readsAWordyFirstLineAsDataWhenNoHeaderIsDeclared() {
        Path file = CsvFiles.write(dir, "absent.csv", "x,y,z,b\n1,2,3,a\n");
        InputException e = assertThrows(InputException.class,
                () -> CsvReader.read(file, DEFAULTS.withHeader(HeaderMode.ABSENT)));
        assertEquals(file + ":1:1: expected a number, found \"x\"", e.getMessage());
    }

    @Test
    void readsGzipByItsSignatureWhateverTheName() {
        byte[] gz = CsvFiles.gzip("x1,x2,x3,y\n1.5,-2,3e-3,b\n0,4,5.25,a\n7,8,9,b\n");
        assertSmall(CsvReader.read(CsvFiles.write(dir, "data.csv.gz", gz), DEFAULTS));
        assertSmall(CsvReader.read(CsvFiles.write(dir, "compressed.csv", gz), DEFAULTS));
    }

    @Test
    void readsTheLabelFromTheFirstColumn() {
        Path file = CsvFiles.write(dir, "first.csv", "b,1.5,-2,3e-3\na,0,4,5.25\nb,7,8,9\n");
        assertSmall(CsvReader.read(file, DEFAULTS.withLabelColumn(1)));
    }

    @Test
    void readsTheLabelFromAMiddleColumn() {
        Path file = CsvFiles.write(dir, "middle.csv", "a1,a2,label,a3\n1.5,-2,b,3e-3\n0,4,a,5.25\n7,8,b,9\n");
        assertSmall(CsvReader.read(file, DEFAULTS.withLabelColumn(3)));
    }

    @Test
    void ordersStringClassesAsStrings() {
        Dataset data = read("1,dog\n2,cat\n3,Zebra\n4,bird\n5,cat\n6,10\n");
        assertEquals(List.of("10", "Zebra", "bird", "cat", "dog"), data.classNames());
        assertArrayEquals(new String[] {"dog", "cat", "Zebra", "bird", "cat", "10"}, labelNames(data));
        assertArrayEquals(new int[] {1, 1, 1, 2, 1}, data.classCounts());
    }

    @Test
    void ordersIntegerClassesNumericallyKeepingTheirNames() {
        Dataset data = read("1,10\n2,9\n3,-1\n4,2\n5,007\n6,9\n");
        assertEquals(List.of("-1", "2", "007", "9", "10"), data.classNames());
        assertArrayEquals(new String[] {"10", "9", "-1", "2", "007", "9"}, labelNames(data));
    }

    @Test
    void binarizesAtTheThreshold() {
        Path file = CsvFiles.write(dir, "counts.csv", "0,7.99,8,16,a\n9,1,-3,8.5,b\n");
        Dataset data = CsvReader.read(file, DEFAULTS.withBinarizeThreshold(8.0));
        assertInstanceOf(BinaryDataset.class, data);
        assertArrayEquals(new float[][] {{0, 0, 1, 1}, {1, 0, 0, 1}}, rows(data));
    }

    @Test
    void choosesBinaryStorageForZeroOneValuesAndDenseOtherwise() {
        assertInstanceOf(BinaryDataset.class, read("0,1,1.0,0.0,a\n1,1,0,-0,b\n"));
        assertInstanceOf(DenseDataset.class, read("0,1,1,0,a\n1,1,2,0,b\n"));
    }

    @Test
    void switchesToDenseStorageWhenALaterRowIsNotBinary() {
        int numFeatures = 70;
        int numRows = 1000;
        String content = CsvFiles.binaryRows(numRows, numFeatures, 3) + "0.5," + "1,".repeat(numFeatures - 1) + "2\n";
        Dataset data = read(content);
        assertInstanceOf(DenseDataset.class, data);
        assertEquals(numRows + 1, data.numExamples());
        for (int n = 0; n < numRows; n++) {
            for (int j = 0; j < numFeatures; j++) {
                assertEquals(CsvFiles.bit(n, j), data.feature(n, j), "row " + n + " feature " + j);
            }
            assertEquals(n % 3, data.label(n));
        }
        assertEquals(0.5f, data.feature(numRows, 0));
        assertEquals(1f, data.feature(numRows, numFeatures - 1));
    }

    @Test
    void packsWideBinaryRowsAcrossWords() {
        int numFeatures = 130;
        int numRows = 2000;
        Dataset data = read(CsvFiles.binaryRows(numRows, numFeatures, 4));
        BinaryDataset binary = assertInstanceOf(BinaryDataset.class, data);
        assertEquals(3, binary.wordsPerRow());
        assertEquals(numRows * 3, binary.words().length);
        for (int n = 0; n < numRows; n++) {
            for (int j = 0; j < numFeatures; j++) {
                assertEquals(CsvFiles.bit(n, j), data.feature(n, j), "row " + n + " feature " + j);
            }
        }
    }

    @Test
    void honoursForcedRepresentations() {
        Path file = CsvFiles.write(dir, "bits.csv", "0,1,a\n1,1,b\n");
        assertInstanceOf(DenseDataset.class, CsvReader.read(file, DEFAULTS.withRepresentation(Representation.DENSE)));
        Dataset binary = CsvReader.read(file, DEFAULTS.withRepresentation(Representation.BINARY));
        assertInstanceOf(BinaryDataset.class, binary);
        assertArrayEquals(new float[][] {{0, 1}, {1, 1}}, rows(binary));
    }

    @Test
    void readsLinesLongerThanTheReadBuffer() {
        int numFeatures = 20_000;
        StringBuilder content = new StringBuilder();
        for (int n = 0; n < 3; n++) {
            for (int j = 0; j < numFeatures; j++) {
                content.append(n + j % 7).append(".25,");
            }
            content.append(n % 2).append('\n');
        }
        Dataset data = read(content.toString());
        assertEquals(numFeatures, data.numFeatures());
        assertEquals(3, data.numExamples());
        assertEquals(2 + 19_999 % 7 + 0.25f, data.feature(2, numFeatures - 1));
    }

    @Test
    void mapsTestLabelsOntoTheGivenClasses() {
        Path file = CsvFiles.write(dir, "test.csv", "1,2,c\n3,4,a\n5,6,c\n");
        Dataset data = CsvReader.read(file, DEFAULTS, List.of("a", "b", "c"));
        assertEquals(List.of("a", "b", "c"), data.classNames());
        assertEquals(2, data.label(0));
        assertEquals(0, data.label(1));
        assertEquals(2, data.label(2));
        assertArrayEquals(new int[] {1, 0, 2}, data.classCounts());
        Dataset checked = CsvReader.read(file, DEFAULTS, List.of("a", "b", "c"), 2);
        assertEquals(3, checked.numExamples());
    }

    @Test
    void readsRowsToPredictWithoutALabel() {
        Path file = CsvFiles.write(dir, "predict.csv", "f1,f2,f3\n1,2,3\n4,5,6\n");
        Dataset data = CsvReader.readForPrediction(file, DEFAULTS, List.of("x", "y"), 3);
        assertArrayEquals(new float[][] {{1, 2, 3}, {4, 5, 6}}, rows(data));
        assertEquals(List.of("x", "y"), data.classNames());
    }

    @Test
    void readsRowsToPredictIgnoringTheirLabel() {
        Path last = CsvFiles.write(dir, "last.csv", "1,2,3,never-seen\n4,5,6,\n");
        Dataset data = CsvReader.readForPrediction(last, DEFAULTS, List.of("x", "y"), 3);
        assertArrayEquals(new float[][] {{1, 2, 3}, {4, 5, 6}}, rows(data));
        assertArrayEquals(new int[] {0, 0}, new int[] {data.label(0), data.label(1)});
        Path first = CsvFiles.write(dir, "first.csv", "y,1,0,1\nx,0,0,1\n");
        Dataset firstData = CsvReader.readForPrediction(first, DEFAULTS.withLabelColumn(1), List.of("x", "y"), 3);
        assertInstanceOf(BinaryDataset.class, firstData);
        assertArrayEquals(new float[][] {{1, 0, 1}, {0, 0, 1}}, rows(firstData));
    }

    @Test
    void readsFromAStreamUnderAGivenName() {
        byte[] bytes = "1.5,-2,3e-3,b\n0,4,5.25,a\n7,8,9,b\n".getBytes(StandardCharsets.UTF_8);
        Dataset data = CsvReader.read(new ByteArrayInputStream(bytes), "inline", DEFAULTS);
        assertSmall(data);
        assertEquals("inline", data.source());
    }

    @Test
    void readsManyRowsAcrossBufferBoundariesFromGzip() {
        int numRows = 50_000;
        int numFeatures = 64;
        byte[] gz = CsvFiles.gzip(CsvFiles.binaryRows(numRows, numFeatures, 10));
        Dataset data = CsvReader.read(new ByteArrayInputStream(gz), "many.csv.gz", DEFAULTS);
        BinaryDataset binary = assertInstanceOf(BinaryDataset.class, data);
        assertEquals(numRows, binary.numExamples());
        assertEquals(numRows, binary.words().length);
        for (int n = 0; n < numRows; n += 997) {
            for (int j = 0; j < numFeatures; j++) {
                assertEquals(CsvFiles.bit(n, j), data.feature(n, j), "row " + n + " feature " + j);
            }
            assertEquals(String.valueOf(n % 10), data.classNames().get(data.label(n)));
        }
    }

    @Test
    void parsesDecimalsAsDoubleParseDoubleDoes() {
        Random random = new Random(11);
        List<String> texts = new ArrayList<>();
        StringBuilder content = new StringBuilder();
        for (int n = 0; n < 5000; n++) {
            String text = switch (n % 6) {
                case 0 -> Double.toString(random.nextDouble() * 1000 - 500);
                case 1 -> String.format(Locale.ROOT, "%.6f", random.nextGaussian());
                case 2 -> random.nextInt(1_000_000_000) + "" + random.nextInt(1_000_000_000) + "."
                        + random.nextInt(1000);
                case 3 -> "-0.000" + random.nextInt(100_000);
                case 4 -> "+." + random.nextInt(1_000_000);
                default -> random.nextInt(100) + "e" + (random.nextInt(20) - 10);
            };
            texts.add(text);
            content.append(text).append(',').append(n % 2).append('\n');
        }
        Dataset data = read(content.toString());
        for (int n = 0; n < texts.size(); n++) {
            assertEquals((float) Double.parseDouble(texts.get(n)), data.feature(n, 0), texts.get(n));
        }
    }

    @Test
    void usesTheFileAsGivenForTheSource() {
        Path file = CsvFiles.write(dir, "named.csv", "1,a\n2,b\n");
        assertEquals(file.toString(), CsvReader.read(file, DEFAULTS).source());
    }

    @Test
    void optionsValidateThemselves() {
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withLabelColumn(0));
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withBinarizeThreshold(Double.NaN));
        assertThrows(NullPointerException.class, () -> DEFAULTS.withHeader(null));
        assertEquals(new CsvOptions(null, HeaderMode.AUTO, null, Representation.AUTO), CsvOptions.defaults());
    }
}
