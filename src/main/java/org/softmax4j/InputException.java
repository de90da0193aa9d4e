package org.softmax4j;

/**
 * Bad input from a user: a data file, a model file or an option. The message is one line that names what and where
 * (file, line, column) and what was expected against what was found. The command line turns it into exit code 2.
 */
public class InputException extends RuntimeException {
    public InputException(String message) {
        super(message);
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
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
        return new InputException(where + ": " + message);
    }
}
