package org.squeeze4j.quant.observe;

import java.util.Arrays;

/**
 * A streaming histogram with equal-width bins anchored at 0, for histogram-based calibration
 * (percentile, MSE and entropy observers; Migacz 2017 uses 2048 bins of |x|).
 *
 * <p><b>Bins.</b> Bin {@code k} (an integer, possibly negative) covers {@code [k w, (k+1) w)}; the
 * topmost bin also includes its upper edge. A {@link Kind#MAGNITUDE} histogram counts {@code |x|}
 * (bins 0, 1, ...); a {@link Kind#SIGNED} histogram counts {@code x}.
 *
 * <p><b>Width and growth (no re-binning error).</b> The first batch with a non-zero value fixes
 * the width: {@code w = max|x| / bins} (magnitude) or {@code w = (max(x, 0) - min(x, 0)) / bins}
 * (signed), so it is covered by {@code bins} bins (one more if the division is inexact). Later
 * values outside the covered bins append empty bins of the same width, as NVIDIA's
 * pytorch-quantization {@code HistogramCalibrator} does: counts are never redistributed or
 * interpolated. If the histogram would exceed {@code maxBins}, adjacent bins are merged in pairs
 * ({@code w -> 2w}, bin {@code k -> floor(k / 2)}); because edges sit at multiples of {@code w}
 * this merge is exact too, it only halves the resolution. Zeros seen before any non-zero value are
 * held back and placed in bin 0 ({@code [0, w)}) once the width is known; if only zeros were ever
 * seen the histogram has width 0 and a single bin.
 *
 * <p>It also keeps the exact minimum and maximum of the raw values.
 */
public final class Histogram {
    /** TensorRT's bin count. */
    public static final int DEFAULT_BINS = 2048;

    /** What is counted. */
    public enum Kind {
        /** Counts {@code |x|}, bins from 0 upwards. */
        MAGNITUDE,
        /** Counts {@code x}, bins on both sides of 0. */
        SIGNED
    }

    private final Kind kind;
    private final int initialBins;
    private final int maxBins;
    private double width;
    private long firstBin;
    private long[] counts = new long[0];
    private long pendingZeros;
    private long total;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;

    /**
     * @param kind what to count
     * @param initialBins bins covering the first non-zero batch (at least 2)
     * @param maxBins most bins before pairs are merged (at least {@code initialBins + 1})
     */
    public Histogram(Kind kind, int initialBins, int maxBins) {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        if (initialBins < 2 || maxBins <= initialBins) {
            throw new IllegalArgumentException("need initialBins >= 2 and maxBins > initialBins, got " + initialBins + " and " + maxBins);
        }
        this.kind = kind;
        this.initialBins = initialBins;
        this.maxBins = maxBins;
    }

    /** {@code bins} initial bins, growing up to {@code 4 * bins} before merging. */
    public Histogram(Kind kind, int bins) {
        this(kind, bins, 4 * bins);
    }

    /**
     * Largest magnitude accepted: float32's largest value. Calibration data are float32 tensors;
     * a span beyond about 1e308 would overflow the bin arithmetic of doubles.
     */
    public static final double MAX_MAGNITUDE = Float.MAX_VALUE;

    /**
     * Smallest bin width: the smallest normal double. A first batch of values below about
     * {@code 1e-305} would otherwise give {@code max / bins = 0} (or a subnormal that scales
     * badly) and no growth step could ever widen it; such values all land in one bin instead.
     */
    static final double MIN_WIDTH = Double.MIN_NORMAL;

    /** Adds values (finite, magnitude at most {@link #MAX_MAGNITUDE}; observers check that). */
    public void add(double[] values) {
        if (values.length == 0) {
            return;
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("histogram values must be finite, got " + v);
            }
            if (Math.abs(v) > MAX_MAGNITUDE) {
                throw new IllegalArgumentException("histogram values must lie within float32's range (|x| <= " + MAX_MAGNITUDE
                        + "), got " + v + "; calibration data are float32 activations or weights");
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
            double t = transform(v);
            lo = Math.min(lo, t);
            hi = Math.max(hi, t);
        }
        total += values.length;
        if (width == 0) {
            if (lo == 0 && hi == 0) {
                pendingZeros += values.length;
                return;
            }
            double span = Math.max(hi, 0) - Math.min(lo, 0);
            width = Math.max(span / initialBins, MIN_WIDTH);
            counts = new long[0];
            ensureCovered(Math.min(lo, 0), Math.max(hi, 0));
            long zeroBin = Math.max(firstBin, Math.min(firstBin + counts.length - 1, 0));
            counts[(int) (zeroBin - firstBin)] += pendingZeros;
            pendingZeros = 0;
        } else {
            ensureCovered(lo, hi);
        }
        long last = firstBin + counts.length - 1;
        for (double v : values) {
            long k = (long) Math.floor(transform(v) / width);
            k = Math.max(firstBin, Math.min(last, k));
            counts[(int) (k - firstBin)]++;
        }
    }

