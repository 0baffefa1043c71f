package org.squeeze4j.engine;

import org.squeeze4j.lower.IntModelBuilder;
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
        // header 12 + rank 1 + shape 4 + scale 4 + zp 1 + count 4 = 26; dense: 1 + 8 + 7 + 13 nOut + nIn nOut; CRC 4
        long expected = 26 + (16 + 13 * 300 + 784 * 300) + (16 + 13 * 100 + 300 * 100) + (16 + 13 * 10 + 100 * 10) + 4;
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
        IntModel built = IntModelBuilder.build(Models.lenet5(1, 1e-3), mnist.train().subset(64, 5).features(IntModelMnistTest.all(64)));
        for (IntModel m : List.of(built, withHi(built, 15))) {
            Path f = dir.resolve("lenet5.s4ji");
            IntModelFile.write(m, f);
            IntModel back = IntModelFile.read(f);
            assertTrue(back.sameAs(m));
            assertEquals(hiOf(m), hiOf(back));
            assertEquals(m.sizeInBytes(), IntModelFile.toBytes(back).length);
            assertArrayEquals(m.output(test.getRows(0, 1, 2)).ravel().toFloatVector(), back.output(test.getRows(0, 1, 2)).ravel().toFloatVector(), 0f);
            IntModelMnistTest.assertBitExact(back, test.getRows(0, 1, 2));
        }
    }

    /** {@code m} with every weighted layer but the last clamped at {@code hi} (as a b-bit QAT model would be). */
    static IntModel withHi(IntModel m, int hi) {
        List<IntLayer> layers = new java.util.ArrayList<>();
        for (int i = 0; i < m.layers().size(); i++) {
            IntLayer l = m.layers().get(i);
            int h = i == m.layers().size() - 1 ? 255 : hi;
            if (l instanceof IntDense d) {
                l = new IntDense(d.depth(), d.outChannels(), d.weights(), d.bias(), d.inScale(), d.inZeroPoint(), d.weightScales(),
                        d.outScale(), d.outZeroPoint(), d.relu(), h);
            } else if (l instanceof IntConv2d c) {
                l = new IntConv2d(c.inChannels(), c.inHeight(), c.inWidth(), c.outChannels(), c.kernelHeight(), c.kernelWidth(),
                        c.strideHeight(), c.strideWidth(), c.padTop(), c.padLeft(), c.outHeight(), c.outWidth(), c.weights(), c.bias(),
                        c.inScale(), c.inZeroPoint(), c.weightScales(), c.outScale(), c.outZeroPoint(), c.relu(), h);
            }
            layers.add(l);
        }
        return new IntModel(m.inputShape(), m.inScale(), m.inZeroPoint(), layers);
    }

    static List<Integer> hiOf(IntModel m) {
        return m.layers().stream().filter(l -> l instanceof WeightedLayer).map(l -> ((WeightedLayer) l).hi()).toList();
    }

    @Test
    void upperClampRoundTrips(@TempDir Path dir) {
        IntModel clamped = withHi(lenet, 15);
        assertEquals(List.of(15, 15, 255), hiOf(clamped));
        assertFalse(clamped.sameAs(lenet), "hi is part of the model");
        assertEquals(lenet.sizeInBytes(), clamped.sizeInBytes(), "hi costs the same byte whatever its value");
        Path f = dir.resolve("clamped.s4ji");
        IntModelFile.write(clamped, f);
        IntModel back = IntModelFile.read(f);
        assertTrue(back.sameAs(clamped));
        assertEquals(List.of(15, 15, 255), hiOf(back));
        assertEquals(clamped.toString(), back.toString());
        assertTrue(back.toString().contains("dense 784->300 relu hi 15"), back.toString());
        int[][] a = clamped.outputCodes(test, Kernels.best());
        int[][] b = back.outputCodes(test, Kernels.scalar());
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i]);
        }
        IntModelMnistTest.assertBitExact(back, test);
        int[][] hidden = IntModelMnistTest.engineLayerCodes(back, test, Kernels.best());
        int unclamped = Arrays.stream(IntModelMnistTest.engineLayerCodes(lenet, test, Kernels.best())[0]).max().orElseThrow();
        assertTrue(unclamped > 15, "the first hidden layer reaches " + unclamped + " without the clamp");
        assertEquals(15, Arrays.stream(hidden[0]).max().orElseThrow(), "the first hidden layer saturates at 15");
    }

    /**
     * The version-1 layout (no out max code byte), written here independently of {@link IntModelFile}
     * for a dense-only model whose layers all clamp at 255.
     */
    private static byte[] version1(IntModel m) {
        int size = 26 + 4;
        for (IntLayer l : m.layers()) {
            IntDense d = (IntDense) l;
            size += 1 + 8 + 6 + 13 * d.outChannels() + d.weights().length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(IntModelFile.MAGIC).putShort((short) 1).putShort((short) 0).putInt(size);
        b.put((byte) 1).putInt(m.inputLength()).putFloat((float) m.inScale()).put((byte) m.inZeroPoint()).putInt(m.layers().size());
        for (IntLayer l : m.layers()) {
            IntDense d = (IntDense) l;
            b.put((byte) 1).putInt(d.depth()).putInt(d.outChannels());
            b.put((byte) (d.relu() ? 1 : 0)).putFloat((float) d.outScale()).put((byte) d.outZeroPoint());
            for (double s : d.weightScales()) {
                b.putFloat((float) s);
            }
            for (int o = 0; o < d.outChannels(); o++) {
                b.putInt(d.multiplier(o).m0());
            }
            for (int o = 0; o < d.outChannels(); o++) {
                b.put((byte) d.multiplier(o).shift());
            }
            for (int v : d.bias()) {
                b.putInt(v);
            }
            b.put(d.weights());
        }
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    @Test
    void version1FilesStillLoadWithHi255(@TempDir Path dir) throws IOException {
        byte[] v1 = version1(lenet);
        assertEquals(lenet.sizeInBytes() - 3, v1.length, "version 2 adds one byte per weighted layer");
        Path f = dir.resolve("v1.s4ji");
        Files.write(f, v1);
        IntModel back = IntModelFile.read(f);
        assertTrue(back.sameAs(lenet));
        assertEquals(List.of(255, 255, 255), hiOf(back));
        assertArrayEquals(lenet.output(test).ravel().toFloatVector(), back.output(test).ravel().toFloatVector(), 0f);
        byte[] rewritten = IntModelFile.toBytes(back);
        assertEquals(2, ByteBuffer.wrap(rewritten).order(ByteOrder.LITTLE_ENDIAN).getShort(4),
                "rewritten in the oldest version that holds a chain: 2");
        assertArrayEquals(IntModelFile.toBytes(lenet), rewritten);
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
        future[4] = (byte) (IntModelFile.VERSION + 1);
        m = readError(dir, future);
        assertTrue(m.contains("version " + (IntModelFile.VERSION + 1)) && m.contains("newer"), m);

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
        // first dense layer's first M0 (after header 26 + kind 1 + nIn/nOut 8 + relu/scale/zp/hi 7 + 300 scales): change it
        int m0At = 26 + 1 + 8 + 7 + 300 * 4;
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(m0At, (1 << 30) + 12345);
        CRC32 crc = new CRC32();
        crc.update(bad, 0, bad.length - 4);
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(bad.length - 4, (int) crc.getValue());
        String m = readError(dir, bad);
        assertTrue(m.contains("malformed") && m.contains("multiplier"), m);
    }

    @Test
    void hiBelowTheZeroPointIsReportedAsMalformed(@TempDir Path dir) throws IOException {
        WeightedLayer out = (WeightedLayer) lenet.layers().get(2);
        assertTrue(out.outZeroPoint() > 0, "the logits' zero point " + out.outZeroPoint());
        byte[] bad = IntModelFile.toBytes(lenet);
        // output layer's hi: after the header, two dense layers (16 + 13 nOut + nIn nOut) and kind 1 + nIn/nOut 8 + relu/scale/zp 6
        int hiAt = 26 + (16 + 13 * 300 + 784 * 300) + (16 + 13 * 100 + 300 * 100) + 1 + 8 + 6;
        assertEquals((byte) 255, bad[hiAt]);
        bad[hiAt] = (byte) (out.outZeroPoint() - 1);
        CRC32 crc = new CRC32();
        crc.update(bad, 0, bad.length - 4);
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(bad.length - 4, (int) crc.getValue());
        String m = readError(dir, bad);
        assertTrue(m.contains("malformed") && m.contains("hi must be in [Z_out, 255]") && m.contains("got " + (out.outZeroPoint() - 1)), m);
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
