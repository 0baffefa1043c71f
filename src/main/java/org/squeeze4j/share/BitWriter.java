package org.squeeze4j.share;

import java.io.ByteArrayOutputStream;

/** Writes bits most-significant first into bytes; the last byte is padded with zeros. */
public final class BitWriter {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private int current;
    private int filled;
    private long bits;

    /** Writes the low {@code n} bits of {@code value}, highest first. */
    public void write(int value, int n) {
        for (int i = n - 1; i >= 0; i--) {
            current = (current << 1) | ((value >>> i) & 1);
            if (++filled == 8) {
                bytes.write(current);
                current = 0;
                filled = 0;
            }
        }
        bits += n;
    }

    /** Bits written so far. */
    public long bits() {
        return bits;
    }

    /** The bytes, last one padded. */
    public byte[] toByteArray() {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        copy.writeBytes(bytes.toByteArray());
        if (filled > 0) {
            copy.write(current << (8 - filled));
        }
        return copy.toByteArray();
    }
}
