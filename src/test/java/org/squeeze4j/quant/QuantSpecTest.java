package org.squeeze4j.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Code ranges checked against the two's complement / unsigned definitions. */
class QuantSpecTest {

    @Test
    void codeRangesMatchTheDefinitions() {
        assertRange(QuantSpec.symmetric(8), -128, 127);
        assertRange(QuantSpec.int8Weights(), -127, 127);
        assertRange(QuantSpec.uint8Activations(), 0, 255);
        assertRange(QuantSpec.affine(8, false).withNarrowRange(true), 1, 255);
        assertRange(QuantSpec.affine(4, true), -8, 7);
        assertRange(QuantSpec.symmetric(2), -2, 1);
        assertRange(QuantSpec.symmetric(2).withNarrowRange(true), -1, 1);
        assertRange(QuantSpec.symmetric(1, false), 0, 1);
        assertRange(QuantSpec.affine(1, true), -1, 0);
        assertRange(QuantSpec.symmetric(16), -32768, 32767);
        assertRange(QuantSpec.affine(16, false), 0, 65535);
        assertEquals(256, QuantSpec.symmetric(8).levels());
        assertEquals(255, QuantSpec.int8Weights().levels());
    }

    @Test
    void perChannelAndPerTensorAreDerivedCopies() {
        QuantSpec pc = QuantSpec.int8Weights().perChannel(1);
        assertTrue(pc.isPerChannel());
        assertEquals(1, pc.axis());
        assertTrue(pc.narrowRange());
        assertFalse(pc.perTensor().isPerChannel());
        assertEquals(QuantSpec.int8Weights(), pc.perTensor());
        assertEquals("int8 symmetric narrow [-127, 127] per-channel(axis 1)", pc.toString());
    }

    @Test
    void badBitWidthsAreRejectedWithTheValue() {
        for (int bits : new int[] {0, 9, 12, 15, 17, 32, -1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuantSpec.symmetric(bits));
            assertEquals("bits must be 1-8 or 16, got " + bits, e.getMessage());
        }
    }

    @Test
    void oneBitSignedSymmetricIsRejectedBecauseItIsNotBinary() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuantSpec.symmetric(1));
        assertTrue(e.getMessage().contains("{-s, 0}"), e.getMessage());
        assertTrue(e.getMessage().contains("not the binary {-s, +s}"), e.getMessage());
    }

    @Test
    void narrowRangeNeedsTwoLevelsAndAZeroPointInside() {
        assertThrows(IllegalArgumentException.class, () -> QuantSpec.affine(1, false).withNarrowRange(true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantSpec.symmetric(8, false).withNarrowRange(true));
        assertTrue(e.getMessage().contains("excludes its zero point 0"), e.getMessage());
    }

    @Test
    void badAxesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> QuantSpec.symmetric(8).perChannel(-1));
        assertThrows(IllegalArgumentException.class, () -> new QuantSpec(8, true, true, false, -2));
    }

    private static void assertRange(QuantSpec s, int qmin, int qmax) {
        assertEquals(qmin, s.qmin(), s::toString);
        assertEquals(qmax, s.qmax(), s::toString);
    }
}
