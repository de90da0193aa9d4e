package org.softmax4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;


/**
 * 1797 handwritten digits, 8×8 pixels, shipped inside the library: "Optical Recognition of Handwritten Digits"
 * (E. Alpaydin, C. Kaynak, UCI Machine Learning Repository, 1998, CC BY 4.0). Each pixel is a count 0..16 of set
 * pixels in a 4×4 block of the original 32×32 bitmap; classes "0".."9". See the README beside the resource.
 */
public final class BuiltinDigits {
    /** Pixels with a count of at least this are 1 when binarized: 32.3% of them. */
    public static final double DEFAULT_THRESHOLD = 8;
    public static final String SOURCE = "built-in digits";
    static final String RESOURCE = "/org/softmax4j/data/optdigits-8x8.csv.gz";

    private BuiltinDigits() {
    }

    /** Binary pixels at {@link #DEFAULT_THRESHOLD}. */
    public static BinaryDataset load() {
        return (BinaryDataset) load(DEFAULT_THRESHOLD);
    }

    /**
     * @param threshold binarize at this count, giving a {@link BinaryDataset}; null keeps the counts 0..16 in a
     *                  {@link DenseDataset}
     */
    public static Dataset load(Double threshold) {
        return loadProfiled(threshold).data();
    }

    /** As {@link #load(Double)}, with the pixels' profile (the counts' range and mean, the zero share as stored). */
    public static CsvData loadProfiled(Double threshold) {
        CsvOptions options = new CsvOptions(null, HeaderMode.ABSENT, threshold,
                threshold == null ? Representation.DENSE : Representation.BINARY);
        try (InputStream in = BuiltinDigits.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the class path");
            }
            return CsvReader.readProfiled(in, SOURCE, options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + RESOURCE, e);
        }
    }
}
