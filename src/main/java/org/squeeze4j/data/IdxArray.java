package org.squeeze4j.data;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The content of one IDX file: its shape and its unsigned-byte values in row-major order.
 *
 * <p>IDX (LeCun et al., the MNIST format) is a 4-byte magic number {@code 0x00 0x00 type ndims},
 * {@code ndims} big-endian int32 dimension sizes, then the values. squeeze4j reads type
 * {@code 0x08} (unsigned byte), the type of every image/label dataset distributed in this format
 * (MNIST, Fashion-MNIST, KMNIST, EMNIST). Instances are immutable: the values are never exposed
 * as a mutable array.
 */
public final class IdxArray {
    private final Path source;
    private final int[] shape;
    private final byte[] values;

    IdxArray(Path source, int[] shape, byte[] values) {
        this.source = source;
        this.shape = shape.clone();
        this.values = values;
    }

    /** The file this array was read from. */
    public Path source() {
        return source;
    }

    /** A copy of the shape, e.g. {@code [60000, 28, 28]} for MNIST training images. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dimension(int axis) {
        return shape[axis];
    }

    /** Number of values, the product of the shape. */
    public int length() {
        return values.length;
    }

    /** The value at flat index {@code i} as an unsigned byte in [0, 255]. */
    public int unsigned(int i) {
        return values[i] & 0xFF;
    }

    /** Values used by the dataset classes of this package without a copy. */
    byte[] values() {
        return values;
    }

    @Override
    public String toString() {
        return "IdxArray" + Arrays.toString(shape) + " from " + source;
    }
}
