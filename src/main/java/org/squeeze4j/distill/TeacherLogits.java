package org.squeeze4j.distill;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.data.IdxDataset;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;
import org.squeeze4j.models.Networks;
import org.squeeze4j.util.AtomicFiles;

/**
 * A teacher's logits {@code z_T} (the output layer's pre-softmax values), computed once and cached.
 *
 * <p>Distillation needs the teacher's outputs for every image of the transfer set in every epoch.
 * The Caffe LeNet-5 teacher takes tens of seconds for 60,000 images, so its logits for the MNIST
 * training and test images ship as resources ({@value #RESOURCE_DIR}), made by
 * {@code ./s4j teacher-logits}. The file format is ND4J's own binary array format
 * ({@link Nd4j#write(INDArray, DataOutputStream)}) in float16, gzipped; float16 keeps 3 significant
 * digits, an error of at most 0.05 on logits of magnitude 30, far below what a temperature of 2-8
 * can notice. A SHA-256 of the gzip file is recorded in the JSON next to it and verified on load.
 */
public final class TeacherLogits {
    /** Classpath folder of the shipped logits. */
    public static final String RESOURCE_DIR = "/org/squeeze4j/distill/";

    private TeacherLogits() {
    }

    /**
     * The logits of {@code teacher} for the given features: the input of the output layer times its
     * weights plus its bias, i.e. what the softmax would be applied to. The teacher may be a
     * {@code MultiLayerNetwork} or a {@code ComputationGraph} with one dense output layer.
     *
     * @param features {@code [n, inputs]}
     * @return {@code [n, classes]} float32
     */
    public static INDArray of(Model teacher, INDArray features) {
        LayerNode out = Distillation.outputNode(teacher, "teacher");
        String source = out.inputs().get(0);
        INDArray in = NetworkView.of(teacher).inputs().contains(source) ? features
                : Networks.activations(teacher, features).get(source);
        if (out.preprocessor() != null) {
            in = out.preprocessor().preProcess(in, (int) in.size(0), LayerWorkspaceMgr.noWorkspaces());
        }
        INDArray w = out.layer().getParam("W");
        INDArray b = out.layer().getParam("b");
        if (in.rank() != 2 || in.columns() != w.rows()) {
            throw new IllegalArgumentException("the output layer " + out.describe() + " reads shape " + java.util.Arrays.toString(in.shape())
                    + " but its weights expect " + w.rows() + " inputs per example");
        }
        INDArray z = in.castTo(DataType.FLOAT).mmul(w.castTo(DataType.FLOAT));
        return b == null ? z : z.addiRowVector(b.castTo(DataType.FLOAT));
    }

    /** Logits of {@code teacher} for all of {@code data} in file order, computed in batches of {@code batch}. */
    public static INDArray of(Model teacher, IdxDataset data, int batch) {
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
        INDArray all = null;
        for (int from = 0; from < data.size(); from += batch) {
            int to = Math.min(data.size(), from + batch);
            int[] idx = new int[to - from];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = from + i;
            }
            INDArray z = of(teacher, data.features(idx));
            if (all == null) {
                all = Nd4j.create(DataType.FLOAT, data.size(), z.columns());
            }
            all.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to), org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(z);
        }
        return all;
    }

    /** Writes {@code logits} as gzipped float16 and returns the SHA-256 (hex) of the written file. */
    public static String write(INDArray logits, Path file) throws IOException {
        byte[] gz = encode(logits);
        AtomicFiles.write(file, out -> out.write(gz));
        return sha256(gz);
    }

    /** The gzipped float16 bytes of {@code logits}. */
    static byte[] encode(INDArray logits) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new GZIPOutputStream(bytes)))) {
            Nd4j.write(logits.castTo(DataType.HALF), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a file written by {@link #write}, as float32.
     *
     * @throws TeacherLogitsFileException if the file is truncated or corrupt (gzip CRC, ND4J header, shape, NaN)
     */
    public static INDArray read(Path file) throws IOException {
        return decode(Files.readAllBytes(file), file.toString());
    }

    /**
     * Loads shipped logits, e.g. {@code load("lenet-5-caffe", "train")}, checking the SHA-256 recorded in
     * {@code <teacher>-<split>.logits.json}.
     *
     * @throws IllegalStateException if the resource is missing or its checksum does not match
     */
    public static INDArray load(String teacher, String split) {
        String base = RESOURCE_DIR + teacher + "-" + split;
        byte[] gz = resource(base + ".logits.gz", teacher);
        TeacherLogitsInfo info = TeacherLogitsInfo.read(new ByteArrayInputStream(resource(base + ".logits.json", teacher)));
        String actual = sha256(gz);
        if (!actual.equals(info.sha256())) {
            throw new IllegalStateException(base + ".logits.gz has SHA-256 " + actual + " but " + base
                    + ".logits.json records " + info.sha256() + ": the file is corrupt or stale. Re-create it with: "
                    + info.command());
        }
        INDArray z = decode(gz, base + ".logits.gz");
        if (z.rows() != info.rows() || z.columns() != info.classes()) {
            throw new IllegalStateException(base + ".logits.gz holds " + z.rows() + "x" + z.columns() + " values but its JSON says "
                    + info.rows() + "x" + info.classes());
        }
        return z;
    }

    /** The provenance of shipped logits. */
    public static TeacherLogitsInfo info(String teacher, String split) {
        String base = RESOURCE_DIR + teacher + "-" + split;
        return TeacherLogitsInfo.read(new ByteArrayInputStream(resource(base + ".logits.json", teacher)));
    }

    private static byte[] resource(String path, String teacher) {
        try (InputStream in = TeacherLogits.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("No cached teacher logits " + path + " on the classpath. Create them with: "
                        + "./s4j teacher-logits " + teacher);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /**
     * Decompresses to the end (so the gzip trailer's CRC-32 and length are checked), checks the
     * ND4J array header before ND4J reads it, and the result's shape and values.
     *
     * @throws TeacherLogitsFileException naming {@code source} and what is wrong
     */
    private static INDArray decode(byte[] gz, String source) {
        byte[] raw;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            raw = in.readAllBytes();
        } catch (IOException e) {
            throw new TeacherLogitsFileException("teacher logits " + source + " are truncated or corrupt (" + e.getMessage()
                    + "). Re-create them with ./s4j teacher-logits", e);
        }
        INDArray z;
        try {
            z = org.squeeze4j.util.Nd4jArrayFiles.read(raw, "teacher logits " + source).castTo(DataType.FLOAT);
        } catch (IllegalArgumentException e) {
            throw new TeacherLogitsFileException(e.getMessage() + ". Re-create them with ./s4j teacher-logits", e);
        }
        if (z.rank() != 2) {
            throw new TeacherLogitsFileException("teacher logits " + source + " have shape " + java.util.Arrays.toString(z.shape())
                    + "; expected [images, classes]");
        }
        if (z.isNaN().any() || z.isInfinite().any()) {
            throw new TeacherLogitsFileException("teacher logits " + source + " contain NaN or infinite values");
        }
        return z;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
