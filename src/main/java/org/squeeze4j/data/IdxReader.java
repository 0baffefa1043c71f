package org.squeeze4j.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, plain or gzip-compressed (detected from the content, not the file name).
 *
 * <p>Every defect is reported as a {@link DatasetException} whose message names the file and the
 * problem: missing file, bad magic number, unsupported value type, a header that promises more
 * values than the file holds (truncated download), trailing bytes, or a corrupt gzip stream.
 */
public final class IdxReader {
    /** IDX type code for unsigned bytes. */
    public static final int TYPE_UNSIGNED_BYTE = 0x08;
    private static final int MAX_RANK = 4;

    private IdxReader() {
    }

    /** Reads the whole file. */
    public static IdxArray read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetException("IDX file not found: " + file.toAbsolutePath()
                    + ". Check the path; squeeze4j ships MNIST and Fashion-MNIST under datasets/ at the repository root.");
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             DataInputStream in = new DataInputStream(maybeGunzip(raw))) {
            return readFrom(file, in);
        } catch (NoSuchFileException e) {
            throw new DatasetException("IDX file not found: " + file.toAbsolutePath(), e);
        } catch (ZipException e) {
            throw new DatasetException("IDX file " + file + " is not a valid gzip stream (" + e.getMessage()
                    + "). The file is corrupt: restore it from the repository (git checkout -- " + file.getFileName() + ").", e);
        } catch (EOFException e) {
            throw new DatasetException("IDX file " + file + " ends unexpectedly (" + e.getMessage()
                    + "): it is truncated. Restore it from the repository or download it again.", e);
        } catch (IOException e) {
            throw new DatasetException("Cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    private static InputStream maybeGunzip(InputStream in) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        return gzip ? new GZIPInputStream(in, 1 << 16) : in;
    }

    private static IdxArray readFrom(Path file, DataInputStream in) throws IOException {
        byte[] magic = new byte[4];
        int got = in.readNBytes(magic, 0, 4);
        if (got < 4) {
            throw new DatasetException("IDX file " + file + " is empty or shorter than the 4-byte IDX header (" + got
                    + " bytes). The file is truncated: restore it.");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new DatasetException(String.format(
                    "%s is not an IDX file: it starts with bytes %02x %02x, an IDX file starts with 00 00 <type> <rank>.",
                    file, magic[0] & 0xFF, magic[1] & 0xFF));
        }
        int type = magic[2] & 0xFF;
        if (type != TYPE_UNSIGNED_BYTE) {
            throw new DatasetException(String.format(
                    "IDX file %s holds values of type 0x%02x; squeeze4j reads image/label files of unsigned bytes (type 0x08).",
                    file, type));
        }
        int rank = magic[3] & 0xFF;
        if (rank < 1 || rank > MAX_RANK) {
            throw new DatasetException("IDX file " + file + " declares " + rank
                    + " dimensions; image/label files have 1 to " + MAX_RANK + ".");
        }
        int[] shape = new int[rank];
        long count = 1;
        for (int d = 0; d < rank; d++) {
            shape[d] = in.readInt();
            if (shape[d] <= 0) {
                throw new DatasetException("IDX file " + file + " declares dimension " + d + " of size " + shape[d]
                        + "; sizes must be positive. The header is corrupt.");
            }
            count = Math.min(count * shape[d], Long.MAX_VALUE / Integer.MAX_VALUE);   // saturates: no long overflow over the dimensions
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new DatasetException("IDX file " + file + " declares " + count + " values " + Arrays.toString(shape)
                    + ", more than one array can hold.");
        }
        long heap = Runtime.getRuntime().maxMemory();
        if (count > heap / 2) {
            throw new DatasetException("IDX file " + file + " declares " + count + " values " + Arrays.toString(shape) + ", "
                    + count / (1 << 20) + " MB, more than half of this JVM's " + heap / (1 << 20) + " MB heap. Raise -Xmx, or check"
                    + " the header if the file is smaller than that.");
        }
        // read in chunks (InputStream.readNBytes grows its buffer as bytes arrive), so that a header
        // promising more values than the file holds fails as truncated instead of allocating them first
        byte[] values = in.readNBytes((int) count);
        int read = values.length;
        if (read < count) {
            throw new DatasetException("IDX file " + file + " is truncated: its header declares shape " + Arrays.toString(shape)
                    + " (" + count + " values) but the file ends after " + read
                    + ". Restore the file from the repository or download it again.");
        }
        if (in.read() != -1) {
            throw new DatasetException("IDX file " + file + " has bytes after the " + count + " values its header "
                    + Arrays.toString(shape) + " declares. It is not a valid IDX file (two files concatenated?).");
        }
        return new IdxArray(file, shape, values);
    }
}
