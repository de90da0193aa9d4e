package org.softmax4j.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import org.softmax4j.InputException;

// The lines of a text stream as bytes, read through one fixed buffer so that no line becomes a String. Data that starts
// with the gzip signature (0x1f 0x8b) is decompressed, whatever the file is called; a UTF-8 byte order mark is skipped.
// A line is bytes()[start() .. end()), without its '\n' or "\r\n"; it points into the read buffer when the line
// lies wholly inside it, else into a copy. Read errors become InputExceptions that name the file and how many
// lines were read whole.
final class CsvLines implements AutoCloseable {
    private static final int BUFFER_SIZE = 1 << 16;
    private static final int MAX_LINE_BYTES = 1 << 30;
    private static final long DRAIN_LIMIT = 256L << 20;

    private final InputStream in;
    private final String file;
    private final boolean gzip;
    private final byte[] buffer = new byte[BUFFER_SIZE];
    private int position;
    private int limit;
    private boolean endOfInput;

    // Holds a line that crosses the end of the buffer.
    private byte[] spill = new byte[1024];
    private byte[] lineBytes;
    private int lineStart;
    private int lineEnd;
    private long lineNumber;
    private boolean sawAnyByte;

    private CsvLines(InputStream in, String file, boolean gzip) {
        this.in = in;
        this.file = file;
        this.gzip = gzip;
    }

    // Closing the returned lines never closes source.
    static CsvLines open(InputStream source, String file) {
        InputStream unclosable = new FilterInputStream(source) {
            @Override
            public void close() {
            }

            // BufferedInputStream asks available() after a short read; Files.newInputStream answers it with
            // size() − position(), which fails with "Illegal seek" on a pipe (--train <(zcat ...), /dev/stdin).
            // 0 only means "return what you have", which is all this reader needs.
            @Override
            public int available() {
                return 0;
            }
        };
        BufferedInputStream buffered = new BufferedInputStream(unclosable, BUFFER_SIZE);
        try {
            buffered.mark(2);
            int first = buffered.read();
            int second = first < 0 ? -1 : buffered.read();
            buffered.reset();
            if (first != 0x1f || second != 0x8b) {
                return new CsvLines(buffered, file, false);
            }
            return new CsvLines(new GZIPInputStream(buffered, BUFFER_SIZE), file, true);
        } catch (EOFException e) {
            throw InputException.at(file, 0, 0, "expected a gzip header after the gzip signature, found the data"
                    + " cut short");
        } catch (ZipException e) {
            throw InputException.at(file, 0, 0, "expected a valid gzip header, found a corrupt one ("
                    + e.getMessage() + ")");
        } catch (IOException e) {
            throw InputException.at(file, 0, 0, "cannot read: " + e.getMessage());
        }
    }

    String file() {
        return file;
    }

    // 1-based number of the current line; 0 before the first.
    long lineNumber() {
        return lineNumber;
    }

    // True when no byte at all was read: the input is empty.
    boolean isEmpty() {
        return !sawAnyByte;
    }

    byte[] bytes() {
        return lineBytes;
    }

    int start() {
        return lineStart;
    }

    int end() {
        return lineEnd;
    }

    // Moves to the next line; false at the end of the input.
    boolean next() {
        if (endOfInput) {
            return false;
        }
        int spilled = 0;
        boolean any = false;
        while (true) {
            if (position == limit && !fill()) {
                endOfInput = true;
                if (!any) {
                    return false;
                }
                lineBytes = spill;
                lineStart = 0;
                lineEnd = spilled;
                break;
            }
            any = true;
            int newline = indexOfNewline();
            if (newline >= 0 && spilled == 0) {
                lineBytes = buffer;
                lineStart = position;
                lineEnd = newline;
                position = newline + 1;
                break;
            }
            int end = newline >= 0 ? newline : limit;
            spilled = appendToSpill(spilled, end);
            if (newline >= 0) {
                position = newline + 1;
                lineBytes = spill;
                lineStart = 0;
                lineEnd = spilled;
                break;
            }
            position = limit;
        }
        lineNumber++;
        if (lineEnd > lineStart && lineBytes[lineEnd - 1] == '\r') {
            lineEnd--;
        }
        if (lineNumber == 1 && lineEnd - lineStart >= 3 && lineBytes[lineStart] == (byte) 0xEF
                && lineBytes[lineStart + 1] == (byte) 0xBB && lineBytes[lineStart + 2] == (byte) 0xBF) {
            lineStart += 3;
        }
        return true;
    }

    private int indexOfNewline() {
        byte[] b = buffer;
        for (int i = position; i < limit; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private int appendToSpill(int spilled, int end) {
        int length = end - position;
        if ((long) spilled + length > MAX_LINE_BYTES) {
            throw InputException.at(file, lineNumber + 1, 0, "expected a line shorter than 1 GiB, found a longer one");
        }
        if (spilled + length > spill.length) {
            spill = Arrays.copyOf(spill, (int) Math.min(MAX_LINE_BYTES, Math.max(2L * spill.length, spilled + length)));
        }
        System.arraycopy(buffer, position, spill, spilled, length);
        return spilled + length;
    }

    private boolean fill() {
        try {
            int n;
            do {
                n = in.read(buffer, 0, BUFFER_SIZE);
            } while (n == 0);
            if (n < 0) {
                return false;
            }
            position = 0;
            limit = n;
            sawAnyByte = true;
            return true;
        } catch (IOException e) {
            endOfInput = true;
            throw readError(e);
        }
    }

    private InputException readError(IOException e) {
        if (gzip && e instanceof EOFException) {
            return InputException.at(file, 0, 0, "expected complete gzip data, found it truncated or corrupt"
                    + " after line " + lineNumber);
        }
        if (gzip && e instanceof ZipException) {
            return InputException.at(file, 0, 0, "expected valid gzip data, found corrupt data after line "
                    + lineNumber + " (" + e.getMessage() + ")");
        }
        return InputException.at(file, 0, 0, "cannot read after line " + lineNumber + ": " + e.getMessage());
    }

    // The error to report for parseError, met in this input. Corrupt gzip data often inflates to garbage that
    // fails to parse before the checksum at the end is reached; the corruption is the better message then. So for gzip
    // input, read on (at most DRAIN_LIMIT more bytes, to keep a plain typo in a huge file quick to report) and
    // prefer any gzip error found there.
    InputException rootCause(InputException parseError) {
        if (!gzip || endOfInput) {
            return parseError;
        }
        try {
            long drained = 0;
            while (drained < DRAIN_LIMIT && fill()) {
                drained += limit;
            }
        } catch (InputException gzipError) {
            gzipError.addSuppressed(parseError);
            return gzipError;
        }
        return parseError;
    }

    // Releases the decompressor, if any; the stream given to open() stays open.
    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // Closing only ends the inflater; the source stream is shielded, so there is nothing left to report.
        }
    }
}