    private double transform(double v) {
        return kind == Kind.MAGNITUDE ? Math.abs(v) : v;
    }

    /** Grows (and if needed merges) the bins so that [lo, hi] is covered. */
    private void ensureCovered(double lo, double hi) {
        boolean fresh = counts.length == 0;
        long oldLast = firstBin + counts.length - 1;
        double lowEdge = fresh ? lo : Math.min(lo, firstBin * width);
        double highEdge = fresh ? hi : Math.max(hi, (oldLast + 1) * width);
        int shift = 0;
        while ((highEdge - lowEdge) / Math.scalb(width, shift) > maxBins) {
            shift++; // coarse pre-merge in floating point, so the bin indices below cannot overflow
        }
        double w = Math.scalb(width, shift);
        long needFirst = (long) Math.floor(lo / w);
        long needLast = Math.max(needFirst, (long) Math.ceil(hi / w) - 1);
        long first = fresh ? needFirst : Math.min(firstBin >> shift, needFirst);
        long last = fresh ? needLast : Math.max(oldLast >> shift, needLast);
        while (last - first + 1 > maxBins) {
            first = Math.floorDiv(first, 2);
            last = Math.floorDiv(last, 2);
            shift++;
        }
        if (!fresh && shift == 0 && first == firstBin && last == oldLast) {
            return;
        }
        long[] grown = new long[(int) (last - first + 1)];
        for (int i = 0; i < counts.length; i++) {
            long k = (firstBin + i) >> shift;
            grown[(int) (k - first)] += counts[i];
        }
        width = Math.scalb(width, shift);
        counts = grown;
        firstBin = first;
    }

    /** What is counted. */
    public Kind kind() {
        return kind;
    }

    /** Current bin width (0 if only zeros were seen). */
    public double binWidth() {
        return width;
    }

    /** Number of bins. */
    public int bins() {
        return width == 0 ? (total == 0 ? 0 : 1) : counts.length;
    }

    /** Integer index {@code k} of the first bin; it covers {@code [k w, (k+1) w)}. */
    public long firstBinIndex() {
        return width == 0 ? 0 : firstBin;
    }

    /** Count in the i-th stored bin, {@code 0 <= i < bins()}. */
    public long count(int i) {
        return counts()[i];
    }

    /** All bin counts, first bin first (a copy). */
    public long[] counts() {
        return width == 0 ? (total == 0 ? new long[0] : new long[] {pendingZeros}) : counts.clone();
    }

    /** Lower edge of the i-th stored bin. */
    public double lowerEdge(int i) {
        return (firstBinIndex() + i) * width;
    }

    /** Centre of the i-th stored bin. */
    public double center(int i) {
        return (firstBinIndex() + i + 0.5) * width;
    }

    /** Upper edge of the last bin. */
    public double upperEdge() {
        return (firstBinIndex() + bins()) * width;
    }

    /** Number of values added. */
    public long total() {
        return total;
    }

    /** Exact minimum of the raw (untransformed) values, +inf before any value. */
    public double min() {
        return min;
    }

    /** Exact maximum of the raw (untransformed) values, -inf before any value. */
    public double max() {
        return max;
    }

    /**
     * The value below which a fraction {@code f} of the counted values lies, interpolating linearly
     * inside the bin where the cumulative count reaches {@code f * total} (accurate to one bin
     * width); clamped to the exact extremes of the counted (transformed) values.
     */
    public double quantile(double f) {
        if (!(f >= 0 && f <= 1)) {
            throw new IllegalArgumentException("fraction must be in [0, 1], got " + f);
        }
        if (total == 0) {
            throw new IllegalStateException("empty histogram has no quantiles");
        }
        double tMax = kind == Kind.MAGNITUDE ? Math.max(Math.abs(min), Math.abs(max)) : max;
        double tMin = kind == Kind.MAGNITUDE ? ((min <= 0 && max >= 0) ? 0 : Math.min(Math.abs(min), Math.abs(max))) : min;
        if (width == 0) {
            return 0;
        }
        double target = f * total;
        double cum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0 && cum + counts[i] >= target) {
                double q = lowerEdge(i) + width * (target - cum) / counts[i];
                return Math.max(tMin, Math.min(tMax, q));
            }
            cum += counts[i];
        }
        return tMax;
    }

    @Override
    public String toString() {
        return "Histogram[" + kind + ", " + bins() + " bins of width " + width + " from " + lowerEdge(0) + ", total " + total
                + ", counts " + (bins() <= 16 ? Arrays.toString(counts()) : "...") + "]";
    }
}
