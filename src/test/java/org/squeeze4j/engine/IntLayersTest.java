package org.squeeze4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

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
            l.forward(in, m, out, k, ws);
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
}
