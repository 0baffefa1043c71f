package org.squeeze4j.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ND4J implementation against a slow, obviously-correct reference: plain Java double loops over
 * a {@code float[]} in C order, with the channel of flat index {@code i} computed as
 * {@code (i / stride(axis)) % size(axis)}. Every valid combination of bits in {2, 4, 8}, signed or
 * unsigned, symmetric or affine, per-tensor or per-channel and narrow range is checked element for
 * element (codes exactly, dequantized values bit for bit).
 */
class QuantizerReferenceTest {
    private static final long[] SHAPE = {6, 5, 4};

    static Stream<QuantSpec> specs() {
        List<QuantSpec> specs = new ArrayList<>();
        for (int bits : new int[] {2, 4, 8}) {
            for (boolean signed : new boolean[] {true, false}) {
                for (boolean symmetric : new boolean[] {true, false}) {
                    for (boolean narrow : new boolean[] {false, true}) {
                        if (narrow && symmetric && !signed) {
                            continue; // rejected by QuantSpec: narrow range would exclude the zero point
                        }
                        for (int axis : new int[] {-1, 1, 0, 2}) {
                            specs.add(new QuantSpec(bits, signed, symmetric, narrow, axis));
                        }
                    }
                }
            }
        }
        return specs.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void ndArrayImplementationMatchesTheLoopReference(QuantSpec spec) {
        float[] r = randomTensor(spec.hashCode());
        INDArray x = Nd4j.createFromArray(r).reshape(SHAPE);
        int channels = spec.isPerChannel() ? (int) SHAPE[spec.axis()] : 1;

        double[] mins = new double[channels];
        double[] maxs = new double[channels];
        java.util.Arrays.fill(mins, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(maxs, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < r.length; i++) {
            int c = channel(i, spec.axis());
            mins[c] = Math.min(mins[c], r[i]);
            maxs[c] = Math.max(maxs[c], r[i]);
        }
        QParams p = spec.isPerChannel() ? QParams.fromRanges(spec, mins, maxs) : QParams.fromRange(spec, mins[0], maxs[0]);

        // qparams against the formulas written out independently
        for (int c = 0; c < channels; c++) {
            double[] sz = referenceScaleAndZero(spec, mins[c], maxs[c]);
            assertEquals(sz[0], p.scale(c), 1e-15 * sz[0], "scale of channel " + c);
            assertEquals((int) sz[1], p.zeroPoint(c), "zero point of channel " + c);
        }

        int[] qRef = new int[r.length];
        float[] fqRef = new float[r.length];
        for (int i = 0; i < r.length; i++) {
            int c = channel(i, spec.axis());
            double s = p.scale(c);
            int z = p.zeroPoint(c);
            double v = Math.rint((double) r[i] / s + z);
            v = Math.max(spec.qmin(), Math.min(spec.qmax(), v));
            qRef[i] = (int) v;
            fqRef[i] = (float) ((qRef[i] - z) * s);
        }
        assertArrayEquals(qRef, Quantizer.quantize(x, p, spec).ravel().toIntVector(), "codes");
        assertArrayEquals(fqRef, Quantizer.dequantize(Quantizer.quantize(x, p, spec), p, spec).ravel().toFloatVector(), 0f,
                "dequantized");
        float[] fq = Quantizer.fakeQuantize(x, p, spec).ravel().toFloatVector();
        assertArrayEquals(fqRef, fq, 0f, "fake-quantized");

        // error property: |r - r_hat| <= s/2 inside the grid's range [s (qmin - z), s (qmax - z)]
        int inside = 0;
        for (int i = 0; i < r.length; i++) {
            int c = channel(i, spec.axis());
            double s = p.scale(c);
            int z = p.zeroPoint(c);
            if (r[i] >= s * (spec.qmin() - z) && r[i] <= s * (spec.qmax() - z)) {
                inside++;
                double err = Math.abs(r[i] - fq[i]);
                assertTrue(err <= s / 2 * (1 + 1e-9) + Math.ulp(fq[i]), "error " + err + " > s/2 = " + s / 2 + " at " + i);
            }
        }
        assertTrue(inside > r.length / 3, "most values lie inside the range, got " + inside);
    }

    /** The qparams formulas again, as in the Jacob et al. 2018 / torch.ao write-up. */
    private static double[] referenceScaleAndZero(QuantSpec spec, double min, double max) {
        double lo = Math.min(min, 0);
        double hi = Math.max(max, 0);
        double s;
        double z = 0;
        if (spec.symmetric() && spec.signed()) {
            s = 2 * Math.max(Math.abs(lo), Math.abs(hi)) / (spec.qmax() - spec.qmin());
        } else if (spec.symmetric()) {
            s = hi / (spec.qmax() - spec.qmin());
        } else {
            s = (hi - lo) / (spec.qmax() - spec.qmin());
        }
        s = Math.max(s, Math.pow(2, -23));
        if (!spec.symmetric()) {
            z = Math.rint(spec.qmin() - lo / s);
            z = Math.max(spec.qmin(), Math.min(spec.qmax(), z));
        }
        return new double[] {s, z};
    }

    /** Channel of flat C-order index i along axis (0 for per-tensor). */
    private static int channel(int i, int axis) {
        if (axis < 0) {
            return 0;
        }
        long stride = 1;
        for (int d = axis + 1; d < SHAPE.length; d++) {
            stride *= SHAPE[d];
        }
        return (int) ((i / stride) % SHAPE[axis]);
    }

    /** Gaussian values with a different magnitude and offset in every slice, plus one all-zero row. */
    private static float[] randomTensor(long seed) {
        Random rnd = new Random(seed);
        int n = (int) (SHAPE[0] * SHAPE[1] * SHAPE[2]);
        float[] r = new float[n];
        for (int i = 0; i < n; i++) {
            int c1 = channel(i, 1);
            r[i] = (float) (rnd.nextGaussian() * Math.pow(3, c1 - 2) + 0.1 * c1);
        }
        for (int j = 0; j < SHAPE[1] * SHAPE[2]; j++) {
            r[j] = 0f; // slice 0 along axis 0 is all zeros: a degenerate channel for axis-0 specs
        }
        return r;
    }
}
