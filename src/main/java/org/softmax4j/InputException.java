package org.softmax4j;

/**
 * Bad input from a user: a data file, a model file or an option. The message is one line that names what and where
 * (file, line, column) and what was expected against what was found. The command line turns it into exit code 2.
 */
public class InputException extends RuntimeException {
    private final String file;
    private final long line;
    private final int column;

    public InputException(String message) {
        this(message, null);
    }

    public InputException(String message, Throwable cause) {
        this(message, cause, null, 0, 0);
    }

    /**
     * @param file   the file the problem is in, or null when it is not about one file
     * @param line   its line, counting from 1, or 0 when not known
     * @param column its column (field number in CSV, character in JSON), counting from 1, or 0 when not known
     */
    public InputException(String message, Throwable cause, String file, long line, int column) {
        super(message, cause);
        this.file = file;
        this.line = Math.max(0, line);
        this.column = line > 0 ? Math.max(0, column) : 0;
    }

    /** The file the problem is in, or null. */
    public String file() {
        return file;
    }

    /** The line, counting from 1, or 0 when not known. */
    public long line() {
        return line;
    }

    /** The column, counting from 1, or 0 when not known. */
    public int column() {
        return column;
    }

    /** "file:line:column: message", leaving out the parts that are not known (line or column below 1). */
    public static InputException at(String file, long line, int column, String message) {
        StringBuilder where = new StringBuilder(file);
        if (line > 0) {
            where.append(':').append(line);
            if (column > 0) {
                where.append(':').append(column);
            }
        }
        return new InputException(where + ": " + message, null, file, line, column);
    }
}
