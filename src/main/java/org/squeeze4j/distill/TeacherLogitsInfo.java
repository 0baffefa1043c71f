package org.squeeze4j.distill;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Provenance of cached teacher logits, stored as JSON next to the {@code .logits.gz} file.
 *
 * @param teacher reference model id, e.g. "lenet-5-caffe"
 * @param split "train" or "test"
 * @param rows number of images, in the split's file order
 * @param classes logits per image
 * @param accuracy the teacher's accuracy on these images computed from the logits (a fraction)
 * @param sha256 SHA-256 (hex) of the gzip file
 * @param seconds wall time of the forward pass
 * @param versions software versions
 * @param command the command that re-creates the file
 */
public record TeacherLogitsInfo(String teacher, String split, int rows, int classes, double accuracy, String sha256,
                                double seconds, String versions, String command) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static TeacherLogitsInfo read(InputStream in) {
        try {
            return JSON.readValue(in, TeacherLogitsInfo.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read teacher-logits provenance: " + e.getMessage(), e);
        }
    }
}
