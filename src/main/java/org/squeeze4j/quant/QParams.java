package org.squeeze4j.quant;

import java.util.Arrays;
import java.util.List;

/**
 * Scales and zero points of a linear quantizer {@code r ~ s (q - z)}: one pair for the whole tensor
 * ({@code axis = -1}) or one pair per slice along {@code axis}.
 *
 * <p>From a range {@code [min, max]} (Jacob et al. 2018, section 2.1; Nagel et al. 2021, section 2.2;
 * Krishnamoorthi 2018, section 2.1):
 * <pre>
 *   the range is first widened to contain 0:  lo = min(min, 0), hi = max(max, 0)
 *   affine:               s = (hi - lo) / (qmax - qmin),    z = clip(qmin - round(lo / s), qmin, qmax)
 *   signed symmetric:     s = max(-lo, hi) / ((qmax - qmin) / 2),                z = 0
 *   unsigned symmetric:   s = hi / (qmax - qmin),                                z = 0
 *   then s = max(s, EPS)  with EPS = 2^-23 (float32 machine epsilon)
 * </pre>
 * Widening to 0 makes 0 exactly representable (zero padding and ReLU zeros quantize without error).
 * {@code round} is round-half-to-even, as everywhere in this package.
 *
 * <p>The signed symmetric formula is torch.ao's ({@code _calculate_qparams} with
 * {@code per_tensor_symmetric}): it divides by half the code span, so with full int8 ([-128, 127])
 * {@code s = max|r| / 127.5}; {@code +max|r|} lands on 127.5 and is clipped to 127 with error
 * exactly {@code s/2}, and all 256 codes are in use. With narrow range ([-127, 127]) it is the
 * familiar {@code s = max|r| / 127}. It also keeps 2-bit grids useful ({@code s = max|r| / 1.5},
 * codes {-2, -1, 0, 1}). Difference from torch.ao: torch.ao's unsigned symmetric (quint8) puts
 * the zero point at 128; here unsigned symmetric keeps z = 0 and covers {@code [0, max]}
 * (Nagel et al. 2021: unsigned symmetric for one-tailed distributions); use an affine unsigned spec
 * for two-tailed data on an unsigned grid.
 *
 * <p>Degenerate ranges ({@code min == max == 0}, a layer of zeros) would give {@code s = 0} and
 * NaN codes; the floor {@code EPS} (torch.ao's {@code eps}) keeps {@code s} positive, and all
 * values then quantize to {@code z}, i.e. exactly 0.
 *
 * @param scales one positive finite scale per channel (length 1 when per-tensor)
 * @param zeroPoints one zero point per channel (same length)
 * @param axis channel axis, or {@link QuantSpec#PER_TENSOR}
 */
public record QParams(double[] scales, int[] zeroPoints, int axis) {
    /** Smallest scale: float32 machine epsilon 2^-23, as torch.ao's observers use. */
    public static final double EPS = Math.ulp(1.0f);

    public QParams {
        if (scales == null || zeroPoints == null) {
            throw new IllegalArgumentException("scales and zero points must not be null");
        }
        if (scales.length == 0 || scales.length != zeroPoints.length) {
            throw new IllegalArgumentException("need as many zero points as scales (at least one), got "
                    + scales.length + " scales and " + zeroPoints.length + " zero points");
        }
        if (axis < QuantSpec.PER_TENSOR) {
            throw new IllegalArgumentException("axis must be -1 (per-tensor) or >= 0, got " + axis);
        }
        if (axis == QuantSpec.PER_TENSOR && scales.length != 1) {
            throw new IllegalArgumentException("per-tensor qparams have exactly one scale, got " + scales.length
                    + "; give the channel axis for per-channel qparams");
        }
        for (int i = 0; i < scales.length; i++) {
            if (!(scales[i] > 0) || !Double.isFinite(scales[i])) {
                throw new IllegalArgumentException("scale " + i + " must be positive and finite, got " + scales[i]);
            }
        }
        scales = scales.clone();
        zeroPoints = zeroPoints.clone();
    }

    /** One scale and zero point for the whole tensor. */
    public static QParams perTensor(double scale, int zeroPoint) {
        return new QParams(new double[] {scale}, new int[] {zeroPoint}, QuantSpec.PER_TENSOR);
    }

    /** Per-tensor qparams covering {@code [min, max]} on the grid of {@code spec} (formulas above). */
    public static QParams fromRange(QuantSpec spec, double min, double max) {
        if (spec.isPerChannel()) {
            throw new IllegalArgumentException("spec " + spec + " is per-channel; use fromRanges with one range per channel");
        }
        double[] sz = scaleAndZero(spec, new Range(min, max));
        return perTensor(sz[0], (int) sz[1]);
    }

