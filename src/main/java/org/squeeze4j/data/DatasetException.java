package org.squeeze4j.data;

/**
 * A dataset file is missing, truncated, corrupt or does not match its partner.
 * The message always names the file and says how to fix the problem.
 */
public class DatasetException extends RuntimeException {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
