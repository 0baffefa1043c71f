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
 * 200 runs: 25 GMAC/s for the previous widening kernel, 34 with 1x4 blocks, 39 with 2x2 blocks.
 * Integer sums are exact, so the result equals {@link ScalarKernel}'s bit for bit.
 */
final class VectorKernel implements Int8Kernel {
    private static final VectorSpecies<Short> SHORT = ShortVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INT = IntVector.SPECIES_PREFERRED;
    private static final int STEP = SHORT.length();

    private final Map<byte[], short[]> packed = Collections.synchronizedMap(new WeakHashMap<>());
    private final ThreadLocal<short[]> rows = ThreadLocal.withInitial(() -> new short[0]);

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

    @Override
    public void matmul(byte[] a, int m, int k, byte[] w, int nOut, int[] acc) {
        int kp = padded(k);
        short[] wp = pack(w, nOut, k);
        short[] x = rows.get();
        if (x.length < 2 * kp) {
            x = new short[2 * kp];
            rows.set(x);
        }
        int i = 0;
        for (; i + 2 <= m; i += 2) {
            int sum0 = widen(a, i * k, k, x, 0);
            int sum1 = widen(a, (i + 1) * k, k, x, kp);
            int o = 0;
            for (; o + 2 <= nOut; o += 2) {
                block2x2(x, kp, wp, o * kp, acc, i * nOut + o, nOut, sum0, sum1);
            }
            for (; o < nOut; o++) {
                acc[i * nOut + o] = dot1(x, 0, wp, o * kp, kp, sum0);
                acc[(i + 1) * nOut + o] = dot1(x, kp, wp, o * kp, kp, sum1);
            }
        }
        if (i < m) {
            int sum = widen(a, i * k, k, x, 0);
            int o = 0;
            for (; o + 4 <= nOut; o += 4) {
                block4(x, kp, wp, o * kp, acc, i * nOut + o, sum);
            }
            for (; o < nOut; o++) {
                acc[i * nOut + o] = dot1(x, 0, wp, o * kp, kp, sum);
            }
        }
    }

    /**
     * Rows {@code x[0..kp)} and {@code x[kp..2kp)} times weight rows {@code wOff} and {@code wOff + kp}:
     * four dot products from two activation and two weight loads per step (a 2x2 register block).
     */
    private static void block2x2(short[] x, int kp, short[] w, int wOff, int[] acc, int accOff, int nOut, int sum0, int sum1) {
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
        acc[accOff] = finish(a00, h00, sum0);
        acc[accOff + 1] = finish(a01, h01, sum0);
        acc[accOff + nOut] = finish(a10, h10, sum1);
        acc[accOff + nOut + 1] = finish(a11, h11, sum1);
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
    public String name() {
        return "vector(" + SHORT.vectorBitSize() + " bit)";
    }
}
