package org.squeeze4j.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for tests. */
final class IdxFiles {
    private IdxFiles() {
    }

    static byte[] idx(int type, int[] shape, byte[] values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {0, 0, (byte) type, (byte) shape.length});
        for (int d : shape) {
            out.writeInt(d);
        }
        out.write(values);
        out.flush();
        return bytes.toByteArray();
    }

    static byte[] ubyte(int[] shape, byte[] values) throws IOException {
        return idx(0x08, shape, values);
    }

    static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(plain);
        }
        return bytes.toByteArray();
    }

    static Path write(Path dir, String name, byte[] content) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, content);
        return file;
    }

    /** n images of rows x cols where pixel (i, r, c) = (i * 7 + r * cols + c) % 256, labels i % classes. */
    static void writeDataset(Path dir, String prefix, int n, int rows, int cols, int classes, boolean gz) throws IOException {
        byte[] pixels = new byte[n * rows * cols];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < rows * cols; j++) {
                pixels[i * rows * cols + j] = (byte) ((i * 7 + j) % 256);
            }
        }
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % classes);
        }
        byte[] images = ubyte(new int[] {n, rows, cols}, pixels);
        byte[] lab = ubyte(new int[] {n}, labels);
        String ext = gz ? ".gz" : "";
        write(dir, prefix + "-images-idx3-ubyte" + ext, gz ? gzip(images) : images);
        write(dir, prefix + "-labels-idx1-ubyte" + ext, gz ? gzip(lab) : lab);
    }
}
