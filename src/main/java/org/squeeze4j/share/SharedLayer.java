package org.squeeze4j.share;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One layer after weight sharing: every weight is {@code codebook.value(symbols[p])}, position
 * {@code p} counting through the weight array in row-major ('c') order; pruned weights have symbol 0.
 *
 * @param layer layer name
 * @param shape shape of the weight array {@code W}
 * @param bits bits per symbol ({@code codebook.size() == 2^bits - 1})
 * @param codebook the shared values
 * @param symbols one symbol per weight
 */
public record SharedLayer(String layer, long[] shape, int bits, Codebook codebook, int[] symbols) {

    public SharedLayer {
        shape = shape.clone();
        long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        if (symbols.length != n) {
            throw new IllegalArgumentException(layer + ": " + symbols.length + " symbols for shape " + Arrays.toString(shape));
        }
        if (codebook.size() != (1 << bits) - 1) {
            throw new IllegalArgumentException(layer + ": a " + bits + "-bit codebook has " + ((1 << bits) - 1)
                    + " values, got " + codebook.size());
        }
        for (int s : symbols) {
            if (s < 0 || s > codebook.size()) {
                throw new IllegalArgumentException(layer + ": symbol " + s + " outside 0.." + codebook.size());
            }
        }
    }

    /** The shared weights, flattened in row-major order. */
    public float[] values() {
        float[] v = new float[symbols.length];
        for (int p = 0; p < v.length; p++) {
            v[p] = codebook.value(symbols[p]);
        }
        return v;
    }

    /** The shared weights as an array of {@link #shape}. */
    public INDArray weights() {
        return Nd4j.create(values(), shape, 'c');
    }

    /** Number of non-zero weights. */
    public int nonZeros() {
        int n = 0;
        for (int s : symbols) {
            n += s == 0 ? 0 : 1;
        }
        return n;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }
}
