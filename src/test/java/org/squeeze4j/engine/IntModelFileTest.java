package org.squeeze4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.models.Models;
import org.squeeze4j.models.ReferenceModel;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IntModelFileTest {
    static final long FP32_BYTES = 266_610L * 4;

    DatasetSplits mnist;
    IntModel lenet;
    INDArray test;

    @BeforeAll
    void setUp() {
        mnist = Datasets.mnist();
        lenet = IntModelBuilder.build(ReferenceModel.LENET_300_100.pretrained(),
                mnist.train().subset(1000, 42).features(IntModelMnistTest.all(1000)));
        test = mnist.test().features(IntModelMnistTest.all(500));
    }

    @Test
    void roundTripGivesIdenticalModelAndOutputs(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("lenet.s4ji");
        IntModelFile.write(lenet, f);
        assertEquals(lenet.sizeInBytes(), Files.size(f), "sizeInBytes() is the exact file length");
        // header 12 + rank 1 + shape 4 + scale 4 + zp 1 + count 4 = 26; dense: 1 + 8 + 6 + 13 nOut + nIn nOut; CRC 4
        long expected = 26 + (15 + 13 * 300 + 784 * 300) + (15 + 13 * 100 + 300 * 100) + (15 + 13 * 10 + 100 * 10) + 4;
        assertEquals(expected, Files.size(f));
        System.out.printf("int8 LeNet-300-100 file: %d bytes vs %d float32 bytes (%.3fx smaller)%n", Files.size(f), FP32_BYTES,
                FP32_BYTES / (double) Files.size(f));
        assertTrue(Files.size(f) * 3.9 <= FP32_BYTES, "file " + Files.size(f) + " bytes is not 3.9x smaller than " + FP32_BYTES);

        IntModel back = IntModelFile.read(f);
        assertTrue(back.sameAs(lenet));
        assertEquals(lenet.toString(), back.toString());
        int[][] a = lenet.outputCodes(test, Kernels.best());
        int[][] b = back.outputCodes(test, Kernels.scalar());
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i]);
        }
        assertArrayEquals(lenet.output(test).ravel().toFloatVector(), back.output(test).ravel().toFloatVector(), 0f);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "no temporary files left behind");
        }
    }

    @Test
    void convModelRoundTrips(@TempDir Path dir) {
        IntModel m = IntModelBuilder.build(Models.lenet5(1, 1e-3), mnist.train().subset(64, 5).features(IntModelMnistTest.all(64)));
        Path f = dir.resolve("lenet5.s4ji");
        IntModelFile.write(m, f);
        IntModel back = IntModelFile.read(f);
        assertTrue(back.sameAs(m));
        assertEquals(m.sizeInBytes(), IntModelFile.toBytes(back).length);
        assertArrayEquals(m.output(test.getRows(0, 1, 2)).ravel().toFloatVector(), back.output(test.getRows(0, 1, 2)).ravel().toFloatVector(), 0f);
    }

    private static String readError(Path dir, byte[] content) throws IOException {
        Path f = dir.resolve("bad.s4ji");
        Files.write(f, content);
        IntModelFileException e = assertThrows(IntModelFileException.class, () -> IntModelFile.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), "message names the file: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void damagedFilesGiveClearErrors(@TempDir Path dir) throws IOException {
        byte[] good = IntModelFile.toBytes(lenet);

        String m = readError(dir, Arrays.copyOf(good, good.length - 1000));
        assertTrue(m.contains("truncated") && m.contains(Integer.toString(good.length)), m);
        m = readError(dir, Arrays.copyOf(good, 7));
        assertTrue(m.contains("truncated"), m);
        m = readError(dir, new byte[0]);
        assertTrue(m.contains("truncated"), m);

        byte[] magic = good.clone();
        magic[0] = 'P';
        magic[1] = 'K';
        m = readError(dir, magic);
        assertTrue(m.contains("not a squeeze4j integer model") && m.contains("PK"), m);

        byte[] future = good.clone();
        future[4] = 2;
        m = readError(dir, future);
        assertTrue(m.contains("version 2") && m.contains("newer"), m);

        for (int pos : new int[] {20, 5_000, good.length / 2, good.length - 5}) {
            byte[] corrupt = good.clone();
            corrupt[pos] ^= 0x10;
            m = readError(dir, corrupt);
            assertTrue(m.contains("corrupted") && m.contains("CRC32"), "byte " + pos + ": " + m);
        }

        byte[] longer = Arrays.copyOf(good, good.length + 3);
        m = readError(dir, longer);
        assertTrue(m.contains("trailing"), m);

        IntModelFileException e = assertThrows(IntModelFileException.class, () -> IntModelFile.read(dir.resolve("missing.s4ji")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void validChecksumOverInconsistentContentIsReportedAsMalformed(@TempDir Path dir) throws IOException {
        byte[] bad = IntModelFile.toBytes(lenet);
        // first dense layer's first M0 (after header 26 + kind 1 + nIn/nOut 8 + relu/scale/zp 6 + 300 scales): change it
        int m0At = 26 + 1 + 8 + 6 + 300 * 4;
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(m0At, (1 << 30) + 12345);
        CRC32 crc = new CRC32();
        crc.update(bad, 0, bad.length - 4);
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(bad.length - 4, (int) crc.getValue());
        String m = readError(dir, bad);
        assertTrue(m.contains("malformed") && m.contains("multiplier"), m);
    }

    @Test
    void failedWriteKeepsThePreviousFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("m.s4ji");
        IntModelFile.write(lenet, f);
        byte[] before = Files.readAllBytes(f);
        Path blocked = dir.resolve("sub");
        Files.writeString(blocked, "a file where a directory is needed");
        assertThrows(IntModelFileException.class, () -> IntModelFile.write(lenet, blocked.resolve("x.s4ji")));
        assertArrayEquals(before, Files.readAllBytes(f));
        assertFalse(Files.exists(blocked.resolve("x.s4ji")));
    }
}
