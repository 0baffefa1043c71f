package org.squeeze4j.engine;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Int8Kernel} with the Java 17 incubator Vector API ({@code jdk.incubator.vector}; needs
 * {@code --add-modules jdk.incubator.vector} at compile and run time). Only {@link Kernels} refers
 * to this class, by name and only after checking that the module is present, so the scalar path
 * never loads it.
 *
 * <p>Per step of {@code L} bytes ({@code L} = int lanes of the preferred vector, 16 on AVX-512, 8
 * on AVX2): the uint8 activations are widened to int16 ({@code B2S}, then {@code & 0xFF} to undo the
 * sign extension), the int8 weights to int16, multiplied in int16 (|uint8 * int8| &lt;= 255 * 128 =
 * 32640 fits), and the products widened to int32 ({@code S2I}) and added to int32 accumulators;
 * four outputs share each activation load. Every conversion keeps the lane count (a quarter-,
 * half- and full-width vector), because in JDK 17 a conversion that takes "part 1" of a vector
 * compiles to shuffles and blends and is several times slower. Lanes are
 * summed at the end and the tail ({@code k mod L}) is done in scalar code. Integer sums are exact,
 * so the result equals {@link ScalarKernel}'s bit for bit.
 */
final class VectorKernel implements Int8Kernel {
    private static final VectorSpecies<Integer> INT = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> SHORT =
            VectorSpecies.of(short.class, VectorShape.forBitSize(INT.vectorBitSize() / 2));
    private static final VectorSpecies<Byte> BYTE =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(INT.vectorBitSize() / 4));
    private static final int STEP = INT.length();

    VectorKernel() {
        if (SHORT.length() != STEP || BYTE.length() != STEP) {
            throw new IllegalStateException("unexpected vector shapes: " + BYTE + ", " + SHORT + ", " + INT);
        }
    }

    @Override
    public void matmul(byte[] a, int m, int k, byte[] w, int nOut, int[] acc) {
        int kv = k - k % STEP;
        for (int i = 0; i < m; i++) {
            int aOff = i * k;
            int o = 0;
            for (; o + 4 <= nOut; o += 4) {
                dot4(a, aOff, w, o * k, k, kv, acc, i * nOut + o);
            }
            for (; o < nOut; o++) {
                acc[i * nOut + o] = dot1(a, aOff, w, o * k, k, kv);
            }
        }
    }

    /**
     * Four dot products of one activation row with weight rows {@code wOff + t k}, t = 0..3, into
     * {@code acc[accOff + t]}. A small method of its own so that C2 compiles and inlines it fully
     * (Vector-API code that is not inlined falls back to allocating vector objects).
     */
    private static void dot4(byte[] a, int aOff, byte[] w, int wOff, int k, int kv, int[] acc, int accOff) {
        int w0 = wOff;
        int w1 = w0 + k;
        int w2 = w1 + k;
        int w3 = w2 + k;
        IntVector s0 = IntVector.zero(INT);
        IntVector s1 = IntVector.zero(INT);
        IntVector s2 = IntVector.zero(INT);
        IntVector s3 = IntVector.zero(INT);
        for (int j = 0; j < kv; j += STEP) {
            ShortVector x = ((ShortVector) ByteVector.fromArray(BYTE, a, aOff + j).convertShape(VectorOperators.B2S, SHORT, 0))
                    .and((short) 0xFF);
            s0 = dot(s0, x, w, w0 + j);
            s1 = dot(s1, x, w, w1 + j);
            s2 = dot(s2, x, w, w2 + j);
            s3 = dot(s3, x, w, w3 + j);
        }
        int r0 = s0.reduceLanes(VectorOperators.ADD);
        int r1 = s1.reduceLanes(VectorOperators.ADD);
        int r2 = s2.reduceLanes(VectorOperators.ADD);
        int r3 = s3.reduceLanes(VectorOperators.ADD);
        for (int j = kv; j < k; j++) {
            int xv = a[aOff + j] & 0xFF;
            r0 += xv * w[w0 + j];
            r1 += xv * w[w1 + j];
            r2 += xv * w[w2 + j];
            r3 += xv * w[w3 + j];
        }
        acc[accOff] = r0;
        acc[accOff + 1] = r1;
        acc[accOff + 2] = r2;
        acc[accOff + 3] = r3;
    }

    private static int dot1(byte[] a, int aOff, byte[] w, int wOff, int k, int kv) {
        IntVector s = IntVector.zero(INT);
        for (int j = 0; j < kv; j += STEP) {
            ShortVector x = ((ShortVector) ByteVector.fromArray(BYTE, a, aOff + j).convertShape(VectorOperators.B2S, SHORT, 0))
                    .and((short) 0xFF);
            s = dot(s, x, w, wOff + j);
        }
        int r = s.reduceLanes(VectorOperators.ADD);
        for (int j = kv; j < k; j++) {
            r += (a[aOff + j] & 0xFF) * w[wOff + j];
        }
        return r;
    }

    private static IntVector dot(IntVector sum, ShortVector x, byte[] w, int off) {
        ShortVector wv = (ShortVector) ByteVector.fromArray(BYTE, w, off).convertShape(VectorOperators.B2S, SHORT, 0);
        return sum.add((IntVector) x.mul(wv).convertShape(VectorOperators.S2I, INT, 0));
    }

    @Override
    public String name() {
        return "vector(" + INT.vectorBitSize() + " bit)";
    }
}
