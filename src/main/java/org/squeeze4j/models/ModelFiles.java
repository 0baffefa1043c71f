package org.squeeze4j.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipException;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.squeeze4j.util.AtomicFiles;
import org.squeeze4j.util.OneDnn;

/**
 * Loads and saves DL4J model files with errors a user can act on. Saving writes to a temporary
 * file and moves it into place, so an interrupted save never leaves a truncated model behind and
 * never destroys the previous file.
 */
public final class ModelFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        OneDnn.enable();   // native convolutions for every network loaded here
    }

    private ModelFiles() {
    }

    /** Loads a network saved by {@link #save} or DL4J's {@code ModelSerializer}. */
    public static MultiLayerNetwork load(Path file) {
        return load(file, MultiLayerNetwork.class);
    }

    /** Loads a {@link ComputationGraph} saved by {@link #save} or DL4J's {@code ModelSerializer}. */
    public static ComputationGraph loadGraph(Path file) {
        return load(file, ComputationGraph.class);
    }

    private static <M extends Model> M load(Path file, Class<M> type) {
        if (!Files.isRegularFile(file)) {
            throw new ModelFileException("Model file not found: " + file.toAbsolutePath());
        }
        try (InputStream in = Files.newInputStream(file)) {
            return load(in, file.toString(), type);
        } catch (IOException e) {
            throw new ModelFileException("Cannot read model file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Loads a network from a stream; {@code what} names the source in error messages. */
    public static MultiLayerNetwork load(InputStream in, String what) {
        return load(in, what, MultiLayerNetwork.class);
    }

    /**
     * Checks the ND4J arrays of a model zip (parameters, updater state) before ModelSerializer hands
     * them to libnd4j, which trusts their headers (see {@link org.squeeze4j.util.Nd4jArrayFiles}).
     */
    private static void checkArrays(byte[] zip, String what) throws IOException {
        try (java.util.zip.ZipInputStream z = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            for (java.util.zip.ZipEntry e; (e = z.getNextEntry()) != null; ) {
                if (e.getName().equals("coefficients.bin") || e.getName().equals("updaterState.bin")) {
                    try {
                        org.squeeze4j.util.Nd4jArrayFiles.check(new NonClosing(z), e.getName());
                    } catch (IllegalArgumentException bad) {
                        throw new ModelFileException("Model file " + what + " is truncated or corrupt: " + bad.getMessage()
                                + ". Restore it, or re-create it with the command in its .json provenance file.", bad);
                    }
                }
            }
        }
    }

    /** Lets a reader close its view of one zip entry without closing the zip stream. */
    private static final class NonClosing extends java.io.FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }

    /**
     * Loads a network of the given class ({@link MultiLayerNetwork} or {@link ComputationGraph})
     * from a stream; {@code what} names the source in error messages.
     */
    public static <M extends Model> M load(InputStream in, String what, Class<M> type) {
        try {
            byte[] zip = in.readAllBytes();
            checkArrays(zip, what);
            Model m = type == ComputationGraph.class ? ModelSerializer.restoreComputationGraph(new java.io.ByteArrayInputStream(zip), false)
                    : ModelSerializer.restoreMultiLayerNetwork(new java.io.ByteArrayInputStream(zip), false);
            return type.cast(m);
        } catch (ModelFileException e) {
            throw e;
        } catch (ZipException | java.io.EOFException e) {
            throw new ModelFileException("Model file " + what + " is truncated or corrupt (" + e.getMessage()
                    + "). Restore it, or re-create it with the command in its .json provenance file.", e);
        } catch (IOException | RuntimeException e) {
            throw new ModelFileException("Model file " + what + " is not a valid DL4J " + type.getSimpleName()
                    + " (" + e + ").", e);
        }
    }

    /**
     * Loads a network shipped on the classpath, e.g. {@code /org/squeeze4j/models/lenet-300-100.zip}.
     *
     * @param recreate the command that re-creates the file, named in the error when it is missing
     */
    public static MultiLayerNetwork loadResource(String resource, String recreate) {
        return loadResource(resource, recreate, MultiLayerNetwork.class);
    }

    /** Loads a shipped network of the given class; see {@link #loadResource(String, String)}. */
    public static <M extends Model> M loadResource(String resource, String recreate, Class<M> type) {
        try (InputStream in = ModelFiles.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ModelFileException("The shipped model " + resource + " is not on the classpath. Re-create it with: "
                        + recreate);
            }
            return load(in, resource, type);
        } catch (IOException e) {
            throw new ModelFileException("Cannot read " + resource + ": " + e.getMessage(), e);
        }
    }

    /** Reads the JSON provenance file shipped next to a model, as a {@code type} record. */
    public static <T> T readProvenance(String resource, Class<T> type, String recreate) {
        try (InputStream in = ModelFiles.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ModelFileException("No provenance file " + resource + ". Re-create it with: " + recreate);
            }
            return JSON.readValue(in, type);
        } catch (IOException e) {
            throw new ModelFileException("Cannot read " + resource + ": " + e.getMessage(), e);
        }
    }

    /** Saves {@code net} (without updater state) atomically. */
    public static void save(Model net, Path file) {
        try {
            AtomicFiles.write(file, out -> ModelSerializer.writeModel(net, out, false));
        } catch (IOException e) {
            throw new ModelFileException("Cannot save model to " + file + ": " + e.getMessage(), e);
        }
    }
}
