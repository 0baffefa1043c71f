package org.squeeze4j.distill;

/** A teacher-logits file is truncated, corrupt or not what {@link TeacherLogits#write} writes; the message names it. */
public class TeacherLogitsFileException extends RuntimeException {
    public TeacherLogitsFileException(String message) {
        super(message);
    }

    public TeacherLogitsFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
