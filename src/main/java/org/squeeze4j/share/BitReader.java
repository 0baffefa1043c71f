package org.squeeze4j.share;

/** Reads bits most-significant first; reading past the stated length is an error (a corrupted file). */
public final class BitReader {
    private final byte[] data;
    private final long limit;
    private long position;

    public BitReader(byte[] data, long bits) {
        if (bits > 8L * data.length) {
            throw new CompressedFileException("bit stream claims " + bits + " bits but holds " + 8L * data.length);
        }
        this.data = data;
        this.limit = bits;
    }

    /** Reads {@code n <= 31} bits as an unsigned value. */
    public int read(int n) {
        if (position + n > limit) {
            throw new CompressedFileException("bit stream ends after " + limit + " bits (truncated or corrupted file)");
        }
        int v = 0;
        for (int i = 0; i < n; i++) {
            int b = data[(int) (position >>> 3)] >>> (7 - (position & 7)) & 1;
            v = (v << 1) | b;
            position++;
        }
        return v;
    }

    /** Bits read so far. */
    public long position() {
        return position;
    }
}
