package org.squeeze4j.share;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.models.Models;
import org.squeeze4j.models.ReferenceModel;
import org.squeeze4j.prune.Pruner;

class CompressedModelTest {
    static MultiLayerNetwork net;
    static SharedWeights shared;
    static CompressedModel compressed;

    @BeforeAll
    static void compress() {
        net = ReferenceModel.LENET_300_100.pretrained();
        Pruner.builder().selection("fc1", org.squeeze4j.prune.Selection.sparsity(0.92))
                .selection("fc2", org.squeeze4j.prune.Selection.sparsity(0.91))
                .selection("fc3", org.squeeze4j.prune.Selection.sparsity(0.74)).build().prune(net);
        shared = WeightSharing.builder().denseBits(6).build().apply(net);
        compressed = CompressedModel.of("lenet-300-100", net, shared);
    }

    @Test
    void fileRoundTripReproducesEveryParameterAndOutputExactly(@TempDir Path dir) {
        Path file = dir.resolve("m.s4dc");
        compressed.write(file);
        CompressedModel back = CompressedModel.read(file);
        MultiLayerNetwork decoded = ReferenceModel.LENET_300_100.create(7, 1e-3);   // different random weights
        back.applyTo(decoded);
        assertEquals(net.params(), decoded.params());
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 5, 784);
        assertEquals(net.output(x), decoded.output(x));
        assertEquals(compressed.summary().fileBytes(), file.toFile().length());
    }

    @Test
    void decodedLayerEqualsSharedWeights() {
        for (EncodedLayer e : compressed.layers()) {
            assertTrue(e.sparse(), e.layer() + " should be stored sparse at 74-92 % sparsity");
            assertEquals(shared.layer(e.layer()).weights(), e.weights());
        }
    }

    @Test
    void accountingMatchesHandCountsAndHuffmanIsNearEntropy() {
        CompressionSummary s = compressed.summary();
        assertEquals(266_610L * 4, s.denseBytes());
        assertEquals(410L * 4, s.otherParamBytes());
        for (LayerBytes l : s.layers()) {
            EncodedLayer e = compressed.layers().stream().filter(x -> x.layer().equals(l.layer())).findFirst().orElseThrow();
            // P+Q: every entry costs 6 + 5 bits, plus 63 float centroids
            assertEquals((e.entries() * 11L + 63 * 32 + 7) / 8, l.quantizedBytes());
            assertEquals(e.weightCount() * 4, l.denseBytes());
            // Huffman is never below the entropy and less than one bit per symbol above it
            double huffman = l.huffmanWeightBits() + l.huffmanIndexBits();
            assertTrue(huffman >= l.entropyBits() - 1e-6);
            assertTrue(huffman <= l.entropyBits() + 2.0 * e.entries());
        }
        assertTrue(s.huffmanBytes() < s.quantizedBytes() && s.quantizedBytes() < s.prunedBytes() && s.prunedBytes() < s.denseBytes());
        assertTrue(s.fileBytes() > s.huffmanBytes() && s.fileBytes() < s.huffmanBytes() + 1000, "file overhead " + (s.fileBytes() - s.huffmanBytes()));
        assertTrue(s.compressionRatio() > 30, "ratio " + s.compressionRatio());
    }

    @Test
    void corruptedTruncatedAndForeignFilesGiveClearErrors(@TempDir Path dir) throws Exception {
        byte[] good = compressed.toBytes();
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10;
        CompressedFileException e = assertThrows(CompressedFileException.class, () -> CompressedModel.fromBytes(flipped, "f"));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
        // a cut anywhere, even inside the checksum, is named as a truncation (it used to read "checksum mismatch")
        for (int cut : new int[] {1, 2, 3, 4, 5, 100, good.length / 2, good.length - 10}) {
            byte[] truncated = java.util.Arrays.copyOf(good, good.length - cut);
            e = assertThrows(CompressedFileException.class, () -> CompressedModel.fromBytes(truncated, "t"));
            assertTrue(e.getMessage().contains("is truncated"), cut + " bytes cut: " + e.getMessage());
        }
        // a model name that is not modified UTF-8, checksum repaired: a declared error, not UncheckedIOException
        byte[] badName = good.clone();
        badName[7] = (byte) 0xff;                           // first byte of the model name (after magic, version, u16 length)
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(badName, 0, badName.length - 4);
        java.nio.ByteBuffer.wrap(badName).putInt(badName.length - 4, (int) crc.getValue());
        e = assertThrows(CompressedFileException.class, () -> CompressedModel.fromBytes(badName, "u"));
        assertTrue(e.getMessage().contains("not valid modified UTF-8"), e.getMessage());
        Path text = dir.resolve("x.s4dc");
        Files.writeString(text, "hello, this is not a model");
        e = assertThrows(CompressedFileException.class, () -> CompressedModel.read(text));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        byte[] future = good.clone();
        future[4] = 9;
        e = assertThrows(CompressedFileException.class, () -> CompressedModel.fromBytes(future, "v"));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());
        assertThrows(CompressedFileException.class, () -> CompressedModel.read(dir.resolve("missing.s4dc")));
    }

    @Test
    void applyToAnotherArchitectureIsRejected() {
        MultiLayerNetwork other = Models.mlp(1, 1e-3, 200, 100);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> compressed.applyTo(other));
        assertTrue(e.getMessage().contains("fc1"), e.getMessage());
    }

    @Test
    void denseLayersAreEncodedInCaffesOutInOrder() {
        // W [in=40, out=2] with W[0][0] = 1 and W[39][1] = 2; as [out, in] they sit at positions 0 and 40 + 39 = 79:
        // gaps 1 and 79 = 31 + 31 + 17 (two fillers at 5 index bits)
        float[][] m = new float[40][2];
        m[0][0] = 1;
        m[39][1] = 2;
        INDArray w = Nd4j.createFromArray(m);
        SharedLayer s = WeightSharing.share("x", w, 1, CentroidInit.LINEAR, 0, 10);   // one shared value: 1.5
        EncodedLayer e = EncodedLayer.of(s, 5);
        assertTrue(e.sparse());
        assertArrayEquals(new int[] {1, 31, 31, 17}, e.gaps());
        assertArrayEquals(new int[] {1, 0, 0, 1}, e.weightSymbols());
        float[][] expected = new float[40][2];
        expected[0][0] = 1.5f;
        expected[39][1] = 1.5f;
        assertEquals(Nd4j.createFromArray(expected), e.weights());
    }

    @Test
    void unprunedLayersAreStoredDense() {
        MultiLayerNetwork dense = Models.mlp(3, 1e-3, 32);
        SharedWeights s = WeightSharing.builder().denseBits(4).build().apply(dense);
        CompressedModel c = CompressedModel.of("mlp", dense, s);
        assertFalse(c.layers().get(0).sparse());
        MultiLayerNetwork back = Models.mlp(4, 1e-3, 32);
        CompressedModel.fromBytes(c.toBytes(), "mem").applyTo(back);
        assertEquals(dense.params(), back.params());
        assertArrayEquals(new long[] {784, 32}, c.layers().get(0).shape());
    }

    /**
     * A crafted entry count (2^30, the file's CRC repaired) used to allocate int[2^30] and die of
     * OutOfMemoryError; a raw parameter shape beyond the file likewise. Both are refused by name.
     */
    @Test
    void craftedCountsWithARepairedChecksumAreRefusedBeforeAllocating() throws Exception {
        byte[] valid = compressed.toBytes();
        var in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(valid, 5, valid.length - 9));
        in.readUTF();
        in.readUnsignedShort();
        in.readUTF();
        int rank = in.readUnsignedByte();
        in.skipBytes(4 * rank + 3);
        int entriesOffset = 5 + (valid.length - 9 - in.available());
        byte[] crafted = valid.clone();
        java.nio.ByteBuffer.wrap(crafted).putInt(entriesOffset, 1 << 30);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(crafted, 0, crafted.length - 4);
        java.nio.ByteBuffer.wrap(crafted).putInt(crafted.length - 4, (int) crc.getValue());
        CompressedFileException e = assertThrows(CompressedFileException.class, () -> CompressedModel.fromBytes(crafted, "crafted.s4dc"));
        assertTrue(e.getMessage().contains("crafted.s4dc") && e.getMessage().contains("1073741824 entries"), e.getMessage());
    }
}
