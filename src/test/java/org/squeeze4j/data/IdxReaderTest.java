package org.squeeze4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    private static final byte[] VALUES = {0, 1, 2, (byte) 200, (byte) 255, 7};

    @Test
    void readsPlainFile() throws IOException {
        Path f = IdxFiles.write(dir, "a-idx3-ubyte", IdxFiles.ubyte(new int[] {1, 2, 3}, VALUES));
        IdxArray a = IdxReader.read(f);
        assertArrayEquals(new int[] {1, 2, 3}, a.shape());
        assertEquals(6, a.length());
        assertEquals(200, a.unsigned(3));
        assertEquals(255, a.unsigned(4));
        assertEquals(f, a.source());
    }

    @Test
    void detectsGzipFromContentNotName() throws IOException {
        Path f = IdxFiles.write(dir, "no-extension", IdxFiles.gzip(IdxFiles.ubyte(new int[] {6}, VALUES)));
        IdxArray a = IdxReader.read(f);
        assertArrayEquals(new int[] {6}, a.shape());
        for (int i = 0; i < VALUES.length; i++) {
            assertEquals(VALUES[i] & 0xFF, a.unsigned(i));
        }
    }

    @Test
    void shapeIsACopy() throws IOException {
        IdxArray a = IdxReader.read(IdxFiles.write(dir, "x", IdxFiles.ubyte(new int[] {6}, VALUES)));
        a.shape()[0] = 99;
        assertEquals(6, a.dimension(0));
    }

    @Test
    void missingFileNamesThePath() {
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read(dir.resolve("nope.gz")));
        assertTrue(e.getMessage().contains("nope.gz") && e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void truncatedPlainFileSaysHowManyValuesAreMissing() throws IOException {
        byte[] full = IdxFiles.ubyte(new int[] {2, 3}, VALUES);
        Path f = IdxFiles.write(dir, "short", Arrays.copyOf(full, full.length - 2));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read(f));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("[2, 3]")
                && e.getMessage().contains("ends after 4"), e.getMessage());
    }

    @Test
    void truncatedGzipIsReported() throws IOException {
        byte[] gz = IdxFiles.gzip(IdxFiles.ubyte(new int[] {1000}, new byte[1000]));
        Path f = IdxFiles.write(dir, "cut.gz", Arrays.copyOf(gz, gz.length / 2));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read(f));
        assertTrue(e.getMessage().contains("cut.gz"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void corruptGzipIsReported() throws IOException {
        byte[] values = new byte[5000];
        for (int i = 0; i < values.length; i++) {
            values[i] = (byte) (i * 31 % 251);
        }
        byte[] gz = IdxFiles.gzip(IdxFiles.ubyte(new int[] {5000}, values));
        for (int i = 20; i < gz.length - 10; i += 7) {
            gz[i] ^= 0x5A;
        }
        Path f = IdxFiles.write(dir, "flipped.gz", gz);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read(f));
        assertTrue(e.getMessage().contains("flipped.gz"), e.getMessage());
    }

    @Test
    void rejectsFileThatIsNotIdx() throws IOException {
        Path f = IdxFiles.write(dir, "readme.txt", "hello world".getBytes());
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read(f));
        assertTrue(e.getMessage().contains("not an IDX file"), e.getMessage());
    }

    @Test
    void rejectsEmptyFile() throws IOException {
        Path f = IdxFiles.write(dir, "empty", new byte[0]);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read(f));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void rejectsUnsupportedValueType() throws IOException {
        Path f = IdxFiles.write(dir, "floats", IdxFiles.idx(0x0D, new int[] {1}, new byte[4]));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read(f));
        assertTrue(e.getMessage().contains("0x0d") && e.getMessage().contains("0x08"), e.getMessage());
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        byte[] full = IdxFiles.ubyte(new int[] {6}, VALUES);
        byte[] longer = Arrays.copyOf(full, full.length + 3);
        Path f = IdxFiles.write(dir, "long", longer);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read(f));
        assertTrue(e.getMessage().contains("bytes after"), e.getMessage());
    }

    @Test
    void rejectsZeroDimension() throws IOException {
        Path f = IdxFiles.write(dir, "zero", IdxFiles.ubyte(new int[] {0, 3}, new byte[0]));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read(f));
        assertTrue(e.getMessage().contains("size 0"), e.getMessage());
    }

    /**
     * A header that promises 0x7FFFFFF0 values (or more than the heap) in a file of a few bytes used
     * to allocate 2 GB first and die of OutOfMemoryError; now it is truncated, or too large, by name.
     */
    @Test
    void aHeaderPromisingGigabytesIsRefusedWithoutAllocatingThem() throws IOException {
        byte[] tiny = IdxFiles.ubyte(new int[] {6}, VALUES);
        java.nio.ByteBuffer.wrap(tiny).putInt(4, 0x7FFFFFF0);
        for (byte[] content : new byte[][] {tiny, IdxFiles.gzip(tiny)}) {
            Path f = IdxFiles.write(dir, "huge-" + content.length, content);
            DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.read(f));
            boolean named = e.getMessage().contains("truncated") || e.getMessage().contains("heap");
            assertTrue(named && e.getMessage().contains(f.toString()), e.getMessage());
        }
        byte[] images = IdxFiles.ubyte(new int[] {2, 3}, VALUES);
        java.nio.ByteBuffer.wrap(images).putInt(4, 40_000).putInt(8, 60_000);      // 2.4e9 values: beyond any array
        Path f = IdxFiles.write(dir, "beyond", images);
        assertTrue(assertThrows(DatasetException.class, () -> IdxReader.read(f)).getMessage().contains("more than one array can hold"));
        // three dimensions of 2^31 - 1 overflow a long product (found by ReaderFuzzTest: "len < 0" from readNBytes)
        byte[] cube = IdxFiles.ubyte(new int[] {1, 1, 6}, VALUES);
        java.nio.ByteBuffer.wrap(cube).putInt(4, Integer.MAX_VALUE).putInt(8, Integer.MAX_VALUE).putInt(12, Integer.MAX_VALUE);
        Path c = IdxFiles.write(dir, "cube", cube);
        assertTrue(assertThrows(DatasetException.class, () -> IdxReader.read(c)).getMessage().contains("more than one array can hold"));
    }
}
