package org.squeeze4j.engine;

import org.squeeze4j.lower.FakeQuantSimulation;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Hand-computed golden values for single layers. */
class IntLayersTest {
    private static byte[] codes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    private static int[] run(IntLayer l, byte[] in, int m) {
        byte[] out = new byte[m * l.outputLength()];
        Workspace ws = new Workspace(m * Math.max(1, l.accumulatorLength()), Math.max(1, l.patchLength()));
        for (Int8Kernel k : List.of(Kernels.scalar(), Kernels.best())) {
            l.forward(new byte[][] {in}, m, out, k, ws);
        }
        int[] r = new int[out.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = out[i] & 0xFF;
        }
        return r;
    }

    /**
     * w = [3, -2] (s_w = 0.25), b = 5 (int32, s = 0.125), s_in = 0.5, Z_in = 10, s_out = 1, Z_out = 3: M = 0.125 = (2^30, 2).
     * in [14, 8]: acc = 42 - 16 = 26, offset = 5 - 10 (3 - 2) = -5, 21 * 0.125 = 2.625 -> SRDHM 11 -> RDBPOT 3 -> 3 + 3 = 6.
     * in [6, 14]: acc = 18 - 28 - 5 = -15 -> -7 -> -2 -> 1; with ReLU clamped to Z_out = 3.
     */
    @Test
    void denseGolden() {
        IntDense plain = new IntDense(2, 1, codes(3, -2), new int[] {5}, 0.5, 10, new double[] {0.25}, 1.0, 3, false);
        assertEquals(new QuantizedMultiplier(1 << 30, 2), plain.multiplier(0));
        assertArrayEquals(new int[] {-5}, plain.offset());
        assertArrayEquals(new int[] {6, 1}, run(plain, codes(14, 8, 6, 14), 2));
        IntDense relu = new IntDense(2, 1, codes(3, -2), new int[] {5}, 0.5, 10, new double[] {0.25}, 1.0, 3, true);
        assertArrayEquals(new int[] {6, 3}, run(relu, codes(14, 8, 6, 14), 2));
    }

    /**
     * 1 channel 3x3 input with Z_in = 1, kernel 2x2 of ones, same-style padding 1 at top/left only (out 3x3),
     * s_in * s_w / s_out = 0.5 * 1 / 1 = 0.5, Z_out = 0, no bias. Input (codes) rows [1 2 3; 4 5 6; 7 8 9],
     * i.e. real-ish values q - 1 = [0 1 2; 3 4 5; 6 7 8]; padding is code 1 (real 0).
     * out[y][x] = 0.5 * sum of (q - 1) over rows y-1..y, cols x-1..x (inside):
     * [0, 0.5, 1.5; 1.5, 4, 6; 4.5, 10, 12] -> rounded half away from zero [0, 1, 2; 2, 4, 6; 5, 10, 12].
     */
    @Test
    void convGoldenWithZeroPointPadding() {
        IntConv2d c = new IntConv2d(1, 3, 3, 1, 2, 2, 1, 1, 1, 1, 3, 3, codes(1, 1, 1, 1), new int[] {0}, 0.5, 1,
                new double[] {1.0}, 1.0, 0, false);
        assertEquals(0, c.padBottom());
        assertArrayEquals(new int[] {0, 1, 2, 2, 4, 6, 5, 10, 12}, run(c, codes(1, 2, 3, 4, 5, 6, 7, 8, 9), 1));
    }

