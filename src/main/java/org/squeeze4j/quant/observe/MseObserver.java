package org.squeeze4j.quant.observe;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.quant.QParams;
import org.squeeze4j.quant.QuantSpec;
import org.squeeze4j.quant.Quantizer;
import org.squeeze4j.quant.Range;

/**
 * Chooses the clipping range that minimises the expected quantization error on the observed data
 * (Nagel et al. 2021, section 3.1 "Mean squared error"; Banner et al. 2019 "Post training 4-bit
 * quantization"; Krishnamoorthi 2018, section 3):
 * <pre>
 *   argmin over candidates [a lo, a hi] of   MSE(a) = sum_i n_i (c_i - fakeQuant_a(c_i))^2 / sum_i n_i
 * </pre>
 * where {@code [lo, hi]} is the observed range widened to contain 0, {@code a = k / K} for
 * {@code k = 1..K} ({@link #DEFAULT_CANDIDATES} = 100 candidates, shrinking both ends by the same
 * factor), {@code n_i} are the counts of a signed {@link Histogram} and {@code c_i} its bin
 * centres (clamped to the exact data extremes): every value in a bin is approximated by the
 * bin's centre. {@code fakeQuant_a} is {@link Quantizer#fakeQuantize(double, double, int, int, int)}
 * with {@code QParams.fromRange(target, candidate)}, so the search is exact for the target grid
 * (bits, signedness, symmetric or affine). On equal loss the wider candidate wins.
 *
 * <p>The search depends on the target grid, which is therefore given to the constructor;
 * {@link #qparams(QuantSpec)} derives qparams from the chosen range for any (per-tensor) spec.
 */
public final class MseObserver implements Observer {
    /** Number of candidate ranges. */
    public static final int DEFAULT_CANDIDATES = 100;

    private final QuantSpec target;
    private final int candidates;
    private final Histogram histogram;

    /** 2048-bin histogram, 100 candidates, optimising for {@code target}. */
    public MseObserver(QuantSpec target) {
        this(target, Histogram.DEFAULT_BINS, DEFAULT_CANDIDATES);
    }

    /** @param target per-tensor grid to optimise for; @param bins initial histogram bins; @param candidates K >= 1 */
    public MseObserver(QuantSpec target, int bins, int candidates) {
        if (target == null || target.isPerChannel()) {
            throw new IllegalArgumentException("MseObserver searches one per-tensor range; give a per-tensor target spec, got " + target);
        }
        if (candidates < 1) {
            throw new IllegalArgumentException("need at least one candidate, got " + candidates);
        }
        this.target = target;
        this.candidates = candidates;
        this.histogram = new Histogram(Histogram.Kind.SIGNED, bins);
    }

    @Override
    public void observe(INDArray x) {
        histogram.add(Inputs.values(x));
    }

    @Override
    public long count() {
        return histogram.total();
    }

    /** The grid the search optimises for. */
    public QuantSpec target() {
        return target;
    }

    /** The histogram collected so far (live, do not modify). */
    public Histogram histogram() {
        return histogram;
    }

    /** Every candidate range with its expected squared error, and the best one. */
    public ThresholdSearch search() {
        if (count() == 0) {
            throw Inputs.noData(this);
        }
        double lo = Math.min(histogram.min(), 0);
        double hi = Math.max(histogram.max(), 0);
        long[] n = histogram.counts();
        double[] c = new double[n.length];
        for (int i = 0; i < n.length; i++) {
            c[i] = Math.max(histogram.min(), Math.min(histogram.max(), histogram.center(i)));
        }
        List<Range> ranges = new ArrayList<>(candidates);
        double[] losses = new double[candidates];
        int best = 0;
        for (int k = 1; k <= candidates; k++) {
            double a = (double) k / candidates;
            Range r = new Range(a * lo, a * hi);
            QParams p = QParams.fromRange(target, r);
            double sum = 0;
            for (int i = 0; i < n.length; i++) {
                if (n[i] != 0) {
                    double e = c[i] - Quantizer.fakeQuantize(c[i], p.scale(), p.zeroPoint(), target.qmin(), target.qmax());
                    sum += n[i] * e * e;
                }
            }
            ranges.add(r);
            losses[k - 1] = sum / histogram.total();
            if (losses[k - 1] <= losses[best]) {
                best = k - 1;
            }
        }
        return new ThresholdSearch(ranges, losses, best);
    }

    @Override
    public Range range() {
        return search().bestRange();
    }
}
