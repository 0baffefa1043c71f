package org.squeeze4j.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link TeacherLogits#read} never loads wrong logits from a damaged or crafted file. */
class TeacherLogitsFileTest {

    @Test
    void everyOneByteFlipIsRefusedByNameOrChangesNothing(@TempDir Path dir) throws Exception {
        INDArray z = Nd4j.rand(DataType.FLOAT, 40, 10).muli(20);
        Path file = dir.resolve("t.logits.gz");
        TeacherLogits.write(z, file);
        byte[] valid = Files.readAllBytes(file);
        INDArray stored = TeacherLogits.read(file);
        int refused = 0;
        for (int i = 0; i < valid.length; i++) {
            byte[] b = valid.clone();
            b[i] ^= (byte) (1 << (i % 8));
            Path f = dir.resolve("m" + i + ".gz");
            Files.write(f, b);
            try {
                assertEquals(stored, TeacherLogits.read(f), "byte " + i + " flipped: logits changed silently");
            } catch (TeacherLogitsFileException e) {
                assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
                refused++;
            }
        }
        // only the gzip header's time stamp, flags and OS bytes are outside the CRC; they do not touch the data
        assertTrue(refused >= valid.length - 10, refused + " of " + valid.length + " flips refused");
    }

    @Test
    void aCraftedHeaderWithAValidChecksumIsRefusedBeforeNd4jSeesIt(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(raw)) {
            Nd4j.write(Nd4j.rand(DataType.FLOAT, 4, 10).castTo(DataType.HALF), out);
        }
        byte[] b = raw.toByteArray();
        ByteBuffer.wrap(b).putLong(2 + 16 + 8 + 2 + 4 + 8, 1L << 40);   // rows: 2^40
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(b);
        }
        Path f = dir.resolve("crafted.logits.gz");
        Files.write(f, gz.toByteArray());
        String msg = assertThrows(TeacherLogitsFileException.class, () -> TeacherLogits.read(f)).getMessage();
        assertTrue(msg.contains(f.toString()) && msg.contains("not a valid ND4J array"), msg);
    }
}
