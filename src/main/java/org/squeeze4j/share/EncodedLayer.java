package org.squeeze4j.share;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.sparse.RelativeIndexEncoding;

/**
 * One shared layer in storage form (Deep Compression, Section 2, Fig. 2): either
 * <em>sparse</em> — the {@link RelativeIndexEncoding} entries (non-zeros and filler zeros), each a
 * weight symbol plus its gap from the previous entry in {@code indexBits} bits — or <em>dense</em>,
 * one symbol per position and no index, whichever takes fewer fixed-width bits (a layer that was not
 * pruned, e.g. after low-rank factorisation, is cheaper dense).
 *
 * @param layer layer name
 * @param shape weight shape
 * @param bits bits per weight symbol
 * @param indexBits bits per gap (5 for fully connected, 8 for convolutions in the paper)
 * @param codebook shared values (symbol 0 is zero)
 * @param sparse whether entries carry gaps
 * @param weightSymbols one symbol per entry (per position when dense)
 * @param gaps gap of each entry, 1..2^indexBits - 1 (empty when dense)
 *
 * <p>Order: the weights of a convolution {@code [out, in, kh, kw]} are taken in row-major order; a
 * dense layer's {@code W [in, out]} is taken transposed, {@code [out, in]} row-major, as Caffe stores
 * it and the paper encodes it: each output neuron's incoming weights are consecutive, so inputs that
 * lost all their weights (dead pixels at the image border) give long runs of zeros.
 */
public record EncodedLayer(String layer, long[] shape, int bits, int indexBits, Codebook codebook, boolean sparse,
                           int[] weightSymbols, int[] gaps) {

    public EncodedLayer {
        shape = shape.clone();
        if (sparse && gaps.length != weightSymbols.length) {
            throw new IllegalArgumentException(layer + ": " + gaps.length + " gaps for " + weightSymbols.length + " entries");
        }
        if (!sparse && gaps.length != 0) {
            throw new IllegalArgumentException(layer + ": a dense layer has no gaps");
        }
    }

    /** Encodes a shared layer with {@code indexBits}-bit gaps (or dense, if that is smaller). */
    public static EncodedLayer of(SharedLayer shared, int indexBits) {
        INDArray stored = storedOrder(shared.weights());
        RelativeIndexEncoding rie = RelativeIndexEncoding.encode(stored, indexBits);
        long sparseBits = (long) rie.entries() * (shared.bits() + indexBits);
        long denseBits = (long) shared.symbols().length * shared.bits();
        if (denseBits <= sparseBits) {
            float[] all = stored.reshape(stored.length()).toFloatVector();
            int[] symbols = new int[all.length];
            for (int p = 0; p < all.length; p++) {
                symbols[p] = shared.codebook().symbolOf(all[p]);
            }
            return new EncodedLayer(shared.layer(), shared.shape(), shared.bits(), indexBits, shared.codebook(), false,
                    symbols, new int[0]);
        }
        float[] values = rie.values();
        int[] symbols = new int[values.length];
        for (int e = 0; e < values.length; e++) {
            symbols[e] = shared.codebook().symbolOf(values[e]);
        }
        return new EncodedLayer(shared.layer(), shared.shape(), shared.bits(), indexBits, shared.codebook(), true,
                symbols, rie.gaps());
    }

    /** The weights, exactly as shared. */
    public INDArray weights() {
        long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] flat = new float[(int) n];
        if (!sparse) {
            for (int p = 0; p < flat.length; p++) {
                flat[p] = codebook.value(weightSymbols[p]);
            }
        } else {
            int position = -1;
            for (int e = 0; e < gaps.length; e++) {
                position += gaps[e];
                if (position >= flat.length) {
                    throw new CompressedFileException(layer + ": entry " + e + " lies beyond the " + flat.length + " weights");
                }
                flat[position] = codebook.value(weightSymbols[e]);
            }
        }
        if (shape.length == 2) {
            return Nd4j.create(flat, new long[] {shape[1], shape[0]}, 'c').transpose().dup('c');
        }
        return Nd4j.create(flat, shape, 'c');
    }

    /** The weights in storage order: dense {@code [in, out]} transposed to {@code [out, in]}, others as they are. */
    static INDArray storedOrder(INDArray w) {
        return w.rank() == 2 ? w.transpose().dup('c') : w.dup('c');
    }

    /** Number of weights. */
    public long weightCount() {
        return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }

    /** Stored entries (non-zeros plus fillers when sparse, every position when dense). */
    public int entries() {
        return weightSymbols.length;
    }

    /** Entries of value zero: fillers when sparse. */
    public int zeroEntries() {
        int n = 0;
        for (int s : weightSymbols) {
            n += s == 0 ? 1 : 0;
        }
        return n;
    }

    /** Counts of the weight symbols 0..2^bits - 1. */
    public long[] weightCounts() {
        return Huffman.counts(weightSymbols, 1 << bits);
    }

    /** Counts of the gaps 0..2^indexBits - 1 (all zero when dense). */
    public long[] gapCounts() {
        return Huffman.counts(gaps, 1 << indexBits);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }
}
