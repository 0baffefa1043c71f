package org.squeeze4j.engine;

/** An integer model file is missing, truncated, corrupted, of another format or version; the message says which. */
public class IntModelFileException extends RuntimeException {
    public IntModelFileException(String message) {
        super(message);
    }

    public IntModelFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
