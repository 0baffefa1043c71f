package org.squeeze4j.quant.observe;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.quant.Range;

/**
 * Clips the range at a percentile of the observed data, ignoring the rarest extreme values
 * (Nagel et al. 2021, section 3.1; McKinstry et al. 2019; e.g. 99.99 %):
 * <pre>
 *   MAGNITUDE:  t = P_p(|x|),  range = [-t, t] (or [0, t] if no negative value was seen)
 *   VALUES:     range = [P_(100-p)(x), P_p(x)]
 * </pre>
 * <b>Exact on small inputs:</b> while at most {@code exactLimit} values have been observed (default
 * 2^20) they are all kept and {@code P_p} is the linear interpolation between order statistics at
 * position {@code p/100 (n - 1)} (numpy's default "linear" method). Beyond that the values are
 * dropped and {@code P_p} comes from a {@link Histogram} of {@link Histogram#DEFAULT_BINS} bins
 * (linear interpolation inside the bin; accurate to one bin width).
 */
public final class PercentileObserver implements Observer {
    /** Values kept for the exact percentile. */
    public static final int DEFAULT_EXACT_LIMIT = 1 << 20;

    /** What the percentile is taken of. */
    public enum Mode {
        /** Percentile of |x|, symmetric range. */
        MAGNITUDE,
        /** Lower and upper percentile of x, asymmetric range. */
        VALUES
    }

    private final double percentile;
    private final Mode mode;
    private final int exactLimit;
    private final Histogram histogram;
    private double[] kept = new double[1024];
    private int keptCount;
    private boolean exact = true;

    /** Percentile {@code p} in (50, 100] of |x| or x, exact up to 2^20 values. */
    public PercentileObserver(double p, Mode mode) {
        this(p, mode, DEFAULT_EXACT_LIMIT);
    }

    /** As above with a chosen limit for the exact mode (0 = always use the histogram). */
    public PercentileObserver(double p, Mode mode, int exactLimit) {
        if (!(p > 50 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (50, 100], e.g. 99.99, got " + p);
        }
        if (mode == null || exactLimit < 0) {
            throw new IllegalArgumentException("need a mode and exactLimit >= 0");
        }
        this.percentile = p;
        this.mode = mode;
        this.exactLimit = exactLimit;
        this.histogram = new Histogram(mode == Mode.MAGNITUDE ? Histogram.Kind.MAGNITUDE : Histogram.Kind.SIGNED,
                Histogram.DEFAULT_BINS);
    }

    @Override
    public void observe(INDArray x) {
        double[] v = Inputs.values(x);
        histogram.add(v);
        if (exact && (long) keptCount + v.length <= exactLimit) {
            if (keptCount + v.length > kept.length) {
                kept = Arrays.copyOf(kept, Math.max(2 * kept.length, keptCount + v.length));
            }
            System.arraycopy(v, 0, kept, keptCount, v.length);
            keptCount += v.length;
        } else {
            exact = false;
            kept = null;
        }
    }

    /** True while the percentile is computed from all kept values rather than the histogram. */
    public boolean isExact() {
        return exact;
    }

    @Override
    public long count() {
        return histogram.total();
    }

    @Override
    public Range range() {
        if (count() == 0) {
            throw Inputs.noData(this);
        }
        if (mode == Mode.MAGNITUDE) {
            double t = exact ? exactPercentile(true, percentile) : histogram.quantile(percentile / 100);
            return histogram.min() < 0 ? Range.symmetric(t) : new Range(0, t);
        }
        double lo = exact ? exactPercentile(false, 100 - percentile) : histogram.quantile(1 - percentile / 100);
        double hi = exact ? exactPercentile(false, percentile) : histogram.quantile(percentile / 100);
        return new Range(lo, hi);
    }

    private double exactPercentile(boolean magnitude, double p) {
        double[] v = Arrays.copyOf(kept, keptCount);
        if (magnitude) {
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.abs(v[i]);
            }
        }
        Arrays.sort(v);
        double pos = p / 100 * (v.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return v[lo] + (pos - lo) * (v[hi] - v[lo]);
    }
}
