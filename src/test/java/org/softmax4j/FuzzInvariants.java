package org.softmax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.function.Supplier;

/**
 * The one invariant every fuzz target checks: reading any input ends in a result or in an {@link InputException}
 * whose message is one non-empty line naming the file (and "file:line" or "file:line:column" where the exception
 * says it knows them), never in another exception; and the bytes allocated while reading stay within a bound
 * proportional to the input. Any other throwable escapes, and Jazzer reports it with the input that caused it.
 *
 * <p>Allocation is measured with the current thread's allocated-bytes counter: total bytes allocated, so an upper
 * bound of the peak. The readers run on the calling thread, so nothing they allocate is missed.
 */
public final class FuzzInvariants {
    /**
     * Fixed allowance: I/O buffers (the CSV reader's 64 KiB, gzip's window), JSON parser state and JIT or
     * instrumentation noise, which are independent of the input's size.
     */
    public static final long BASE_BYTES = 16L << 20;
    /**
     * Per byte of input: a CSV byte becomes at most one float plus row and label bookkeeping (a one-character
     * feature "1," costs 2 bytes of text and 4 of float, copied once when the rows are packed); generous, so that only
     * a read that trusts a declared size (a header's count, a model's shape) or copies quadratically crosses it.
     */
    public static final long BYTES_PER_INPUT_BYTE = 512;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private FuzzInvariants() {
    }

    /**
     * Runs {@code read}; returns its result, or null when it threw an {@link InputException} that passed the checks.
     *
     * @param file       the name the reader was given for the input (its messages must name it)
     * @param inputBytes the input's size (uncompressed, for gzip) that the allocation bound is proportional to
     */
    public static <T> T resultOrInputException(String file, long inputBytes, Supplier<T> read) {
        long bound = BASE_BYTES + BYTES_PER_INPUT_BYTE * inputBytes;
        Outcome<T> first = attempt(read);
        // The first read of a kind loads (and, when fuzzing, instruments) classes on this thread, which counts as
        // allocation here; a read that really needs the memory needs it again.
        Outcome<T> outcome = first.allocated > bound ? attempt(read) : first;
        long allocated = outcome.allocated;
        assertTrue(allocated <= bound, () -> (outcome.rejection == null ? "the read" : "the rejection") + " allocated "
                + allocated + " bytes for " + inputBytes + " bytes of input, more than the bound " + bound);
        if (outcome.rejection != null) {
            checkMessage(outcome.rejection, file);
        }
        return outcome.result;
    }

    private record Outcome<T>(T result, InputException rejection, long allocated) {
    }

    private static <T> Outcome<T> attempt(Supplier<T> read) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            T result = read.get();
            return new Outcome<>(result, null, THREADS.getCurrentThreadAllocatedBytes() - before);
        } catch (InputException e) {
            return new Outcome<>(null, e, THREADS.getCurrentThreadAllocatedBytes() - before);
        }
    }

    /** Checks what every user-facing InputException must satisfy. */
    public static void checkMessage(InputException e, String file) {
        String message = e.getMessage();
        assertTrue(message != null && !message.isBlank(), "empty InputException message");
        assertFalse(message.contains("\n") || message.contains("\r"), () -> "message of more than one line: " + message);
        assertTrue(message.contains(file), () -> "message does not name the file " + file + ": " + message);
        if (e.file() != null) {
            assertEquals(file, e.file(), () -> "InputException.file() for: " + message);
            if (e.line() > 0) {
                String where = file + ":" + e.line() + (e.column() > 0 ? ":" + e.column() : "") + ": ";
                assertTrue(message.startsWith(where), () -> "message does not start with " + where + ": " + message);
            }
        }
    }
}
