package org.softmax4j.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

// Writes test inputs into a temporary folder.
final class CsvFiles {
    private CsvFiles() {
    }

    static Path write(Path dir, String name, String content) {
        return write(dir, name, content.getBytes(StandardCharsets.UTF_8));
    }

    static Path write(Path dir, String name, byte[] content) {
        try {
            return Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] gzip(String content) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    // rows lines "v,v,...,label" with 0/1 values from a fixed pattern, label = row % numClasses.
    static String binaryRows(int rows, int numFeatures, int numClasses) {
        StringBuilder text = new StringBuilder();
        for (int n = 0; n < rows; n++) {
            for (int j = 0; j < numFeatures; j++) {
                text.append(bit(n, j)).append(',');
            }
            text.append(n % numClasses).append('\n');
        }
        return text.toString();
    }

    static int bit(int row, int feature) {
        return (row * 31 + feature * 17) % 5 < 2 ? 1 : 0;
    }
}
