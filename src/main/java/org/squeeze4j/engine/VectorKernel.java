package org.squeeze4j.engine;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Int8Kernel} with the Java 17 incubator Vector API ({@code jdk.incubator.vector}; needs
 * {@code --add-modules jdk.incubator.vector} at compile and run time). Only {@link Kernels} refers
 * to this class, by name and only after checking that the module is present, so the scalar path
 * never loads it.
 *
 * <p><b>Idea: unsigned 16-bit products, no widening in the loop.</b> JDK 17's Vector API has no
 * {@code vpmaddwd}; widening every int16 product to int32 ({@code S2I}) costs shuffles. Instead the
 * weights are offset to unsigned, {@code w' = w + 128 in [0, 255]}, so that every product
 * {@code a w' <= 255 * 255 = 65025} fits an <em>unsigned</em> 16-bit lane, and
 * <pre>
 *   sum_j a_j w_j  =  sum_j a_j w'_j  -  128 sum_j a_j
 * </pre>
 * A full-width int16 multiply gives the products; reinterpreted as int32 lanes each lane holds two
 * of them, {@code v = hi 2^16 + lo}. Two int32 accumulators per output collect {@code sum v} (mod 2^32)
 * and {@code sum (v >>> 16) = H}; then {@code L = sum v - 2^16 H} (exact mod 2^32, and
 * {@code 0 <= L < 2^31} for {@code k <= 2^16}) and the dot product is {@code H + L - 128 sum a}.
 * Per 32 multiply-adds (AVX-512) the loop does one multiply, one shift and two adds, and no
 * conversion.
 *
 * <p><b>Packing and blocking.</b> The weights are widened to {@code short w'} once per weight array
 * (cached by identity: weight arrays of {@link WeightedLayer} are private copies that never change),
 * each row padded with zeros to a multiple of the vector length so there is no scalar tail. Each
 * activation row is widened to {@code short} once per call (zero padding too). The register block
 * is two rows by two outputs (8 accumulators): each step loads two activation and two weight vectors
 * for four products; a single remaining row uses a 1x4 block. (A 2x4 block was 5x slower: C2 stopped
 * inlining the Vector-API calls and allocated vector objects.) Measured on [128x784]x[784x300], min of
 * 200 runs: 25 GMAC/s for the previous widening kernel, 34 with 1x4 blocks, 39 with 2x2 blocks
 * (AVX-512 machine; 29 GMAC/s on an AVX2 one). That is about what float32 BLAS does per
 * multiply-add: without {@code vpmaddwd} in JDK 17's API, int8 data alone does not beat it.
 *
 * <p><b>Sparse rows: skip the zero activations.</b> After a ReLU, and in MNIST's pixels (82 % zero),
 * most codes are 0, and a zero contributes nothing. A row with at most {@link #SPARSE_MAX_DENSITY}
 * non-zero codes is computed output-stationary over its non-zeros only: for each non-zero
 * {@code x_j}, {@code acc[o] += x_j w'[j][o]} over a tile of 64 outputs held in registers, from a
 * transposed copy of the weights (the same unsigned-pair trick, now pairing outputs {@code 2l} and
 * {@code 2l + 1} in an int lane). This is EIE's dynamic activation sparsity (Han et al. 2016,
 * "EIE: Efficient Inference Engine on Compressed Deep Neural Network", ISCA) in software; on
 * LeNet-300-100's first layer (18 % non-zero) it cut the matmul from about 1050 to 450-650 us for
 * 128 images. Dense rows keep the 2x2 blocks; a batch may mix both.
 * Integer sums are exact, so the result equals {@link ScalarKernel}'s bit for bit.
 */
final class VectorKernel implements Int8Kernel {
    private static final VectorSpecies<Short> SHORT = ShortVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INT = IntVector.SPECIES_PREFERRED;
    private static final int STEP = SHORT.length();

    /**
     * Largest fraction of non-zero activations in a row for which the sparse path is used: it costs
     * about the same per non-zero as the dense path per element (20 vector operations per 64
     * multiply-adds in both), so below about half it wins, and it loses nothing by waiting until then.
     */
    static final double SPARSE_MAX_DENSITY = 0.5;

    private final Map<byte[], short[]> packed = Collections.synchronizedMap(new WeakHashMap<>());
    private final Map<byte[], short[]> packedTransposed = Collections.synchronizedMap(new WeakHashMap<>());
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /** Per-thread buffers: two widened rows, and a sparse row's non-zero positions and values. */
    private static final class Scratch {
        short[] rows = new short[0];
        int[] index = new int[0];
        short[] value = new short[0];
        final int[] low = new int[INT.length()];
        final int[] high = new int[INT.length()];
        int[] columnSums = new int[0];

        void ensure(int kp, int k) {
            if (rows.length < 2 * kp) {
                rows = new short[2 * kp];
            }
            if (index.length < k) {
                index = new int[k];
                value = new short[k];
            }
        }
    }

    VectorKernel() {
        if (SHORT.vectorBitSize() != INT.vectorBitSize()) {
            throw new IllegalStateException("unexpected vector shapes: " + SHORT + ", " + INT);
        }
    }

    static int padded(int k) {
        return (k + STEP - 1) / STEP * STEP;
    }

    /** {@code w + 128} as shorts, row-major {@code [nOut][kp]}, rows zero-padded to {@code kp}. */
    private short[] pack(byte[] w, int nOut, int k) {
        short[] p = packed.get(w);
        int kp = padded(k);
        if (p == null || p.length != nOut * kp) {
            p = new short[nOut * kp];
            for (int o = 0; o < nOut; o++) {
                for (int j = 0; j < k; j++) {
                    p[o * kp + j] = (short) (w[o * k + j] + 128);
                }
            }
            packed.put(w, p);
        }
        return p;
    }

    /** {@code w + 128} as shorts, transposed {@code [k][nOutP]}, each row zero-padded to {@code nOutP = padded(nOut)}. */
    private short[] packTransposed(byte[] w, int nOut, int k) {
        short[] p = packedTransposed.get(w);
        int np = padded(nOut);
        if (p == null || p.length != k * np) {
            p = new short[k * np];
            for (int o = 0; o < nOut; o++) {
                for (int j = 0; j < k; j++) {
                    p[j * np + o] = (short) (w[o * k + j] + 128);
                }
            }
            packedTransposed.put(w, p);
        }
        return p;
    }

    @Override
    public void matmul(byte[] a, int m, int k, byte[] w, int nOut, int[] acc) {
        int kp = padded(k);
        short[] wp = pack(w, nOut, k);
        Scratch s = scratch.get();
        s.ensure(kp, k);
        short[] x = s.rows;
        int maxNonZeros = (int) (SPARSE_MAX_DENSITY * k);
        int waiting = -1; // a dense row waiting for a second one to fill a 2x2 block
        int waitingSum = 0;
        short[] wt = null; // the transposed weights, looked up on the first sparse row
        for (int i = 0; i < m; i++) {
            int nonZeros = gatherNonZeros(a, i * k, k, s);
            if (nonZeros <= maxNonZeros) {
                if (wt == null) {
                    wt = packTransposed(w, nOut, k);
                }
                sparseRow(s, nonZeros, wt, nOut, acc, i * nOut);
            } else if (waiting < 0) {
                waitingSum = widen(a, i * k, k, x, 0);
                waiting = i;
            } else {
                int sum = widen(a, i * k, k, x, kp);
                int o = 0;
                for (; o + 2 <= nOut; o += 2) {
                    block2x2(x, kp, wp, o * kp, acc, waiting * nOut + o, i * nOut + o, waitingSum, sum);
                }
                for (; o < nOut; o++) {
                    acc[waiting * nOut + o] = dot1(x, 0, wp, o * kp, kp, waitingSum);
                    acc[i * nOut + o] = dot1(x, kp, wp, o * kp, kp, sum);
                }
                waiting = -1;
            }
        }
        if (waiting >= 0) {
            int o = 0;
            for (; o + 4 <= nOut; o += 4) {
                block4(x, kp, wp, o * kp, acc, waiting * nOut + o, waitingSum);
            }
            for (; o < nOut; o++) {
                acc[waiting * nOut + o] = dot1(x, 0, wp, o * kp, kp, waitingSum);
            }
        }
    }

    /** Positions and values of the non-zero codes of one row into the scratch; returns how many. */
    private static int gatherNonZeros(byte[] a, int off, int k, Scratch s) {
        int n = 0;
        int[] index = s.index;
        short[] value = s.value;
        for (int j = 0; j < k; j++) {
            int v = a[off + j] & 0xFF;
            index[n] = j;
            value[n] = (short) v;
            n += v != 0 ? 1 : 0; // branch-free: zeros are overwritten by the next element
        }
        return n;
    }

    /**
     * One row with few non-zero activations, output-stationary: for each tile of 4 vectors of outputs,
     * {@code acc[o] += x_j (w'[j][o])} over the non-zero {@code x_j} only, with the unsigned-pair trick
     * of the class doc applied across outputs (the low half of an int lane is output {@code 2l}, the
     * high half output {@code 2l + 1}). Then {@code dot = sum - 128 rowSum}.
     */
    private static void sparseRow(Scratch s, int nonZeros, short[] wt, int nOut, int[] acc, int accOff) {
        int np = padded(nOut);
        int rowSum = 0;
        for (int t = 0; t < nonZeros; t++) {
            rowSum += s.value[t];
        }
        int o = 0;
        for (; o + 4 * STEP <= np; o += 4 * STEP) {
            sparseTile4(s, nonZeros, wt, np, o, nOut, acc, accOff, rowSum);
        }
        for (; o < np; o += STEP) {
            sparseTile1(s, nonZeros, wt, np, o, nOut, acc, accOff, rowSum);
        }
    }

    private static void sparseTile4(Scratch s, int nonZeros, short[] wt, int np, int o0, int nOut, int[] acc, int accOff,
                                    int rowSum) {
        IntVector a0 = IntVector.zero(INT), h0 = IntVector.zero(INT);
        IntVector a1 = IntVector.zero(INT), h1 = IntVector.zero(INT);
        IntVector a2 = IntVector.zero(INT), h2 = IntVector.zero(INT);
        IntVector a3 = IntVector.zero(INT), h3 = IntVector.zero(INT);
        int[] index = s.index;
        short[] value = s.value;
        for (int t = 0; t < nonZeros; t++) {
            ShortVector xv = ShortVector.broadcast(SHORT, value[t]);
            int row = index[t] * np + o0;
            IntVector p = xv.mul(ShortVector.fromArray(SHORT, wt, row)).reinterpretAsInts();
            a0 = a0.add(p);
            h0 = h0.add(p.lanewise(VectorOperators.LSHR, 16));
            p = xv.mul(ShortVector.fromArray(SHORT, wt, row + STEP)).reinterpretAsInts();
            a1 = a1.add(p);
            h1 = h1.add(p.lanewise(VectorOperators.LSHR, 16));
            p = xv.mul(ShortVector.fromArray(SHORT, wt, row + 2 * STEP)).reinterpretAsInts();
            a2 = a2.add(p);
            h2 = h2.add(p.lanewise(VectorOperators.LSHR, 16));
            p = xv.mul(ShortVector.fromArray(SHORT, wt, row + 3 * STEP)).reinterpretAsInts();
            a3 = a3.add(p);
            h3 = h3.add(p.lanewise(VectorOperators.LSHR, 16));
        }
        scatterPairs(s, a0, h0, o0, nOut, acc, accOff, rowSum);
        scatterPairs(s, a1, h1, o0 + STEP, nOut, acc, accOff, rowSum);
        scatterPairs(s, a2, h2, o0 + 2 * STEP, nOut, acc, accOff, rowSum);
        scatterPairs(s, a3, h3, o0 + 3 * STEP, nOut, acc, accOff, rowSum);
    }

    private static void sparseTile1(Scratch s, int nonZeros, short[] wt, int np, int o0, int nOut, int[] acc, int accOff,
                                    int rowSum) {
        IntVector all = IntVector.zero(INT), hi = IntVector.zero(INT);
        for (int t = 0; t < nonZeros; t++) {
            IntVector p = ShortVector.broadcast(SHORT, s.value[t]).mul(ShortVector.fromArray(SHORT, wt, s.index[t] * np + o0))
                    .reinterpretAsInts();
            all = all.add(p);
            hi = hi.add(p.lanewise(VectorOperators.LSHR, 16));
        }
        scatterPairs(s, all, hi, o0, nOut, acc, accOff, rowSum);
    }

    /**
     * Outputs {@code o0 .. o0 + STEP} from per-lane sums: {@code high = H}, {@code low = V - 2^16 H}
     * (mod 2^32, exact because the true dot products fit int32), minus {@code 128 rowSum}.
     */
    private static void scatterPairs(Scratch s, IntVector all, IntVector hi, int o0, int nOut, int[] acc, int accOff,
                                     int rowSum) {
        all.sub(hi.lanewise(VectorOperators.LSHL, 16)).intoArray(s.low, 0);
        hi.intoArray(s.high, 0);
        int shift = 128 * rowSum;
        for (int l = 0; l < s.low.length; l++) {
            int o = o0 + 2 * l;
            if (o < nOut) {
                acc[accOff + o] = s.low[l] - shift;
            }
            if (o + 1 < nOut) {
                acc[accOff + o + 1] = s.high[l] - shift;
            }
        }
    }

    /**
     * Rows {@code x[0..kp)} and {@code x[kp..2kp)} times weight rows {@code wOff} and {@code wOff + kp}:
     * four dot products from two activation and two weight loads per step (a 2x2 register block).
     */
    private static void block2x2(short[] x, int kp, short[] w, int wOff, int[] acc, int accOff0, int accOff1, int sum0, int sum1) {
        int w1 = wOff + kp;
        IntVector a00 = IntVector.zero(INT), h00 = IntVector.zero(INT);
        IntVector a01 = IntVector.zero(INT), h01 = IntVector.zero(INT);
        IntVector a10 = IntVector.zero(INT), h10 = IntVector.zero(INT);
        IntVector a11 = IntVector.zero(INT), h11 = IntVector.zero(INT);
        for (int j = 0; j < kp; j += STEP) {
            ShortVector x0 = ShortVector.fromArray(SHORT, x, j);
            ShortVector x1 = ShortVector.fromArray(SHORT, x, kp + j);
            ShortVector v0 = ShortVector.fromArray(SHORT, w, wOff + j);
            ShortVector v1 = ShortVector.fromArray(SHORT, w, w1 + j);
            IntVector p = x0.mul(v0).reinterpretAsInts();
            a00 = a00.add(p);
            h00 = h00.add(p.lanewise(VectorOperators.LSHR, 16));
            p = x0.mul(v1).reinterpretAsInts();
            a01 = a01.add(p);
            h01 = h01.add(p.lanewise(VectorOperators.LSHR, 16));
            p = x1.mul(v0).reinterpretAsInts();
            a10 = a10.add(p);
            h10 = h10.add(p.lanewise(VectorOperators.LSHR, 16));
            p = x1.mul(v1).reinterpretAsInts();
            a11 = a11.add(p);
            h11 = h11.add(p.lanewise(VectorOperators.LSHR, 16));
        }
        acc[accOff0] = finish(a00, h00, sum0);
        acc[accOff0 + 1] = finish(a01, h01, sum0);
        acc[accOff1] = finish(a10, h10, sum1);
        acc[accOff1 + 1] = finish(a11, h11, sum1);
    }

    /** Copies one uint8 row to shorts (zero tail up to the padded length) and returns its sum. */
    private static int widen(byte[] a, int off, int k, short[] x, int xOff) {
        int sum = 0;
        for (int j = 0; j < k; j++) {
            int v = a[off + j] & 0xFF;
            x[xOff + j] = (short) v;
            sum += v;
        }
        int kp = padded(k);
        for (int j = k; j < kp; j++) {
            x[xOff + j] = 0;
        }
        return sum;
    }

    /** {@code H + (V - 2^16 H) - 128 rowSum}, the dot product from the two accumulators (see class doc). */
    private static int finish(IntVector all, IntVector hi, int rowSum) {
        int h = hi.reduceLanes(VectorOperators.ADD);
        int v = all.reduceLanes(VectorOperators.ADD);
        return h + (v - (h << 16)) - 128 * rowSum;
    }

    /**
     * Row {@code x[0..kp)} times weight rows {@code wOff + t kp}, t = 0..3, into {@code acc[accOff + t]}.
     * A small method of its own so that C2 compiles and inlines the Vector-API calls fully.
     */
    private static void block4(short[] x, int kp, short[] w, int wOff, int[] acc, int accOff, int rowSum) {
        int w0 = wOff;
        int w1 = w0 + kp;
        int w2 = w1 + kp;
        int w3 = w2 + kp;
        IntVector a0 = IntVector.zero(INT), h0 = IntVector.zero(INT);
        IntVector a1 = IntVector.zero(INT), h1 = IntVector.zero(INT);
        IntVector a2 = IntVector.zero(INT), h2 = IntVector.zero(INT);
        IntVector a3 = IntVector.zero(INT), h3 = IntVector.zero(INT);
        for (int j = 0; j < kp; j += STEP) {
            ShortVector xv = ShortVector.fromArray(SHORT, x, j);
            IntVector p = xv.mul(ShortVector.fromArray(SHORT, w, w0 + j)).reinterpretAsInts();
            a0 = a0.add(p);
            h0 = h0.add(p.lanewise(VectorOperators.LSHR, 16));
            p = xv.mul(ShortVector.fromArray(SHORT, w, w1 + j)).reinterpretAsInts();
            a1 = a1.add(p);
            h1 = h1.add(p.lanewise(VectorOperators.LSHR, 16));
            p = xv.mul(ShortVector.fromArray(SHORT, w, w2 + j)).reinterpretAsInts();
            a2 = a2.add(p);
            h2 = h2.add(p.lanewise(VectorOperators.LSHR, 16));
            p = xv.mul(ShortVector.fromArray(SHORT, w, w3 + j)).reinterpretAsInts();
            a3 = a3.add(p);
            h3 = h3.add(p.lanewise(VectorOperators.LSHR, 16));
        }
        acc[accOff] = finish(a0, h0, rowSum);
        acc[accOff + 1] = finish(a1, h1, rowSum);
        acc[accOff + 2] = finish(a2, h2, rowSum);
        acc[accOff + 3] = finish(a3, h3, rowSum);
    }

    private static int dot1(short[] x, int xOff, short[] w, int wOff, int kp, int rowSum) {
        IntVector all = IntVector.zero(INT);
        IntVector hi = IntVector.zero(INT);
        for (int j = 0; j < kp; j += STEP) {
            IntVector p = ShortVector.fromArray(SHORT, x, xOff + j).mul(ShortVector.fromArray(SHORT, w, wOff + j)).reinterpretAsInts();
            all = all.add(p);
            hi = hi.add(p.lanewise(VectorOperators.LSHR, 16));
        }
        return finish(all, hi, rowSum);
    }

    @Override
    public int columnStride(int m) {
        return padded(m);
    }

    /**
     * Convolution columns: for each tile of four output channels and each vector of {@code STEP}
     * positions, {@code acc[o][p] += w'[o][j] cols[j][p]} over {@code j}, with the broadcast weight
     * {@code w' = w + 128} and the unsigned-pair trick of the class doc now pairing positions
     * {@code 2l} and {@code 2l + 1} in an int lane: per 32 multiply-adds one load (shared by the
     * tile), one multiply, one shift and two adds, and no horizontal sum. Then
     * {@code acc = sum - 128 colSum[p]}, the column sums computed once per call the same way.
     */
    @Override
    public void weightsTimesColumns(short[] cols, int stride, int m, int k, byte[] w, int nOut, int[] acc) {
        if (stride != padded(m) || cols.length < k * stride || acc.length < nOut * stride) {
            throw new IllegalArgumentException("columns need stride " + padded(m) + " for " + m + " positions, got " + stride
                    + " (cols " + cols.length + ", acc " + acc.length + " for k " + k + ", nOut " + nOut + ")");
        }
        int kp = padded(k);
        short[] wp = pack(w, nOut, k);
        Scratch s = scratch.get();
        if (s.columnSums.length < stride) {
            s.columnSums = new int[stride];
        }
        int[] sums = s.columnSums;
        for (int p0 = 0; p0 < stride; p0 += STEP) {
            IntVector all = IntVector.zero(INT);
            IntVector hi = IntVector.zero(INT);
            for (int j = 0; j < k; j++) {
                IntVector v = ShortVector.fromArray(SHORT, cols, j * stride + p0).reinterpretAsInts();
                all = all.add(v);
                hi = hi.add(v.lanewise(VectorOperators.LSHR, 16));
            }
            storePairs(all, hi, sums, p0, null, 0, s);
        }
        int o = 0;
        for (; o + 4 <= nOut; o += 4) {
            for (int p0 = 0; p0 < stride; p0 += STEP) {
                columns4(cols, stride, k, wp, o * kp, kp, acc, o * stride + p0, p0, sums, s);
            }
        }
        for (; o < nOut; o++) {
            for (int p0 = 0; p0 < stride; p0 += STEP) {
                IntVector all = IntVector.zero(INT);
                IntVector hi = IntVector.zero(INT);
                for (int j = 0; j < k; j++) {
                    IntVector p = ShortVector.fromArray(SHORT, cols, j * stride + p0).mul(wp[o * kp + j]).reinterpretAsInts();
                    all = all.add(p);
                    hi = hi.add(p.lanewise(VectorOperators.LSHR, 16));
                }
                storePairs(all, hi, acc, o * stride + p0, sums, p0, s);
            }
        }
    }

    /** Output channels {@code o .. o+3} (weights from {@code wOff}, rows {@code kp} apart) at positions {@code p0 .. p0+STEP}. */
    private static void columns4(short[] cols, int stride, int k, short[] wp, int wOff, int kp, int[] acc, int accOff, int p0,
                                 int[] sums, Scratch s) {
        IntVector a0 = IntVector.zero(INT), h0 = IntVector.zero(INT);
        IntVector a1 = IntVector.zero(INT), h1 = IntVector.zero(INT);
        IntVector a2 = IntVector.zero(INT), h2 = IntVector.zero(INT);
        IntVector a3 = IntVector.zero(INT), h3 = IntVector.zero(INT);
        int w1 = wOff + kp;
        int w2 = w1 + kp;
        int w3 = w2 + kp;
        for (int j = 0; j < k; j++) {
            ShortVector x = ShortVector.fromArray(SHORT, cols, j * stride + p0);
            IntVector p = x.mul(wp[wOff + j]).reinterpretAsInts();
            a0 = a0.add(p);
            h0 = h0.add(p.lanewise(VectorOperators.LSHR, 16));
            p = x.mul(wp[w1 + j]).reinterpretAsInts();
            a1 = a1.add(p);
            h1 = h1.add(p.lanewise(VectorOperators.LSHR, 16));
            p = x.mul(wp[w2 + j]).reinterpretAsInts();
            a2 = a2.add(p);
            h2 = h2.add(p.lanewise(VectorOperators.LSHR, 16));
            p = x.mul(wp[w3 + j]).reinterpretAsInts();
            a3 = a3.add(p);
            h3 = h3.add(p.lanewise(VectorOperators.LSHR, 16));
        }
        storePairs(a0, h0, acc, accOff, sums, p0, s);
        storePairs(a1, h1, acc, accOff + stride, sums, p0, s);
        storePairs(a2, h2, acc, accOff + 2 * stride, sums, p0, s);
        storePairs(a3, h3, acc, accOff + 3 * stride, sums, p0, s);
    }

    /**
     * Positions {@code p0 + 2l} (low halves: {@code V - 2^16 H}) and {@code p0 + 2l + 1} (high
     * halves: {@code H}) into {@code out[off ..)}, minus {@code 128 sums[p]} when {@code sums} is given.
     */
    private static void storePairs(IntVector all, IntVector hi, int[] out, int off, int[] sums, int p0, Scratch s) {
        all.sub(hi.lanewise(VectorOperators.LSHL, 16)).intoArray(s.low, 0);
        hi.intoArray(s.high, 0);
        int[] low = s.low;
        int[] high = s.high;
        if (sums == null) {
            for (int l = 0; l < low.length; l++) {
                out[off + 2 * l] = low[l];
                out[off + 2 * l + 1] = high[l];
            }
        } else {
            for (int l = 0; l < low.length; l++) {
                out[off + 2 * l] = low[l] - 128 * sums[p0 + 2 * l];
                out[off + 2 * l + 1] = high[l] - 128 * sums[p0 + 2 * l + 1];
            }
        }
    }

    @Override
    public String name() {
        return "vector(" + SHORT.vectorBitSize() + " bit)";
    }
}
