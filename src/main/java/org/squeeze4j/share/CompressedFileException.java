package org.squeeze4j.share;

/** A compressed model file that cannot be read: wrong magic, unknown version, bad checksum, truncated or inconsistent. */
public class CompressedFileException extends RuntimeException {
    public CompressedFileException(String message) {
        super(message);
    }

    public CompressedFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