    /** Per-tensor qparams covering {@code range}. */
    public static QParams fromRange(QuantSpec spec, Range range) {
        return fromRange(spec, range.min(), range.max());
    }

    /** Per-channel qparams, channel {@code c} covering {@code ranges.get(c)}, along {@code spec.axis()}. */
    public static QParams fromRanges(QuantSpec spec, List<Range> ranges) {
        if (!spec.isPerChannel()) {
            throw new IllegalArgumentException("spec " + spec + " is per-tensor; use fromRange, or spec.perChannel(axis)");
        }
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("need at least one channel range");
        }
        double[] s = new double[ranges.size()];
        int[] z = new int[ranges.size()];
        for (int c = 0; c < s.length; c++) {
            double[] sz = scaleAndZero(spec, ranges.get(c));
            s[c] = sz[0];
            z[c] = (int) sz[1];
        }
        return new QParams(s, z, spec.axis());
    }

    /** Per-channel qparams from parallel arrays of channel minima and maxima. */
    public static QParams fromRanges(QuantSpec spec, double[] mins, double[] maxs) {
        if (mins.length != maxs.length) {
            throw new IllegalArgumentException("got " + mins.length + " minima but " + maxs.length + " maxima");
        }
        Range[] r = new Range[mins.length];
        for (int c = 0; c < r.length; c++) {
            r[c] = new Range(mins[c], maxs[c]);
        }
        return fromRanges(spec, List.of(r));
    }

    private static double[] scaleAndZero(QuantSpec spec, Range range) {
        double lo = Math.min(range.min(), 0.0);
        double hi = Math.max(range.max(), 0.0);
        int qmin = spec.qmin();
        int qmax = spec.qmax();
        double s;
        int z;
        if (spec.symmetric()) {
            s = spec.signed() ? Math.max(-lo, hi) / ((qmax - qmin) / 2.0) : hi / (qmax - qmin);
            z = 0;
        } else {
            s = (hi - lo) / (qmax - qmin);
        }
        s = Math.max(s, EPS);
        if (!spec.symmetric()) {
            z = (int) Math.max(qmin, Math.min(qmax, qmin - Math.rint(lo / s)));
        } else {
            z = 0;
        }
        return new double[] {s, z};
    }

    /** Number of (scale, zero point) pairs: 1 per-tensor, the channel count per-channel. */
    public int channels() {
        return scales.length;
    }

    /** True when {@link #axis()} selects a channel axis. */
    public boolean isPerChannel() {
        return axis != QuantSpec.PER_TENSOR;
    }

    /** The scale of per-tensor qparams. */
    public double scale() {
        requirePerTensor();
        return scales[0];
    }

    /** The zero point of per-tensor qparams. */
    public int zeroPoint() {
        requirePerTensor();
        return zeroPoints[0];
    }

    @Override
    public double[] scales() {
        return scales.clone();
    }

    @Override
    public int[] zeroPoints() {
        return zeroPoints.clone();
    }

    /** Scale of channel {@code c} without copying the array. */
    public double scale(int c) {
        return scales[c];
    }

    /** Zero point of channel {@code c} without copying the array. */
    public int zeroPoint(int c) {
        return zeroPoints[c];
    }

    /** The scales without a copy, for the package's own arithmetic. */
    double[] scalesArray() {
        return scales;
    }

    /** The zero points as doubles, for the package's own arithmetic. */
    double[] zeroPointsArray() {
        double[] z = new double[zeroPoints.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = zeroPoints[i];
        }
        return z;
    }

    private void requirePerTensor() {
        if (isPerChannel()) {
            throw new IllegalStateException("qparams are per-channel (" + scales.length + " channels along axis " + axis
                    + "); use scale(c) / zeroPoint(c)");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QParams p && axis == p.axis && Arrays.equals(scales, p.scales) && Arrays.equals(zeroPoints, p.zeroPoints);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(scales) + Arrays.hashCode(zeroPoints)) + axis;
    }

    @Override
    public String toString() {
        if (!isPerChannel()) {
            return "QParams[scale=" + scales[0] + ", zeroPoint=" + zeroPoints[0] + "]";
        }
        return "QParams[axis=" + axis + ", " + scales.length + " channels, scales=" + abbreviate(Arrays.toString(scales))
                + ", zeroPoints=" + abbreviate(Arrays.toString(zeroPoints)) + "]";
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
