package org.squeeze4j.share;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.squeeze4j.models.ModelFileException;
import org.squeeze4j.models.ModelFiles;

/**
 * A pruned LeNet-300-100 shipped as a resource so that notebook 07 can start Deep Compression from
 * the pruned network instead of spending minutes on pruning and fine-tuning. It is the
 * {@code pruned.zip} written by the command recorded in its provenance file
 * ({@code /org/squeeze4j/share/lenet-300-100-pruned.json}), e.g.
 * {@code ./s4j compress --model lenet-300-100 --prune-epochs 3 --finetune-epochs 7}.
 */
public final class PrunedBaseline {
    private static final String MODEL = "/org/squeeze4j/share/lenet-300-100-pruned.zip";
    private static final String INFO = "/org/squeeze4j/share/lenet-300-100-pruned.json";

    private PrunedBaseline() {
    }

    /** The pruned LeNet-300-100 (a new copy on every call). */
    public static MultiLayerNetwork lenet300100() {
        try (InputStream in = PrunedBaseline.class.getResourceAsStream(MODEL)) {
            if (in == null) {
                throw new ModelFileException("the pruned LeNet-300-100 is not on the classpath (" + MODEL
                        + "); re-create it with ./s4j compress --model lenet-300-100 and copy pruned.zip there");
            }
            return ModelFiles.load(in, MODEL);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Its provenance: command, accuracy, sparsity, wall time, machine. */
    public static Map<String, Object> info() {
        try (InputStream in = PrunedBaseline.class.getResourceAsStream(INFO)) {
            if (in == null) {
                throw new ModelFileException("no provenance file " + INFO);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = new ObjectMapper().readValue(in, Map.class);
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
