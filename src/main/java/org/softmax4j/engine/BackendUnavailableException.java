package org.softmax4j.engine;

/** The back end that was asked for cannot run here; the message says why. The command line exits with code 3. */
public class BackendUnavailableException extends RuntimeException {
    public BackendUnavailableException(String message) {
        super(message);
    }
}
