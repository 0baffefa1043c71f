package org.squeeze4j.models;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.squeeze4j.util.AtomicFiles;

/**
 * Loads and saves DL4J model files with errors a user can act on. Saving writes to a temporary
 * file and moves it into place, so an interrupted save never leaves a truncated model behind and
 * never destroys the previous file.
 */
public final class ModelFiles {
    private ModelFiles() {
    }

    /** Loads a network saved by {@link #save} or DL4J's {@code ModelSerializer}. */
    public static MultiLayerNetwork load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelFileException("Model file not found: " + file.toAbsolutePath());
        }
        try (InputStream in = Files.newInputStream(file)) {
            return load(in, file.toString());
        } catch (IOException e) {
            throw new ModelFileException("Cannot read model file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Loads a network from a stream; {@code what} names the source in error messages. */
    public static MultiLayerNetwork load(InputStream in, String what) {
        try {
            return ModelSerializer.restoreMultiLayerNetwork(in, false);
        } catch (ZipException | java.io.EOFException e) {
            throw new ModelFileException("Model file " + what + " is truncated or corrupt (" + e.getMessage()
                    + "). Restore it, or re-create it with the command in its .json provenance file.", e);
        } catch (IOException | RuntimeException e) {
            throw new ModelFileException("Model file " + what + " is not a valid DL4J model (" + e + ").", e);
        }
    }

    /** Saves {@code net} (without updater state) atomically. */
    public static void save(MultiLayerNetwork net, Path file) {
        try {
            AtomicFiles.write(file, out -> ModelSerializer.writeModel(net, out, false));
        } catch (IOException e) {
            throw new ModelFileException("Cannot save model to " + file + ": " + e.getMessage(), e);
        }
    }
}