    /**
     * Upper clamp: a 1 -> 2 dense layer, w = [2, 1] (s_w = 0.5), no bias, s_in = 1, Z_in = 0, s_out = 1: M = 0.5 = (2^30, 0).
     * in [10]: acc [20, 10] -> [10, 5] + Z_out; in [3]: acc [6, 3] -> [3, 1.5 -> 2] + Z_out (ties away from zero).
     * Z_out = 0, hi = 7: [7, 5, 3, 2] (10 clamped to 7). Z_out = 2 with ReLU, hi = 9: [9, 7, 5, 4] (12 clamped to 9).
     * hi = 255 (the default constructor): [10, 5, 3, 2]. The ND4J simulation clamps identically.
     */
    @Test
    void denseClampsAtHi() {
        IntDense wide = new IntDense(1, 2, codes(2, 1), new int[] {0, 0}, 1.0, 0, new double[] {0.5, 0.5}, 1.0, 0, false);
        assertEquals(255, wide.hi());
        assertEquals(new QuantizedMultiplier(1 << 30, 0), wide.multiplier(0));
        assertArrayEquals(new int[] {10, 5, 3, 2}, run(wide, codes(10, 3), 2));
        IntDense hi7 = new IntDense(1, 2, codes(2, 1), new int[] {0, 0}, 1.0, 0, new double[] {0.5, 0.5}, 1.0, 0, false, 7);
        assertEquals(7, hi7.hi());
        assertEquals(0, hi7.lo());
        assertArrayEquals(new int[] {7, 5, 3, 2}, run(hi7, codes(10, 3), 2));
        IntDense relu9 = new IntDense(1, 2, codes(2, 1), new int[] {0, 0}, 1.0, 0, new double[] {0.5, 0.5}, 1.0, 2, true, 9);
        assertEquals(2, relu9.lo());
        assertArrayEquals(new int[] {9, 7, 5, 4}, run(relu9, codes(10, 3), 2));
        assertEquals("dense 1->2 relu hi 9", relu9.describe());
        assertEquals("dense 1->2", wide.describe());
        assertFalse(new IntModel(new int[] {1}, 1.0, 0, List.of(hi7)).sameAs(new IntModel(new int[] {1}, 1.0, 0, List.of(wide))),
                "hi is a parameter of the model");

        for (IntDense l : List.of(wide, hi7, relu9)) {
            IntModel m = new IntModel(new int[] {1}, 1.0, 0, List.of(l));
            INDArray x = Nd4j.createFromArray(new double[][] {{10}, {3}});
            assertArrayEquals(run(l, codes(10, 3), 2), new FakeQuantSimulation(m).outputCodes(x).ravel().toIntVector(), l.describe());
        }
    }

    /** hi = 4 on the 2x2-of-ones convolution of {@link #convGoldenWithZeroPointPadding}: 5, 6, 10, 12 become 4. */
    @Test
    void convClampsAtHi() {
        IntConv2d c = new IntConv2d(1, 3, 3, 1, 2, 2, 1, 1, 1, 1, 3, 3, codes(1, 1, 1, 1), new int[] {0}, 0.5, 1,
                new double[] {1.0}, 1.0, 0, false, 4);
        assertArrayEquals(new int[] {0, 1, 2, 2, 4, 4, 4, 4, 4}, run(c, codes(1, 2, 3, 4, 5, 6, 7, 8, 9), 1));
        assertTrue(c.describe().endsWith(" hi 4"), c.describe());
    }

    @Test
    void badHiIsRejected() {
        for (int hi : new int[] {256, -1, 1000}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new IntDense(1, 2, codes(2, 1), new int[] {0, 0}, 1.0, 0, new double[] {0.5, 0.5}, 1.0, 0, false, hi));
            assertTrue(e.getMessage().contains("hi must be in [Z_out, 255] = [0, 255]") && e.getMessage().contains("got " + hi),
                    e.getMessage());
        }
        // below the zero point: the grid 0..hi would not hold real 0 (with a ReLU, lo = Z_out > hi)
        for (boolean relu : new boolean[] {false, true}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new IntDense(1, 2, codes(2, 1), new int[] {0, 0}, 1.0, 0, new double[] {0.5, 0.5}, 1.0, 20, relu, 15));
            assertTrue(e.getMessage().contains("[20, 255]") && e.getMessage().contains("got 15"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IntConv2d(1, 3, 3, 1, 2, 2, 1, 1, 1, 1,
                3, 3, codes(1, 1, 1, 1), new int[] {0}, 0.5, 1, new double[] {1.0}, 1.0, 0, false, 300));
        assertTrue(e.getMessage().contains("hi must be in"), e.getMessage());
        // hi = Z_out is the smallest valid clamp: every output is that one code
        IntDense flat = new IntDense(1, 2, codes(2, 1), new int[] {0, 0}, 1.0, 0, new double[] {0.5, 0.5}, 1.0, 3, true, 3);
        assertArrayEquals(new int[] {3, 3, 3, 3}, run(flat, codes(10, 3), 2));
    }

    @Test
    void maxPoolGolden() {
        IntMaxPool2d p = new IntMaxPool2d(1, 4, 4, 2, 2, 2, 2);
        byte[] in = codes(1, 200, 3, 4, 5, 6, 7, 8, 255, 0, 9, 10, 11, 12, 13, 14);
        assertArrayEquals(new int[] {200, 8, 255, 14}, run(p, in, 1));
    }

