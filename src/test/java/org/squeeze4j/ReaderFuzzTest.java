package org.squeeze4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.data.DatasetException;
import org.squeeze4j.data.IdxReader;
import org.squeeze4j.distill.TeacherLogits;
import org.squeeze4j.distill.TeacherLogitsFileException;
import org.squeeze4j.engine.IntModel;
import org.squeeze4j.engine.IntModelFile;
import org.squeeze4j.engine.IntModelFileException;
import org.squeeze4j.lower.IntModelBuilder;
import org.squeeze4j.models.ModelFileException;
import org.squeeze4j.models.ModelFiles;
import org.squeeze4j.models.Models;
import org.squeeze4j.share.CompressedFileException;
import org.squeeze4j.share.CompressedModel;
import org.squeeze4j.share.WeightSharing;
import org.squeeze4j.util.Nd4jArrayFiles;

/**
 * Property-based fuzzing of every file reader (jqwik): each property mutates a valid file, raw
 * (a few bytes overwritten, or the file cut short) or behind its checksum (the mutation applied,
 * then the CRC, gzip trailer or zip entry repaired), and the reader must either read it or throw
 * its declared exception: no other exception, no OutOfMemoryError, no hang, no JVM crash. Tries
 * per property: {@code jqwik.tries.default} in {@code junit-platform.properties}.
 */
class ReaderFuzzTest {
    private static Path dir;
    private static byte[] idx;
    private static byte[] s4dc;
    private static byte[] s4ji;
    private static byte[] logitsRaw;
    private static byte[] array;
    private static byte[] modelZip;

    /** A mutation: up to four (offset fraction, new byte) pairs and an optional cut. */
    record Mutation(List<Double> where, List<Byte> what, double cut) {
        byte[] apply(byte[] valid, int from) {
            byte[] b = valid.clone();
            int span = b.length - from;
            for (int i = 0; i < where.size(); i++) {
                b[from + (int) Math.min(span - 1, where.get(i) * span)] = what.get(i);
            }
            return cut < 0.1 ? java.util.Arrays.copyOf(b, from + (int) (cut * 10 * span)) : b;
        }
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<List<Double>> where = Arbitraries.doubles().between(0, 1).list().ofMinSize(1).ofMaxSize(4);
        Arbitrary<List<Byte>> what = Arbitraries.bytes().list().ofSize(4);
        return Combinators.combine(where, what, Arbitraries.doubles().between(0, 1)).as(Mutation::new);
    }

    @BeforeContainer
    static void validFiles() throws IOException {
        dir = Files.createTempDirectory("s4j-fuzz");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(0x00000803);
        out.writeInt(3);
        out.writeInt(4);
        out.writeInt(4);
        out.write(new byte[48]);
        idx = b.toByteArray();
        var net = Models.mlp(1, 1e-3, 16);
        s4dc = CompressedModel.of("mlp", net, WeightSharing.builder().denseBits(3).build().apply(net)).toBytes();
        IntModel engine = IntModelBuilder.build(Models.mlp(2, 1e-3, 8), Nd4j.rand(DataType.FLOAT, 16, 784));
        s4ji = IntModelFile.toBytes(engine);
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(a)) {
            Nd4j.write(Nd4j.rand(DataType.FLOAT, 12, 10).castTo(DataType.HALF), d);
        }
        logitsRaw = a.toByteArray();
        array = logitsRaw;
        Path zip = dir.resolve("m.zip");
        ModelFiles.save(Models.mlp(3, 1e-3, 4), zip);
        modelZip = Files.readAllBytes(zip);
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Path write(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    @Property
    void idxFiles(@ForAll("mutations") Mutation m) throws IOException {
        Path f = write("x-idx3-ubyte", m.apply(idx, 0));
        try {
            IdxReader.read(f);
        } catch (DatasetException declared) {
            // the only failure a reader may report
        }
    }

    @Property
    void compressedModelsRawAndWithTheirCrcRepaired(@ForAll("mutations") Mutation m) {
        byte[] raw = m.apply(s4dc, 0);
        for (byte[] b : List.of(raw, withCrc(raw, ByteOrder.BIG_ENDIAN))) {
            try {
                CompressedModel.fromBytes(b, "fuzz.s4dc");
            } catch (CompressedFileException declared) {
                // expected for most mutations
            }
        }
    }

    @Property
    void engineModelsRawAndWithTheirCrcRepaired(@ForAll("mutations") Mutation m) {
        byte[] raw = m.apply(s4ji, 0);
        for (byte[] b : List.of(raw, withCrc(raw, ByteOrder.LITTLE_ENDIAN))) {
            try {
                IntModelFile.fromBytes(b);
            } catch (IntModelFileException declared) {
                // expected for most mutations
            }
        }
    }

    @Property
    void teacherLogitsRawAndBehindAValidGzip(@ForAll("mutations") Mutation m) throws IOException {
        byte[] gz = gzip(logitsRaw);
        for (byte[] b : List.of(m.apply(gz, 0), gzip(m.apply(logitsRaw, 0)))) {
            try {
                TeacherLogits.read(write("t.logits.gz", b));
            } catch (TeacherLogitsFileException declared) {
                // expected for most mutations
            }
        }
    }

    @Property
    void nd4jArrayHeadersNeverReachNd4jUnchecked(@ForAll("mutations") Mutation m) {
        byte[] b = m.apply(array, 0);
        try {
            long[] shape = Nd4jArrayFiles.read(b, "fuzz").shape();
            assertArrayEquals(Nd4jArrayFiles.check(b, "fuzz").shape(), shape);
        } catch (IllegalArgumentException declared) {
            // expected for most header mutations
        }
    }

    @Property
    void modelZipsRawAndWithTheirParametersMutatedBehindValidZipChecksums(@ForAll("mutations") Mutation m) throws IOException {
        ByteArrayOutputStream rezipped = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(modelZip));
             ZipOutputStream out = new ZipOutputStream(rezipped)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] content = in.readAllBytes();
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(e.getName().equals("coefficients.bin") ? m.apply(content, 0) : content);
                out.closeEntry();
            }
        }
        for (byte[] zip : List.of(rezipped.toByteArray(), m.apply(modelZip, 0))) {   // behind valid checksums, and raw
            try {
                ModelFiles.load(write("m.zip", zip));
            } catch (ModelFileException declared) {
                // expected for most mutations
            }
        }
    }

    /** {@code bytes} with its last four bytes replaced by the CRC32 of the others. */
    private static byte[] withCrc(byte[] bytes, ByteOrder order) {
        if (bytes.length < 8) {
            return bytes;
        }
        byte[] b = bytes.clone();
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b).order(order).putInt(b.length - 4, (int) crc.getValue());
        return b;
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(b)) {
            out.write(raw);
        }
        return b.toByteArray();
    }
}
