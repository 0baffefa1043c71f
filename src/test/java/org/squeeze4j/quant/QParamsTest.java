package org.squeeze4j.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Scales and zero points worked out by hand from the formulas in {@link QParams}. */
class QParamsTest {

    @Test
    void affineUint8() {
        // [-1, 2]: s = (2 - (-1)) / (255 - 0) = 3/255 = 1/85; z = 0 - rint(-1 / (1/85)) = 85
        QParams p = QParams.fromRange(QuantSpec.uint8Activations(), -1.0, 2.0);
        assertEquals(3.0 / 255, p.scale(), 0);
        assertEquals(85, p.zeroPoint());
    }

    @Test
    void affineRangeIsWidenedToContainZero() {
        // [0.5, 2] becomes [0, 2]: s = 2/255, z = 0 (0 is exactly representable)
        QParams p = QParams.fromRange(QuantSpec.uint8Activations(), 0.5, 2.0);
        assertEquals(2.0 / 255, p.scale(), 0);
        assertEquals(0, p.zeroPoint());
        // [-3, -1] becomes [-3, 0]: s = 3/255, z = 0 - rint(-3 / (3/255)) = 255
        QParams n = QParams.fromRange(QuantSpec.uint8Activations(), -3.0, -1.0);
        assertEquals(3.0 / 255, n.scale(), 0);
        assertEquals(255, n.zeroPoint());
        // signed int4 affine [-8, 7], range [-1, 3]: s = 4/15, z = -8 - rint(-1 / (4/15)) = -8 - rint(-3.75) = -8 + 4 = -4
        QParams s4 = QParams.fromRange(QuantSpec.affine(4, true), -1.0, 3.0);
        assertEquals(4.0 / 15, s4.scale(), 1e-15);
        assertEquals(-4, s4.zeroPoint());
    }

    @Test
    void signedSymmetricDividesByHalfTheCodeSpanLikeTorchAo() {
        // full int8: s = max(|-1|, |0.5|) / ((127 - (-128)) / 2) = 1 / 127.5
        QParams full = QParams.fromRange(QuantSpec.symmetric(8), -1.0, 0.5);
        assertEquals(1 / 127.5, full.scale(), 0);
        assertEquals(0, full.zeroPoint());
        // narrow int8: s = 2 / ((127 - (-127)) / 2) = 2 / 127
        assertEquals(2.0 / 127, QParams.fromRange(QuantSpec.int8Weights(), -0.5, 2.0).scale(), 0);
        // 2-bit [-2, 1]: s = 3 / 1.5 = 2
        assertEquals(2.0, QParams.fromRange(QuantSpec.symmetric(2), -3.0, 1.0).scale(), 0);
    }

    @Test
    void unsignedSymmetricCoversZeroToMax() {
        // uint4 symmetric: s = max / 15 with z = 0; the negative end is ignored (clipped to 0)
        QParams p = QParams.fromRange(QuantSpec.symmetric(4, false), -7.0, 3.0);
        assertEquals(3.0 / 15, p.scale(), 0);
        assertEquals(0, p.zeroPoint());
        // 1-bit unsigned symmetric: values {0, s} with s = max
        assertEquals(0.75, QParams.fromRange(QuantSpec.symmetric(1, false), 0, 0.75).scale(), 0);
    }

    @Test
    void degenerateRangesGetTheEpsilonScaleNotZeroOrNaN() {
        for (QuantSpec spec : List.of(QuantSpec.symmetric(8), QuantSpec.uint8Activations(), QuantSpec.affine(4, true),
                QuantSpec.symmetric(4, false))) {
            QParams p = QParams.fromRange(spec, 0, 0);
            assertEquals(QParams.EPS, p.scale(), 0, spec::toString);
            assertTrue(p.zeroPoint() >= spec.qmin() && p.zeroPoint() <= spec.qmax());
        }
        assertEquals(Math.pow(2, -23), QParams.EPS, 0);
        // a single non-zero value is not degenerate after widening to 0: [3, 3] -> [0, 3]
        assertEquals(3.0 / 255, QParams.fromRange(QuantSpec.uint8Activations(), 3, 3).scale(), 0);
    }

    @Test
    void zeroPointStaysOnTheGridAtTheExtremes() {
        // affine uint8 on [-1e-9, 1]: z = 0 - rint(-1e-9 * 255 / (1 + 1e-9)) = 0; on [-1, 1e-12]: z = -rint(-254.99999999975) = 255
        assertEquals(0, QParams.fromRange(QuantSpec.uint8Activations(), -1e-9, 1).zeroPoint());
        assertEquals(255, QParams.fromRange(QuantSpec.uint8Activations(), -1, 1e-12).zeroPoint());
    }

    @Test
    void perChannelRangesGiveOnePairPerChannel() {
        QuantSpec spec = QuantSpec.int8Weights().perChannel(1);
        QParams p = QParams.fromRanges(spec, new double[] {-1, -0.5, 0}, new double[] {0.5, 2, 0});
        assertArrayEquals(new double[] {1.0 / 127, 2.0 / 127, QParams.EPS}, p.scales(), 0);
        assertArrayEquals(new int[] {0, 0, 0}, p.zeroPoints());
        assertEquals(1, p.axis());
        assertEquals(3, p.channels());
        assertThrows(IllegalStateException.class, p::scale);
    }

    @Test
    void arraysAreCopiedAndComparedByValue() {
        double[] s = {0.5, 0.25};
        QParams p = new QParams(s, new int[] {0, 1}, 0);
        s[0] = 99;
        assertEquals(0.5, p.scale(0), 0);
        p.scales()[1] = 99;
        assertEquals(0.25, p.scale(1), 0);
        assertEquals(new QParams(new double[] {0.5, 0.25}, new int[] {0, 1}, 0), p);
        assertEquals(new QParams(new double[] {0.5, 0.25}, new int[] {0, 1}, 0).hashCode(), p.hashCode());
    }

    @Test
    void badInputsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> QParams.fromRange(QuantSpec.symmetric(8), 2, 1));
        assertThrows(IllegalArgumentException.class, () -> QParams.fromRange(QuantSpec.symmetric(8), Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> QParams.fromRange(QuantSpec.symmetric(8), 0, Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> QParams.perTensor(0, 0));
        assertThrows(IllegalArgumentException.class, () -> QParams.perTensor(Double.NaN, 0));
        assertThrows(IllegalArgumentException.class, () -> new QParams(new double[] {1, 1}, new int[] {0}, 0));
        assertThrows(IllegalArgumentException.class, () -> new QParams(new double[] {1, 1}, new int[] {0, 0}, -1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QParams.fromRange(QuantSpec.symmetric(8).perChannel(0), 0, 1));
        assertTrue(e.getMessage().contains("use fromRanges"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QParams.fromRanges(QuantSpec.symmetric(8), List.of(new Range(0, 1))));
    }
}
