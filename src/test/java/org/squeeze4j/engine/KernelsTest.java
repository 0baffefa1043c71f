package org.squeeze4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KernelsTest {
    /** Slow reference: the definition, one product at a time in long. */
    private static int[] reference(byte[] a, int m, int k, byte[] w, int nOut) {
        int[] acc = new int[m * nOut];
        for (int i = 0; i < m; i++) {
            for (int o = 0; o < nOut; o++) {
                long s = 0;
                for (int j = 0; j < k; j++) {
                    s += (long) (a[i * k + j] & 0xFF) * w[o * k + j];
                }
                acc[i * nOut + o] = Math.toIntExact(s);
            }
        }
        return acc;
    }

    @Test
    void vectorModuleIsPresentInTests() {
        // surefire runs with --add-modules jdk.incubator.vector (pom property test.jvm.args)
        assertTrue(Kernels.vectorAvailable(), "tests must run with --add-modules jdk.incubator.vector");
        assertTrue(Kernels.best().name().startsWith("vector"), Kernels.best().name());
        assertEquals("scalar", Kernels.scalar().name());
    }

    @Test
    void scalarAndVectorEqualTheSlowReference() {
        Int8Kernel vector = Kernels.vector().orElseThrow();
        SplittableRandom r = new SplittableRandom(1);
        for (int trial = 0; trial < 300; trial++) {
            int m = 1 + r.nextInt(5);
            int k = 1 + r.nextInt(trial < 200 ? 80 : 900);
            int nOut = 1 + r.nextInt(11);
            byte[] a = new byte[m * k];
            byte[] w = new byte[nOut * k];
            for (int i = 0; i < a.length; i++) {
                a[i] = (byte) (trial % 5 == 0 ? 255 : r.nextInt(256));
            }
            for (int i = 0; i < w.length; i++) {
                w[i] = (byte) (trial % 5 == 0 ? (i % 2 == 0 ? -128 : 127) : r.nextInt(-128, 128));
            }
            int[] expected = reference(a, m, k, w, nOut);
            int[] s = new int[m * nOut];
            int[] v = new int[m * nOut];
            Kernels.scalar().matmul(a, m, k, w, nOut, s);
            vector.matmul(a, m, k, w, nOut, v);
            assertArrayEquals(expected, s, "scalar m=" + m + " k=" + k + " nOut=" + nOut);
            assertArrayEquals(expected, v, "vector m=" + m + " k=" + k + " nOut=" + nOut);
        }
    }

    @Test
    void sparseAndMixedRowsEqualTheSlowReference() {
        // rows below VectorKernel.SPARSE_MAX_DENSITY take the sparse path, the others the 2x2 blocks;
        // batches mix them, and all-zero rows, in every order
        Int8Kernel vector = Kernels.vector().orElseThrow();
        SplittableRandom r = new SplittableRandom(2);
        double[] densities = {0, 0.02, 0.2, 0.49, 0.5, 0.51, 0.9, 1};
        for (int trial = 0; trial < 300; trial++) {
            int m = 1 + r.nextInt(7);
            int k = 1 + r.nextInt(trial < 200 ? 100 : 1000);
            int nOut = 1 + r.nextInt(trial < 100 ? 20 : 150);
            byte[] a = new byte[m * k];
            for (int i = 0; i < m; i++) {
                double density = densities[r.nextInt(densities.length)];
                for (int j = 0; j < k; j++) {
                    a[i * k + j] = r.nextDouble() < density ? (byte) (trial % 7 == 0 ? 255 : 1 + r.nextInt(255)) : 0;
                }
            }
            byte[] w = new byte[nOut * k];
            for (int i = 0; i < w.length; i++) {
                w[i] = (byte) (trial % 7 == 0 ? (i % 3 == 0 ? -128 : 127) : r.nextInt(-128, 128));
            }
            int[] v = new int[m * nOut];
            vector.matmul(a, m, k, w, nOut, v);
            assertArrayEquals(reference(a, m, k, w, nOut), v, "trial " + trial + ": m=" + m + " k=" + k + " nOut=" + nOut);
        }
    }

    @Test
    void extremeProductsDoNotOverflowInt16() {
        int k = 64;
        byte[] a = new byte[k];
        byte[] w = new byte[2 * k];
        java.util.Arrays.fill(a, (byte) 255);
        java.util.Arrays.fill(w, 0, k, (byte) -128);
        java.util.Arrays.fill(w, k, 2 * k, (byte) 127);
        int[] v = new int[2];
        Kernels.best().matmul(a, 1, k, w, 2, v);
        assertArrayEquals(new int[] {-255 * 128 * k, 255 * 127 * k}, v);
    }

    @Test
    void longestDotProductsStayExact() {
        // k = 2^16: the vector kernel's low-half sum L reaches 32768 * 255 * 255 < 2^31 (see VectorKernel)
        int k = Int8Kernel.MAX_DEPTH;
        byte[] a = new byte[3 * k];
        byte[] w = new byte[3 * k];
        java.util.Arrays.fill(a, (byte) 255);
        java.util.Arrays.fill(w, 0, k, (byte) 127);
        java.util.Arrays.fill(w, k, 2 * k, (byte) -128);
        for (int j = 0; j < k; j++) {
            w[2 * k + j] = (byte) (j % 2 == 0 ? 127 : -127);
        }
        int[] expected = reference(a, 3, k, w, 3);
        int[] v = new int[9];
        Kernels.vector().orElseThrow().matmul(a, 3, k, w, 3, v);
        assertArrayEquals(expected, v);
        assertEquals(255 * 127 * k, v[0]);
        // the sparse path at its largest: half the codes 255 (the rest 0), per-lane sums over 32768 terms
        for (int j = 1; j < 3 * k; j += 2) {
            a[j] = 0;
        }
        java.util.Arrays.fill(w, 2 * k, 3 * k, (byte) 127);
        expected = reference(a, 3, k, w, 3);
        Kernels.vector().orElseThrow().matmul(a, 3, k, w, 3, v);
        assertArrayEquals(expected, v);
        assertEquals(255 * 127 * (k / 2), v[0]);
    }

    /** Slow reference of {@link Int8Kernel#weightsTimesColumns}: the definition, in long. */
    private static int[] columnsReference(short[] cols, int stride, int m, int k, byte[] w, int nOut) {
        int[] acc = new int[nOut * m];
        for (int o = 0; o < nOut; o++) {
            for (int p = 0; p < m; p++) {
                long s = 0;
                for (int j = 0; j < k; j++) {
                    s += (long) cols[j * stride + p] * w[o * k + j];
                }
                acc[o * m + p] = Math.toIntExact(s);
            }
        }
        return acc;
    }

    /** The first {@code m} accumulators of each of {@code nOut} rows {@code stride} apart. */
    private static int[] rows(int[] acc, int stride, int m, int nOut) {
        int[] out = new int[nOut * m];
        for (int o = 0; o < nOut; o++) {
            System.arraycopy(acc, o * stride, out, o * m, m);
        }
        return out;
    }

    private static int[] columns(Int8Kernel kernel, short[] natural, int m, int k, byte[] w, int nOut) {
        int stride = kernel.columnStride(m);
        short[] cols = new short[k * stride];
        for (int j = 0; j < k; j++) {
            System.arraycopy(natural, j * m, cols, j * stride, m);
            java.util.Arrays.fill(cols, j * stride + m, (j + 1) * stride, (short) 255);   // padding must not leak into acc
        }
        int[] acc = new int[nOut * stride];
        java.util.Arrays.fill(acc, 12345);                                              // nor stale values
        kernel.weightsTimesColumns(cols, stride, m, k, w, nOut, acc);
        return rows(acc, stride, m, nOut);
    }

    @Test
    void convolutionColumnsEqualTheSlowReferenceForEveryShape() {
        Int8Kernel vector = Kernels.vector().orElseThrow();
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 200; trial++) {
            int m = 1 + r.nextInt(trial < 100 ? 70 : 800);
            int k = 1 + r.nextInt(trial < 150 ? 40 : 600);
            int nOut = 1 + r.nextInt(13);
            boolean extreme = trial % 5 == 0;
            short[] natural = new short[k * m];
            for (int i = 0; i < natural.length; i++) {
                natural[i] = (short) (extreme ? 255 : r.nextDouble() < 0.4 ? 0 : r.nextInt(256));
            }
            byte[] w = new byte[nOut * k];
            for (int i = 0; i < w.length; i++) {
                w[i] = (byte) (extreme ? (i % 2 == 0 ? -128 : 127) : r.nextInt(-128, 128));
            }
            int[] expected = columnsReference(natural, m, m, k, w, nOut);
            String shape = "m=" + m + " k=" + k + " nOut=" + nOut;
            assertArrayEquals(expected, columns(Kernels.scalar(), natural, m, k, w, nOut), "scalar " + shape);
            assertArrayEquals(expected, columns(vector, natural, m, k, w, nOut), "vector " + shape);
        }
    }

    @Test
    void longestConvolutionColumnsStayExact() {
        // k = 2^16 products of 255 * 255 (w = 127) per lane: the low-half sum passes 2^31 and the
        // column sum times 128 reaches 2^31 - 2^23; both must come back exact mod 2^32
        int k = Int8Kernel.MAX_DEPTH;
        int m = 33;
        short[] natural = new short[k * m];
        java.util.Arrays.fill(natural, (short) 255);
        byte[] w = new byte[3 * k];
        java.util.Arrays.fill(w, 0, k, (byte) 127);
        java.util.Arrays.fill(w, k, 2 * k, (byte) -128);
        for (int j = 0; j < k; j++) {
            w[2 * k + j] = (byte) (j % 2 == 0 ? 127 : -127);
        }
        int[] v = columns(Kernels.vector().orElseThrow(), natural, m, k, w, 3);
        assertArrayEquals(columnsReference(natural, m, m, k, w, 3), v);
        assertEquals(255 * 127 * k, v[0]);
        assertEquals(-255 * 128 * k, v[m]);
        assertEquals(0, v[2 * m]);
    }
}
