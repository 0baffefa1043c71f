package org.squeeze4j.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Headers of ND4J's array format are checked field by field before ND4J reads them. */
class Nd4jArrayFilesTest {
    static byte[] bytes(INDArray a) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(b)) {
            Nd4j.write(a, out);
        }
        return b.toByteArray();
    }

    /** Offset of shape-info value {@code i} (0 = rank) in an array written by {@link #bytes}. */
    private static int infoOffset(int i) {
        return 2 + "MIXED_DATA_TYPES".length() + 8 + 2 + "LONG".length() + 8 * i;
    }

    private static byte[] withInfo(byte[] valid, int i, long value) {
        byte[] b = valid.clone();
        ByteBuffer.wrap(b).putLong(infoOffset(i), value);
        return b;
    }

    @Test
    void arraysNd4jWritesPassAndReadBackEqual() throws IOException {
        for (INDArray a : new INDArray[] {Nd4j.rand(DataType.FLOAT, 3, 4), Nd4j.rand(DataType.DOUBLE, 5),
                Nd4j.rand(DataType.FLOAT, 2, 3, 4).castTo(DataType.HALF), Nd4j.rand(DataType.FLOAT, 'f', 3, 2),
                Nd4j.createFromArray(new int[][] {{1, 2}, {3, 4}}), Nd4j.rand(DataType.FLOAT, 1, 7)}) {
            byte[] b = bytes(a);
            Nd4jArrayFiles.Header h = Nd4jArrayFiles.check(b, "test");
            assertArrayEquals(a.shape(), h.shape());
            assertEquals(a.dataType(), h.dataType());
            assertEquals(a, Nd4jArrayFiles.read(b, "test"));
        }
    }

    @Test
    void everyCorruptHeaderFieldIsRefusedByName() throws IOException {
        byte[] valid = bytes(Nd4j.rand(DataType.FLOAT, 3, 4));   // info: [2, 3, 4, 4, 1, extras, 1, 'c']
        String[][] cases = {
                {"0", "9", "rank 9"}, {"1", "0", "below 1"}, {"1", "1000000000000", "data buffer holds"},
                {"2", "-4", "below 1"}, {"3", "400", "strides"}, {"4", "7", "strides"},
                {"5", "0", "shape flags"}, {"6", "0", "element-wise stride"}, {"7", "'x'", "order"},
        };
        for (String[] c : cases) {
            long value = c[1].startsWith("'") ? c[1].charAt(1) : Long.parseLong(c[1]);
            byte[] b = withInfo(valid, Integer.parseInt(c[0]), value);
            String msg = assertThrows(IllegalArgumentException.class, () -> Nd4jArrayFiles.read(b, "logits.gz")).getMessage();
            assertTrue(msg.startsWith("logits.gz is not a valid ND4J array") && msg.contains(c[2]), "field " + c[0] + ": " + msg);
        }
        // 2^33 x 2^32 elements: refused before anything is allocated
        byte[] huge = withInfo(withInfo(withInfo(withInfo(valid, 1, 1L << 33), 2, 1L << 32), 3, 1L << 32), 4, 1);
        assertThrows(IllegalArgumentException.class, () -> Nd4jArrayFiles.read(huge, "x"));
        byte[] truncated = java.util.Arrays.copyOf(valid, valid.length - 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Nd4jArrayFiles.read(truncated, "x")).getMessage().contains("47"));
        byte[] trailing = java.util.Arrays.copyOf(valid, valid.length + 3);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Nd4jArrayFiles.read(trailing, "x")).getMessage().contains("more"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Nd4jArrayFiles.read(new byte[5], "x")).getMessage()
                .contains("ends inside its header"));
    }

    @Test
    void randomByteMutationsGiveTheDeclaredErrorOrAnArrayOfTheCheckedShape() throws IOException {
        byte[] valid = bytes(Nd4j.rand(DataType.FLOAT, 6, 5));
        SplittableRandom r = new SplittableRandom(11);
        int refused = 0;
        for (int trial = 0; trial < 3000; trial++) {
            byte[] b = valid.clone();
            for (int k = 0, n = 1 + r.nextInt(3); k < n; k++) {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            }
            try {
                INDArray a = Nd4jArrayFiles.read(b, "x");
                assertArrayEquals(new long[] {6, 5}, a.shape());
            } catch (IllegalArgumentException expected) {
                refused++;
            }
        }
        assertTrue(refused > 100, refused + " refused");
    }
}
