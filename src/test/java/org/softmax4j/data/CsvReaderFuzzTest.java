package org.softmax4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Timeout;
import org.softmax4j.FuzzInvariants;

/**
 * Fuzzes the CSV reader with every option it has: label column, header mode, binarize threshold, representation,
 * the entry point (train, evaluate against a model's classes and width, predict, profiled), and the encoding (plain,
 * gzip, or bytes behind a gzip signature that are not gzip). Committed inputs run with every test run (Jazzer's
 * regression mode, under src/test/resources/.../CsvReaderFuzzTestInputs); {@code scripts/fuzz.sh csv MINUTES}
 * fuzzes for real.
 */
class CsvReaderFuzzTest {
    private static final String NAME = "fuzz.csv";
    private static final List<String> MODEL_CLASSES = List.of("0", "1", "2", "a", "b");

    @FuzzTest
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void readCsv(byte[] input) {
        // Two option bytes, then the file (so that a committed input is readable: "\0\0" followed by a CSV).
        // Byte 0: bits 0-2 label column (0 = last, else 1-based, 7 read as 6), bits 3-4 header mode, bits 5-6
        // representation, bit 7 a binarize threshold in the next two bytes (a signed 16-bit count of hundredths).
        // Byte 1: bits 0-1 entry point (train, evaluate, predict, profiled), bits 2-4 the model's width minus 1 for
        // evaluate and predict, bits 5-6 encoding (plain, gzip, bytes behind a gzip signature).
        if (input.length < 2) {
            return;
        }
        int options0 = input[0] & 0xff;
        int options1 = input[1] & 0xff;
        int offset = 2;
        Double threshold = null;
        if ((options0 & 0x80) != 0 && input.length >= 4) {
            threshold = (short) (((input[2] & 0xff) << 8) | (input[3] & 0xff)) / 100.0;
            offset = 4;
        }
        int labelBits = options0 & 0x7;
        Integer labelColumn = labelBits == 0 ? null : Math.min(labelBits, 6);
        HeaderMode header = HeaderMode.values()[((options0 >> 3) & 0x3) % HeaderMode.values().length];
        Representation representation =
                Representation.values()[((options0 >> 5) & 0x3) % Representation.values().length];
        CsvOptions options = new CsvOptions(labelColumn, header, threshold, representation);
        int entry = options1 & 0x3;
        int modelFeatures = ((options1 >> 2) & 0x7) + 1;
        int encoding = (options1 >> 5) & 0x3;
        byte[] text = java.util.Arrays.copyOfRange(input, offset, input.length);

        byte[] bytes = switch (encoding) {
            case 1 -> gzip(text);
            case 2 -> withGzipSignature(text);
            default -> text;
        };
        long inputBytes = Math.max(bytes.length, inflatedSize(bytes));
        Dataset read = FuzzInvariants.resultOrInputException(NAME, inputBytes, () -> switch (entry) {
            case 0 -> CsvReader.read(new ByteArrayInputStream(bytes), NAME, options);
            case 1 -> CsvReader.read(new ByteArrayInputStream(bytes), NAME, options, MODEL_CLASSES, modelFeatures);
            case 2 -> CsvReader.readForPrediction(new ByteArrayInputStream(bytes), NAME, options, MODEL_CLASSES,
                    modelFeatures);
            default -> CsvReader.readProfiled(new ByteArrayInputStream(bytes), NAME, options).data();
        });
        if (read != null) {
            checkDataset(read, entry == 1 || entry == 2 ? modelFeatures : -1, threshold != null);
        }
    }

    /** A data set that was accepted is whole: examples and features, labels of a known class, finite values. */
    private static void checkDataset(Dataset data, int expectedFeatures, boolean binarized) {
        assertTrue(data.numExamples() >= 1, "accepted a data set without examples");
        assertTrue(data.numFeatures() >= 1, "accepted a data set without features");
        if (expectedFeatures > 0) {
            assertEquals(expectedFeatures, data.numFeatures(), "features of data read against a model");
        }
        for (int n = 0; n < data.numExamples(); n++) {
            int label = data.label(n);
            assertTrue(label >= 0 && label < data.numClasses(), "label " + label + " of row " + n);
            for (int j = 0; j < data.numFeatures(); j++) {
                float x = data.feature(n, j);
                assertTrue(Float.isFinite(x), "feature " + j + " of row " + n + " is " + x);
                if (binarized) {
                    assertTrue(x == 0f || x == 1f, "binarized feature " + j + " of row " + n + " is " + x);
                }
            }
        }
    }

    private static byte[] gzip(byte[] text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] withGzipSignature(byte[] text) {
        byte[] bytes = new byte[text.length + 2];
        bytes[0] = 0x1f;
        bytes[1] = (byte) 0x8b;
        System.arraycopy(text, 0, bytes, 2, text.length);
        return bytes;
    }

    /**
     * How many bytes {@code bytes} inflate to when they are gzip (as far as they can be read), else 0: the data the
     * reader really holds, which a small compressed input can multiply.
     */
    private static long inflatedSize(byte[] bytes) {
        if (bytes.length < 2 || bytes[0] != 0x1f || bytes[1] != (byte) 0x8b) {
            return 0;
        }
        long total = 0;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            byte[] buffer = new byte[8192];
            for (int r; (r = in.read(buffer)) > 0; ) {
                total += r;
            }
        } catch (IOException | RuntimeException e) {
            // Corrupt or truncated: what came out before the error is what the reader can have seen.
        }
        return total;
    }
}