    @Test
    void layersRejectInconsistentParameters() {
        assertThrows(IllegalArgumentException.class,
                () -> new IntDense(2, 1, codes(3), new int[] {5}, 0.5, 10, new double[] {0.25}, 1.0, 3, false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new IntDense(2, 1, codes(3, 1), new int[] {5}, 0.1, 10, new double[] {0.25}, 1.0, 3, false));
        assertTrue(e.getMessage().contains("float32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new IntDense(2, 1, codes(3, 1), new int[] {5}, 0.5, 300, new double[] {0.25}, 1.0, 3, false));
        assertTrue(e.getMessage().contains("[0, 255]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new IntDense(2, 1, codes(3, 1), new int[] {5}, 0.5, 0, new double[] {4}, 1.0, 3, false));
        assertTrue(e.getMessage().contains(">= 1"), e.getMessage());
    }

    /**
     * s_a = 0.5, Z_a = 10, s_b = 0.25, Z_b = 0, s_out = 1, Z_out = 5: M_a = 1/2 = (2^30, 0), M_b = 1/4 = (2^30, 1),
     * M_out = 2^-20 = (2^30, 19). a = 14, b = 6: 2^21 + 1.5 2^20 = 3.5 2^20 -> 3.5 -> 4 (ties away from 0) -> 9
     * (real 0.5 4 + 0.25 6 = 3.5). a = 2, b = 4: -4 2^20 + 2^20 -> -3 -> 2, and 5 with the ReLU fused.
     */
    @Test
    void addRequantizesBothInputsToTheOutputGrid() {
        IntAdd add = new IntAdd(2, 0.5, 10, 0.25, 0, 1.0, 5, false);
        assertEquals(new QuantizedMultiplier(1 << 30, 19), add.multiplierOut());
        byte[] out = new byte[2];
        add.forward(new byte[][] {codes(14, 2), codes(6, 4)}, 1, out, Kernels.scalar(), new Workspace(1, 1));
        assertArrayEquals(new int[] {9, 2}, new int[] {out[0] & 0xFF, out[1] & 0xFF});
        IntAdd relu = new IntAdd(2, 0.5, 10, 0.25, 0, 1.0, 5, true);
        relu.forward(new byte[][] {codes(14, 2), codes(6, 4)}, 1, out, Kernels.scalar(), new Workspace(1, 1));
        assertArrayEquals(new int[] {9, 5}, new int[] {out[0] & 0xFF, out[1] & 0xFF});
        assertEquals(2, add.arity());
    }

    /**
     * s_in = 0.5, Z_in = 3, s_out = 0.25, Z_out = 1, 2x2 maps: M = 0.5 / (4 0.25) = 1/2. Channel 0, codes 3 5 7 9:
     * 24 - 12 = 12 -> 6 -> 7 (real mean 1.5 = 6 steps). Channel 1, codes 4 4 4 5: 17 - 12 = 5 -> 2.5 -> 3 -> 4.
     */
    @Test
    void globalAveragePoolingRequantizesTheMean() {
        IntGlobalAvgPool gap = new IntGlobalAvgPool(2, 2, 2, 0.5, 3, 0.25, 1);
        assertArrayEquals(new int[] {7, 4}, run(gap, codes(3, 5, 7, 9, 4, 4, 4, 5), 1));
        assertArrayEquals(new int[] {7, 4, 7, 4}, run(gap, codes(3, 5, 7, 9, 4, 4, 4, 5, 3, 5, 7, 9, 4, 4, 4, 5), 2));
    }

    /**
     * Two channels of 3x3, 2x2 filters, no padding, s_in = s_w = 1, s_out = 2 (M = 1/2). Channel 0, input 1..9,
     * filter [1 0; 0 1]: 1+5, 2+6, 4+8, 5+9 = 6 8 12 14 -> 3 4 6 7 (SRDHM rounds halves up). Channel 1, input all 2,
     * filter [1 -1; 2 0], bias 3: 2 - 2 + 4 + 3 = 7 -> 4 everywhere.
     */
    @Test
    void depthwiseConvolutionFiltersEachChannelOnItsOwn() {
        IntDepthwiseConv2d dw = new IntDepthwiseConv2d(2, 3, 3, 2, 2, 1, 1, 0, 0, 2, 2, codes(1, 0, 0, 1, 1, -1, 2, 0),
                new int[] {0, 3}, 1.0, 0, new double[] {1, 1}, 2.0, 0, false, 255);
        byte[] in = codes(1, 2, 3, 4, 5, 6, 7, 8, 9, 2, 2, 2, 2, 2, 2, 2, 2, 2);
        assertArrayEquals(new int[] {3, 4, 6, 7, 4, 4, 4, 4}, run(dw, in, 1));
        assertEquals(2L * 4 * 4, dw.macsPerSample());
    }

    /**
     * Convolutions of random geometry (channels, non-square sizes, strides 1-3, asymmetric padding,
     * kernels up to 5x5) equal, code for code, a dense layer with the same weights and arithmetic
     * applied to patches gathered by hand from the definition (zero-point padding), with both kernels.
     */
    @Test
    void convEqualsDenseOnHandGatheredPatchesForRandomGeometry() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int trial = 0; trial < 60; trial++) {
            int inC = 1 + r.nextInt(4), inH = 3 + r.nextInt(9), inW = 3 + r.nextInt(9), outC = 1 + r.nextInt(9);
            int kH = 1 + r.nextInt(Math.min(5, inH)), kW = 1 + r.nextInt(Math.min(5, inW));
            int sH = 1 + r.nextInt(3), sW = 1 + r.nextInt(3), padTop = r.nextInt(kH), padLeft = r.nextInt(kW);
            int outH = (inH + padTop + r.nextInt(kH) - kH) / sH + 1, outW = (inW + padLeft + r.nextInt(kW) - kW) / sW + 1;
            int depth = inC * kH * kW, zIn = r.nextInt(256), zOut = r.nextInt(256);
            byte[] w = new byte[outC * depth];
            for (int i = 0; i < w.length; i++) {
                w[i] = (byte) r.nextInt(-128, 128);
            }
            int[] bias = r.ints(outC, -5000, 5000).toArray();
            double[] ws = r.doubles(outC, 0.001, 0.02).map(v -> (double) (float) v).toArray();
            boolean relu = r.nextBoolean();
            IntConv2d conv = new IntConv2d(inC, inH, inW, outC, kH, kW, sH, sW, padTop, padLeft, outH, outW, w, bias, (double) 0.02f, zIn, ws,
                    (double) 0.3f, zOut, relu);
            IntDense dense = new IntDense(depth, outC, w, bias, (double) 0.02f, zIn, ws, (double) 0.3f, zOut, relu);
            byte[] in = new byte[inC * inH * inW];
            for (int i = 0; i < in.length; i++) {
                in[i] = (byte) r.nextInt(256);
            }
            int positions = outH * outW;
            byte[] patches = new byte[positions * depth];
            for (int oy = 0, p = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++, p++) {
                    for (int c = 0, j = 0; c < inC; c++) {
                        for (int ky = 0; ky < kH; ky++) {
                            for (int kx = 0; kx < kW; kx++, j++) {
                                int y = oy * sH + ky - padTop, x = ox * sW + kx - padLeft;
                                boolean inside = y >= 0 && y < inH && x >= 0 && x < inW;
                                patches[p * depth + j] = inside ? in[(c * inH + y) * inW + x] : (byte) zIn;
                            }
                        }
                    }
                }
            }
            byte[] byDense = new byte[positions * outC];
            dense.forward(new byte[][] {patches}, positions, byDense, Kernels.scalar(), new Workspace(positions * outC, 1));
            for (Int8Kernel k : List.of(Kernels.scalar(), Kernels.best())) {
                byte[] out = new byte[conv.outputLength()];
                conv.forward(new byte[][] {in}, 1, out, k, new Workspace(conv.accumulatorLength(), 1));
                for (int o = 0; o < outC; o++) {
                    for (int p = 0; p < positions; p++) {
                        assertEquals(byDense[p * outC + o], out[o * positions + p], k.name() + " trial " + trial + " " + conv.describe()
                                + " channel " + o + " position " + p);
                    }
                }
            }
        }
    }

    /** A batch whose buffers would pass 2^31 values used to overflow an int (NegativeArraySizeException); it is refused with the largest batch that fits. */
    @Test
    void aRunnerForMoreSamplesThanAnArrayHoldsIsRefusedWithTheLargestThatFits() {
        double[] scales = new double[10];
        java.util.Arrays.fill(scales, 0.5);
        IntDense wide = new IntDense(1000, 10, new byte[10_000], new int[10], 1.0, 0, scales, 1.0, 0, false);
        IntModel m = new IntModel(new int[] {1000}, 1.0, 0, List.of(wide));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.runner(3_000_000));
        assertTrue(e.getMessage().contains("3000000 samples") && e.getMessage().contains("at most 2147483 samples"), e.getMessage());
        assertEquals(4, m.runner(4).maxBatch());
    }
}
