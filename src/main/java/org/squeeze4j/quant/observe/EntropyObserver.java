package org.squeeze4j.quant.observe;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.quant.Range;

/**
 * Entropy (KL) calibration following the TensorRT procedure (Szymon Migacz, "8-bit Inference with
 * TensorRT", GTC 2017): choose the threshold whose clipped-and-quantized distribution of |x|
 * loses the least information.
 * <pre>
 *   histogram of |x| with B bins of width w (2048 at first; see {@link Histogram} for growth)
 *   for i in levels .. B-1:                               (TensorRT: range(128, 2048))
 *       P = bins[0 .. i-1];  P[i-1] += sum(bins[i ..])    (outliers folded into the last kept bin)
 *       merge bins[0 .. i-1] (without the outliers) into `levels` groups of n = floor(i / levels)
 *       consecutive bins, the last group also taking the i mod levels remaining bins
 *       Q[j] = (sum of j's group) / (number of bins of j's group where P != 0)  if P[j] != 0, else 0
 *       smooth P and Q, normalise, divergence[i] = D(P || Q)  (KL by default, see {@link Divergence})
 *   m = argmin divergence (first on ties);  threshold t = (m + 0.5) w, capped at max|x|
 *   range = [-t, t], or [0, t] if no negative value was observed
 * </pre>
 * {@code levels} is 128 for signed int8 (2^(b-1) magnitudes). The grouping is that of the open
 * reference implementations of the procedure (MXNet's and TVM's {@code _get_optimal_threshold});
 * spreading the remainder over the groups instead (bin j in group {@code floor(j levels / i)})
 * merges the zero spike of ReLU outputs with its neighbour and can move the threshold by half. Smoothing,
 * as in those implementations: every zero entry gets {@code 1e-4} (in counts), taken evenly from
 * the non-zero entries; this keeps Q positive where P is (Q is 0 there when a group holds only
 * the folded-in outliers). A candidate whose smoothing fails (nothing non-zero, or entries driven
 * to 0) gets divergence +inf; if all are +inf the largest threshold is chosen. With fewer than
 * {@code levels + 1} bins there is nothing to search and the threshold is max|x|.
 *
 * <p>Note on the threshold: P keeps bins {@code 0..m-1}, whose top edge is {@code m w}; the
 * slides' {@code (m + 0.5) w} lies half a bin above it and is kept here as published. NVIDIA's
 * pytorch-quantization uses {@code m w}, fractional group boundaries and no smoothing.
 */
public final class EntropyObserver implements Observer {
    /** Quantized levels of |x| for int8. */
    public static final int DEFAULT_LEVELS = 128;
    static final double SMOOTHING_EPS = 1e-4;

    private final int levels;
    private final Divergence divergence;
    private final Histogram histogram;

    /** TensorRT's settings: 2048 bins, 128 levels, KL. */
    public EntropyObserver() {
        this(Histogram.DEFAULT_BINS, DEFAULT_LEVELS, Divergence.KL);
    }

    /** 2048 bins and 128 levels with another divergence. */
    public EntropyObserver(Divergence divergence) {
        this(Histogram.DEFAULT_BINS, DEFAULT_LEVELS, divergence);
    }

    /**
     * @param bins initial histogram bins (more than {@code levels})
     * @param levels quantized levels of |x| (at least 1)
     * @param divergence how P and Q are compared
     */
    public EntropyObserver(int bins, int levels, Divergence divergence) {
        if (levels < 1 || bins <= levels) {
            throw new IllegalArgumentException("need levels >= 1 and bins > levels, got " + bins + " bins and " + levels + " levels");
        }
        if (divergence == null) {
            throw new IllegalArgumentException("divergence must not be null");
        }
        this.levels = levels;
        this.divergence = divergence;
        this.histogram = new Histogram(Histogram.Kind.MAGNITUDE, bins);
    }

    @Override
    public void observe(INDArray x) {
        histogram.add(Inputs.values(x));
    }

    @Override
    public long count() {
        return histogram.total();
    }

    /** The |x| histogram collected so far (live, do not modify). */
    public Histogram histogram() {
        return histogram;
    }

    /** Every candidate threshold (as a range) with its divergence, and the chosen one. */
    public ThresholdSearch search() {
        if (count() == 0) {
            throw Inputs.noData(this);
        }
        double maxAbs = Math.max(Math.abs(histogram.min()), Math.abs(histogram.max()));
        long[] bins = histogram.counts();
        double w = histogram.binWidth();
        if (w == 0 || bins.length <= levels) {
            return new ThresholdSearch(List.of(rangeFor(maxAbs)), new double[] {0}, 0);
        }
        long[] suffix = new long[bins.length + 1];
        for (int j = bins.length - 1; j >= 0; j--) {
            suffix[j] = suffix[j + 1] + bins[j];
        }
        List<Range> ranges = new ArrayList<>();
        double[] losses = new double[bins.length - levels];
        int best = -1;
        for (int i = levels; i < bins.length; i++) {
            int k = i - levels;
            losses[k] = divergenceAt(bins, suffix, i);
            ranges.add(rangeFor(Math.min((i + 0.5) * w, maxAbs)));
            if (losses[k] < Double.POSITIVE_INFINITY && (best < 0 || losses[k] < losses[best])) {
                best = k;
            }
        }
        return new ThresholdSearch(ranges, losses, best < 0 ? losses.length - 1 : best);
    }

    private double divergenceAt(long[] bins, long[] suffix, int i) {
        double[] p = new double[i];
        for (int j = 0; j < i; j++) {
            p[j] = bins[j];
        }
        p[i - 1] += suffix[i];
        int merged = i / levels;
        double[] q = new double[i];
        for (int g = 0; g < levels; g++) {
            int start = g * merged;
            int stop = g == levels - 1 ? i : start + merged;
            double sum = 0;
            int nonZero = 0;
            for (int j = start; j < stop; j++) {
                sum += bins[j];
                nonZero += p[j] != 0 ? 1 : 0;
            }
            for (int j = start; j < stop; j++) {
                q[j] = p[j] != 0 ? sum / nonZero : 0;
            }
        }
        if (!smoothAndNormalize(p) || !smoothAndNormalize(q)) {
            return Double.POSITIVE_INFINITY;
        }
        return divergence.between(p, q);
    }

    /** MXNet-style smoothing of counts (zeros get eps, taken evenly from non-zeros), then normalisation. */
    static boolean smoothAndNormalize(double[] h) {
        int zeros = 0;
        for (double v : h) {
            if (v == 0) {
                zeros++;
            }
        }
        int nonZeros = h.length - zeros;
        if (nonZeros == 0) {
            return false;
        }
        double take = SMOOTHING_EPS * zeros / nonZeros;
        double sum = 0;
        for (int j = 0; j < h.length; j++) {
            h[j] = h[j] == 0 ? SMOOTHING_EPS : h[j] - take;
            if (h[j] <= 0) {
                return false;
            }
            sum += h[j];
        }
        for (int j = 0; j < h.length; j++) {
            h[j] /= sum;
        }
        return true;
    }

    private Range rangeFor(double t) {
        return histogram.min() < 0 ? Range.symmetric(t) : new Range(0, t);
    }

    @Override
    public Range range() {
        return search().bestRange();
    }
}
