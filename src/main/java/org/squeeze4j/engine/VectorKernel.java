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
 * <p>Per step of {@code L} bytes ({@code L} = half the preferred vector width in bytes, 32 on
 * AVX-512, 16 on AVX2): the uint8 activations are widened to int16 ({@code B2S}, then
 * {@code & 0xFF} to undo the sign extension), the int8 weights to int16, multiplied in int16
 * (|uint8 * int8| &lt;= 255 * 128 = 32640 fits), and the products widened to int32 ({@code S2I},
 * two halves) and added to int32 accumulators; four outputs share each activation load. Lanes are
 * summed at the end and the tail ({@code k mod L}) is done in scalar code. Integer sums are exact,
 * so the result equals {@link ScalarKernel}'s bit for bit.
 */
final class VectorKernel implements Int8Kernel {
    private static final VectorSpecies<Integer> INT = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> SHORT = VectorSpecies.of(short.class, INT.vectorShape());
    private static final VectorSpecies<Byte> BYTE =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(INT.vectorBitSize() / 2));
    private static final int STEP = BYTE.length();

    VectorKernel() {
        if (SHORT.length() != STEP || INT.length() * 2 != STEP) {
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
                int w0 = o * k;
                int w1 = w0 + k;
                int w2 = w1 + k;
                int w3 = w2 + k;
                IntVector s0 = IntVector.zero(INT);
                IntVector s1 = IntVector.zero(INT);
                IntVector s2 = IntVector.zero(INT);
                IntVector s3 = IntVector.zero(INT);
                for (int j = 0; j < kv; j += STEP) {
                    ShortVector x = (ShortVector) ByteVector.fromArray(BYTE, a, aOff + j)
                            .convertShape(VectorOperators.B2S, SHORT, 0);
                    x = x.and((short) 0xFF);
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
                int base = i * nOut + o;
                acc[base] = r0;
                acc[base + 1] = r1;
                acc[base + 2] = r2;
                acc[base + 3] = r3;
            }
            for (; o < nOut; o++) {
                int wOff = o * k;
                IntVector s = IntVector.zero(INT);
                for (int j = 0; j < kv; j += STEP) {
                    ShortVector x = (ShortVector) ByteVector.fromArray(BYTE, a, aOff + j)
                            .convertShape(VectorOperators.B2S, SHORT, 0);
                    s = dot(s, x.and((short) 0xFF), w, wOff + j);
                }
                int r = s.reduceLanes(VectorOperators.ADD);
                for (int j = kv; j < k; j++) {
                    r += (a[aOff + j] & 0xFF) * w[wOff + j];
                }
                acc[i * nOut + o] = r;
            }
        }
    }

    private static IntVector dot(IntVector sum, ShortVector x, byte[] w, int off) {
        ShortVector wv = (ShortVector) ByteVector.fromArray(BYTE, w, off).convertShape(VectorOperators.B2S, SHORT, 0);
        ShortVector p = x.mul(wv);
        IntVector lo = (IntVector) p.convertShape(VectorOperators.S2I, INT, 0);
        IntVector hi = (IntVector) p.convertShape(VectorOperators.S2I, INT, 1);
        return sum.add(lo).add(hi);
    }

    @Override
    public String name() {
        return "vector(" + INT.vectorBitSize() + " bit)";
    }
}
