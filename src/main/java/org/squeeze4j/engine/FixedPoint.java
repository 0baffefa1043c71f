package org.squeeze4j.engine;

/**
 * The fixed-point arithmetic of gemmlowp / TFLite that requantizes an int32 accumulator without
 * floating point (Jacob et al. 2018, "Quantization and Training of Neural Networks for Efficient
 * Integer-Arithmetic-Only Inference", section 2.2 and appendix B).
 *
 * <p>A real multiplier {@code M in (0, 1)} is written {@code M = M0 * 2^-31 * 2^-n} with the int32
 * {@code M0 in [2^30, 2^31)} and a right shift {@code n >= 0} (see {@link QuantizedMultiplier});
 * then {@code round(acc * M)} is computed as
 * <pre>
 *   roundingDivideByPOT(saturatingRoundingDoublingHighMul(acc, M0), n)
 * </pre>
 * <ul>
 *   <li>{@link #saturatingRoundingDoublingHighMul}{@code (a, b)} = the high 32 bits of {@code 2ab},
 *       rounded: {@code floor((a b + 2^30) / 2^31)}, i.e. {@code a b / 2^31} rounded to nearest with
 *       ties toward +infinity; the only overflow, {@code a = b = INT_MIN}, saturates to
 *       {@code INT_MAX}.</li>
 *   <li>{@link #roundingDivideByPOT}{@code (x, n)} = {@code x / 2^n} rounded to nearest with ties away
 *       from zero.</li>
 * </ul>
 * This is two roundings, not one, so the result may differ from {@code round(acc * M)} by one in
 * rare cases; what matters is that every implementation (scalar, vector, the float simulation)
 * does exactly these two steps.
 */
public final class FixedPoint {
    private FixedPoint() {
    }

    /**
     * gemmlowp's {@code SaturatingRoundingDoublingHighMul}: {@code floor((a b + 2^30) / 2^31)},
     * saturated to {@code Integer.MAX_VALUE} for {@code a = b = Integer.MIN_VALUE} (whose exact
     * result 2^31 does not fit).
     */
    public static int saturatingRoundingDoublingHighMul(int a, int b) {
        if (a == Integer.MIN_VALUE && b == Integer.MIN_VALUE) {
            return Integer.MAX_VALUE;
        }
        // gemmlowp adds a sign-dependent nudge and truncates; for an int64 product that is the same
        // as flooring with a +2^30 nudge, which an arithmetic shift does
        return (int) (((long) a * (long) b + (1L << 30)) >> 31);
    }

    /**
     * gemmlowp's {@code RoundingDivideByPOT}: {@code x / 2^exponent} rounded to nearest, ties away
     * from zero, for {@code exponent} in [0, 31].
     */
    public static int roundingDivideByPOT(int x, int exponent) {
        if (exponent < 0 || exponent > 31) {
            throw new IllegalArgumentException("exponent must be in [0, 31], got " + exponent);
        }
        int mask = (int) ((1L << exponent) - 1);
        int remainder = x & mask;
        int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (x >> exponent) + (remainder > threshold ? 1 : 0);
    }

    /**
     * {@link #multiplyByQuantizedMultiplier} without argument checks, for the engine's inner loops:
     * valid for {@code m0 >= 0} (no saturation case) and {@code shift} in [0, 31], which
     * {@link QuantizedMultiplier} guarantees. Branch-free, because the rounding direction is as
     * unpredictable as the data (a mispredicted branch per value cost 2.6x in a measurement): the tie
     * rule of {@link #roundingDivideByPOT}, "round up when {@code remainder > (mask >> 1) + signbit}",
     * is the sign bit of {@code threshold - remainder} (both lie in [0, 2^31)).
     */
    static int multiplyByMultiplierUnchecked(int acc, int m0, int shift) {
        int h = (int) (((long) acc * m0 + (1L << 30)) >> 31);
        int mask = (1 << shift) - 1;
        int threshold = (mask >> 1) + (h >>> 31);
        return (h >> shift) + ((threshold - (h & mask)) >>> 31);
    }

    /** {@code acc * M} for {@code M = m0 * 2^-31 * 2^-shift}: the requantization of Jacob et al. 2018, eq. 6. */
    public static int multiplyByQuantizedMultiplier(int acc, int m0, int shift) {
        return roundingDivideByPOT(saturatingRoundingDoublingHighMul(acc, m0), shift);
    }
}
