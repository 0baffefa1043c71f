package org.squeeze4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FixedPointTest {
    private static final int MIN = Integer.MIN_VALUE;
    private static final int MAX = Integer.MAX_VALUE;

    /** floor((a b + 2^30) / 2^31) in BigInteger, saturated to int32: the definition, not the nudge trick. */
    private static int srdhmReference(int a, int b) {
        BigInteger num = BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).add(BigInteger.ONE.shiftLeft(30));
        BigInteger[] qr = num.divideAndRemainder(BigInteger.ONE.shiftLeft(31));
        BigInteger q = qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0]; // floor division
        return q.min(BigInteger.valueOf(MAX)).intValueExact();
    }

    /** x / 2^e rounded half away from zero, in BigDecimal. */
    private static int rdbpotReference(int x, int e) {
        return new BigDecimal(x).divide(new BigDecimal(BigInteger.ONE.shiftLeft(e))).setScale(0, RoundingMode.HALF_UP)
                .intValueExact();
    }

    @Test
    void srdhmHandValues() {
        assertEquals(1 << 29, FixedPoint.saturatingRoundingDoublingHighMul(1 << 30, 1 << 30)); // 0.5 * 0.5 = 0.25
        assertEquals(1, FixedPoint.saturatingRoundingDoublingHighMul(1, 1 << 30));              // 0.5 -> 1
        assertEquals(0, FixedPoint.saturatingRoundingDoublingHighMul(-1, 1 << 30));             // -0.5 -> 0 (ties up)
        assertEquals(-1, FixedPoint.saturatingRoundingDoublingHighMul(-3, 1 << 30));            // -1.5 -> -1
        assertEquals(2, FixedPoint.saturatingRoundingDoublingHighMul(3, 1 << 30));              // 1.5 -> 2
        assertEquals(0, FixedPoint.saturatingRoundingDoublingHighMul(0, MIN));
        assertEquals(MAX, FixedPoint.saturatingRoundingDoublingHighMul(MIN, MIN));             // 2^31 saturates
        assertEquals(-MAX, FixedPoint.saturatingRoundingDoublingHighMul(MIN, MAX));             // -(2^31 - 1)
        assertEquals(MAX - 1, FixedPoint.saturatingRoundingDoublingHighMul(MAX, MAX));          // (2^31-1)^2/2^31 = 2^31 - 2 + 2^-31
        assertEquals(MIN + 1, FixedPoint.saturatingRoundingDoublingHighMul(MAX, MIN));
    }

    @Test
    void srdhmMatchesBigIntegerReference() {
        int[] edges = {MIN, MIN + 1, -(1 << 30), -65536, -3, -2, -1, 0, 1, 2, 3, 65535, 1 << 30, (1 << 30) + 1, MAX - 1, MAX};
        for (int a : edges) {
            for (int b : edges) {
                assertEquals(srdhmReference(a, b), FixedPoint.saturatingRoundingDoublingHighMul(a, b), a + " * " + b);
            }
        }
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            int a = i % 2 == 0 ? r.nextInt() : r.nextInt(-(1 << 24), 1 << 24);
            int b = i % 3 == 0 ? r.nextInt() : r.nextInt(1 << 30, MAX);
            assertEquals(srdhmReference(a, b), FixedPoint.saturatingRoundingDoublingHighMul(a, b), a + " * " + b);
        }
        // exact ties: a b = (2k + 1) 2^30
        for (int k = -5; k <= 5; k++) {
            int a = 2 * k + 1;
            assertEquals(srdhmReference(a, 1 << 30), FixedPoint.saturatingRoundingDoublingHighMul(a, 1 << 30));
            assertEquals(Math.floorDiv(a + 1, 2), FixedPoint.saturatingRoundingDoublingHighMul(a, 1 << 30), "tie " + a + "/2");
        }
    }

    @Test
    void roundingDivideByPotHandValues() {
        assertEquals(3, FixedPoint.roundingDivideByPOT(11, 2));   // 2.75
        assertEquals(-2, FixedPoint.roundingDivideByPOT(-7, 2));  // -1.75
        assertEquals(1, FixedPoint.roundingDivideByPOT(1, 1));    // 0.5 -> 1 (away from zero)
        assertEquals(-1, FixedPoint.roundingDivideByPOT(-1, 1));  // -0.5 -> -1
        assertEquals(-2, FixedPoint.roundingDivideByPOT(-3, 1));  // -1.5 -> -2
        assertEquals(2, FixedPoint.roundingDivideByPOT(3, 1));
        assertEquals(-5, FixedPoint.roundingDivideByPOT(-5, 0));
        assertEquals(-1, FixedPoint.roundingDivideByPOT(MIN, 31)); // -1 exactly
        assertEquals(1, FixedPoint.roundingDivideByPOT(MAX, 31));  // 0.99999... -> 1
        assertEquals(0, FixedPoint.roundingDivideByPOT(1 << 29, 31)); // 0.25
        assertThrows(IllegalArgumentException.class, () -> FixedPoint.roundingDivideByPOT(1, 32));
        assertThrows(IllegalArgumentException.class, () -> FixedPoint.roundingDivideByPOT(1, -1));
    }

    @Test
    void roundingDivideByPotMatchesBigDecimalReference() {
        int[] edges = {MIN, MIN + 1, -(1 << 30) - 1, -(1 << 30), -3, -2, -1, 0, 1, 2, 3, 1 << 30, MAX - 1, MAX};
        for (int e = 0; e <= 31; e++) {
            for (int x : edges) {
                assertEquals(rdbpotReference(x, e), FixedPoint.roundingDivideByPOT(x, e), x + " / 2^" + e);
            }
        }
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 200_000; i++) {
            int x = r.nextInt();
            int e = r.nextInt(32);
            assertEquals(rdbpotReference(x, e), FixedPoint.roundingDivideByPOT(x, e), x + " / 2^" + e);
        }
        for (int e = 1; e <= 30; e++) { // exact ties +-(2k+1) 2^(e-1)
            int half = 1 << (e - 1);
            assertEquals(rdbpotReference(3 * half, e), FixedPoint.roundingDivideByPOT(3 * half, e));
            assertEquals(-2, FixedPoint.roundingDivideByPOT(-3 * half, e));
        }
    }

    @Test
    void quantizedMultiplierHandValues() {
        assertEquals(new QuantizedMultiplier(1 << 30, 0), QuantizedMultiplier.of(0.5));
        assertEquals(new QuantizedMultiplier(1 << 30, 1), QuantizedMultiplier.of(0.25));
        assertEquals(new QuantizedMultiplier(1610612736, 0), QuantizedMultiplier.of(0.75)); // 0.75 * 2^31
        assertEquals(new QuantizedMultiplier(1 << 30, 2), QuantizedMultiplier.of(0.125));
        assertEquals(new QuantizedMultiplier(MAX, 0), QuantizedMultiplier.of(1 - 0x1p-40)); // rounds up to 1.0
        assertEquals(new QuantizedMultiplier(0, 0), QuantizedMultiplier.of(0x1p-40));      // too small: zero
        assertEquals(new QuantizedMultiplier(1 << 30, 31), QuantizedMultiplier.of(0x1p-32));
        // 0.1 = 0.8 * 2^-3: M0 = round(0.8 * 2^31) = 1717986918
        assertEquals(new QuantizedMultiplier(1717986918, 3), QuantizedMultiplier.of(0.1));
    }

    @Test
    void quantizedMultiplierIsWithinHalfAnUlpOfM0() {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 10_000; i++) {
            double m = Math.pow(2, -30 * r.nextDouble()) * (0.5 + 0.5 * r.nextDouble());
            if (m >= 1) {
                continue;
            }
            QuantizedMultiplier q = QuantizedMultiplier.of(m);
            assertTrue(q.m0() >= (1 << 30), "M0 in [2^30, 2^31) for " + m);
            assertTrue(Math.abs(q.real() - m) <= Math.scalb(0.5, -31 - q.shift()) * 1.0000001, "error of " + m);
        }
    }

    @Test
    void quantizedMultiplierRejectsBadValuesWithReasons() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuantizedMultiplier.of(1.5));
        assertTrue(e.getMessage().contains(">= 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QuantizedMultiplier.of(0));
        assertThrows(IllegalArgumentException.class, () -> QuantizedMultiplier.of(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new QuantizedMultiplier(5, 0));
        assertThrows(IllegalArgumentException.class, () -> new QuantizedMultiplier(1 << 30, 32));
    }

    @Test
    void uncheckedMultiplyEqualsTheCheckedOne() {
        SplittableRandom r = new SplittableRandom(13);
        int[] edges = {MIN, MIN + 1, -(1 << 30) - 1, -3, -2, -1, 0, 1, 2, 3, 1 << 30, MAX - 1, MAX};
        int[] m0s = {0, 1 << 30, (1 << 30) + 1, 1717986918, MAX - 1, MAX};
        for (int shift = 0; shift <= 31; shift++) {
            for (int acc : edges) {
                for (int m0 : m0s) {
                    assertEquals(FixedPoint.multiplyByQuantizedMultiplier(acc, m0, shift),
                            FixedPoint.multiplyByMultiplierUnchecked(acc, m0, shift), acc + " * " + m0 + " >> " + shift);
                }
            }
        }
        for (int i = 0; i < 300_000; i++) {
            int acc = i % 2 == 0 ? r.nextInt() : r.nextInt(-(1 << 20), 1 << 20);
            int m0 = r.nextInt(1 << 30, MAX) + (i % 7 == 0 ? 1 : 0);
            int shift = r.nextInt(32);
            assertEquals(FixedPoint.multiplyByQuantizedMultiplier(acc, m0, shift),
                    FixedPoint.multiplyByMultiplierUnchecked(acc, m0, shift), acc + " * " + m0 + " >> " + shift);
        }
    }

    @Test
    void multiplyIsRoundOfProductWithinOne() {
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 100_000; i++) {
            double m = Math.pow(2, -20 * r.nextDouble()) * 0.999;
            int acc = r.nextInt(-(1 << 24), 1 << 24);
            QuantizedMultiplier q = QuantizedMultiplier.of(m);
            long exact = Math.round(acc * q.real());
            assertTrue(Math.abs(q.apply(acc) - exact) <= 1, acc + " * " + m);
        }
        // hand value from the IntDense golden test: 21 * 0.125 = 2.625 -> SRDHM 11 (quarters) -> 3
        assertEquals(3, FixedPoint.multiplyByQuantizedMultiplier(21, 1 << 30, 2));
        assertEquals(-2, FixedPoint.multiplyByQuantizedMultiplier(-15, 1 << 30, 2)); // -1.875: -7 quarters -> -1.75 -> -2
    }
}
