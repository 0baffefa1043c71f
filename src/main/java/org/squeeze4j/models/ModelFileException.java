package org.squeeze4j.models;

/** A model file is missing, truncated or not a DL4J model; the message names the file. */
public class ModelFileException extends RuntimeException {
    public ModelFileException(String message) {
        super(message);
    }

    public ModelFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
