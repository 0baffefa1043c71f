package org.squeeze4j.quant;

/**
 * A closed real interval {@code [min, max]} that a quantizer should cover, as found by an
 * observer (min-max, percentile, MSE or entropy calibration; Nagel et al. 2021, section 3.1
 * "Quantization range setting"). {@link QParams#fromRange} widens it to contain 0 and turns it into
 * a scale and zero point, e.g. affine {@code s = (max - min) / (qmax - qmin)}.
 *
 * @param min lower end (finite)
 * @param max upper end (finite, {@code >= min})
 */
public record Range(double min, double max) {
    public Range {
        if (!Double.isFinite(min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException("range ends must be finite, got [" + min + ", " + max + "]");
        }
        if (min > max) {
            throw new IllegalArgumentException("range min must be <= max, got [" + min + ", " + max + "]");
        }
    }

    /** The symmetric range {@code [-t, t]} for a threshold {@code t >= 0}. */
    public static Range symmetric(double threshold) {
        if (!(threshold >= 0)) {
            throw new IllegalArgumentException("threshold must be >= 0, got " + threshold);
        }
        return new Range(-threshold, threshold);
    }

    /** {@code max(|min|, |max|)}. */
    public double maxAbs() {
        return Math.max(Math.abs(min), Math.abs(max));
    }

    /** {@code max - min}. */
    public double width() {
        return max - min;
    }
}
