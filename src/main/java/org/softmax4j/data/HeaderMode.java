package org.softmax4j.data;

/** Whether the first non-blank line of a CSV file is a header that names the columns. */
public enum HeaderMode {
    /** A header when any of its feature fields is not a number. */
    AUTO,
    PRESENT,
    ABSENT
}
