package org.squeeze4j.sparse;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The sparse format of Deep Compression (Han, Mao, Dally 2016, Fig. 2): the non-zero weights of
 * the flattened matrix in order, each stored with the distance from the previous stored position
 * in {@code indexBits} bits. A distance larger than {@code 2^indexBits − 1} is bridged by
 * <em>filler zeros</em>, stored entries of value 0 at the largest representable distance.
 *
 * <p>Size: {@code entries · (valueBits + indexBits)} bits, rounded up to bytes, where entries =
 * non-zeros + fillers. The paper uses 5 index bits for fully connected layers and 8 for
 * convolutions.
 *
 * @param shape shape of the encoded matrix
 * @param indexBits bits per relative index
 * @param gaps distance of each entry from the previous one (the first from position −1)
 * @param values the value of each entry (0 for fillers)
 * @param fillers number of filler entries
 */
public record RelativeIndexEncoding(long[] shape, int indexBits, int[] gaps, float[] values, int fillers) {

    /** Encodes {@code w} (flattened in row-major order). */
    public static RelativeIndexEncoding encode(INDArray w, int indexBits) {
        if (indexBits < 1 || indexBits > 16) {
            throw new IllegalArgumentException("index bits must be 1-16, got " + indexBits);
        }
        int maxGap = (1 << indexBits) - 1;
        float[] flat = w.castTo(DataType.FLOAT).dup('c').reshape(w.length()).toFloatVector();
        List<Integer> gaps = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        int fillers = 0;
        int previous = -1;
        for (int p = 0; p < flat.length; p++) {
            if (flat[p] == 0f) {
                continue;
            }
            int gap = p - previous;
            while (gap > maxGap) {
                gaps.add(maxGap);
                values.add(0f);
                fillers++;
                gap -= maxGap;
            }
            gaps.add(gap);
            values.add(flat[p]);
            previous = p;
        }
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        return new RelativeIndexEncoding(w.shape(), indexBits, gaps.stream().mapToInt(Integer::intValue).toArray(), v, fillers);
    }

    /** Reconstructs the matrix exactly. */
    public INDArray decode() {
        long length = 1;
        for (long d : shape) {
            length *= d;
        }
        float[] flat = new float[(int) length];
        int position = -1;
        for (int e = 0; e < gaps.length; e++) {
            position += gaps[e];
            if (values[e] != 0f) {
                flat[position] = values[e];
            }
        }
        return Nd4j.create(flat, shape, 'c');
    }

    /** Stored entries: non-zeros plus fillers. */
    public int entries() {
        return gaps.length;
    }

    /** Exact size in bytes with {@code valueBits} per stored value (32 for float32, fewer after weight sharing). */
    public long bytes(int valueBits) {
        long bits = (long) entries() * (valueBits + indexBits);
        return (bits + 7) / 8;
    }
}
