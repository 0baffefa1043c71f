package org.squeeze4j.engine;

/**
 * A real multiplier {@code M in (0, 1)} as the integer pair of Jacob et al. 2018, eq. 6:
 * <pre>
 *   M = 2^-n * M0 / 2^31,    M0 in [2^30, 2^31) (M0 / 2^31 in [0.5, 1)),   n >= 0
 * </pre>
 * found as TFLite's {@code QuantizeMultiplier} does: {@code M = q 2^e} with {@code q in [0.5, 1)}
 * ({@link Math#getExponent}), {@code M0 = round(q 2^31)}, {@code n = -e}; if rounding gives
 * {@code M0 = 2^31}, then {@code M0 = 2^30} and {@code n -= 1}. When {@code n > 31} ({@code M < 2^-32},
 * e.g. a channel whose weights are all zero), the multiplier is too small for RoundingDivideByPOT
 * and becomes {@code M0 = 0, n = 0} (output = zero point), as in TFLite. {@code M0 = 0} is the only
 * value outside [2^30, 2^31). A multiplier within 2^-32 of 1 that rounds up to 1.0 becomes
 * {@code (2^31 - 1, 0)} instead of needing a left shift.
 *
 * @param m0 the int32 mantissa, in [2^30, 2^31) or 0
 * @param shift the right shift n, in [0, 31]
 */
public record QuantizedMultiplier(int m0, int shift) {
    public QuantizedMultiplier {
        if (m0 != 0 && m0 < (1 << 30)) {
            throw new IllegalArgumentException("M0 must be in [2^30, 2^31) (or 0), got " + m0);
        }
        if (shift < 0 || shift > 31) {
            throw new IllegalArgumentException("right shift must be in [0, 31], got " + shift);
        }
    }

    /**
     * The pair for a real multiplier {@code m in (0, 1)}, e.g. {@code of(0.25)} = (2^30, 1).
     * {@code m >= 1} would need a left shift; it means the output scale is smaller than one
     * product step {@code s_in s_w} and is rejected with a message saying so.
     */
    public static QuantizedMultiplier of(double m) {
        if (!(m > 0) || !Double.isFinite(m)) {
            throw new IllegalArgumentException("requantization multiplier must be positive and finite, got " + m);
        }
        if (m >= 1) {
            throw new IllegalArgumentException("requantization multiplier M = s_in * s_w / s_out = " + m + " is >= 1: the output"
                    + " scale is smaller than one input*weight step; calibrate the output range on more data or widen it");
        }
        int e = Math.getExponent(m) + 1;          // m = q * 2^e with q in [0.5, 1)
        double q = m / Math.pow(2, e);            // exact: division by a power of two
        long m0 = Math.round(q * (1L << 31));     // in [2^30, 2^31]
        int n = -e;
        if (m0 == (1L << 31)) {
            m0 = 1L << 30;
            n -= 1;
        }
        if (n < 0) {
            // m in (1 - 2^-32, 1) rounded up to 1.0: keep the largest mantissa instead of a left shift
            return new QuantizedMultiplier(Integer.MAX_VALUE, 0);
        }
        if (n > 31) {
            return new QuantizedMultiplier(0, 0);
        }
        return new QuantizedMultiplier((int) m0, n);
    }

    /** The real multiplier this pair represents, {@code M0 2^-31 2^-n}. */
    public double real() {
        return m0 / Math.pow(2, 31 + shift);
    }

    /** {@code acc * M} in fixed point (see {@link FixedPoint#multiplyByQuantizedMultiplier}). */
    public int apply(int acc) {
        return FixedPoint.multiplyByQuantizedMultiplier(acc, m0, shift);
    }
}
