package org.squeeze4j.quant.ptq;

import org.squeeze4j.quant.QuantSpec;
import org.squeeze4j.quant.observe.Divergence;
import org.squeeze4j.quant.observe.EntropyObserver;
import org.squeeze4j.quant.observe.Histogram;
import org.squeeze4j.quant.observe.MinMaxObserver;
import org.squeeze4j.quant.observe.MovingAverageMinMaxObserver;
import org.squeeze4j.quant.observe.MseObserver;
import org.squeeze4j.quant.observe.Observer;
import org.squeeze4j.quant.observe.PercentileObserver;

/**
 * The range-setting methods of {@code quant.observe} by name, each able to make a fresh
 * {@link Observer} for a per-tensor target grid (Nagel et al. 2021, section 3.1; Migacz 2017 for
 * the entropy variants). The target matters for the searching observers: MSE searches the range
 * with the least error on exactly that grid, and the entropy observers merge into
 * {@code 2^(b-1)} levels of |x| for signed grids (TensorRT's 128 for int8) or {@code 2^b} for
 * unsigned ones (all 256 uint8 codes cover a one-tailed ReLU output).
 */
public enum Calibrator {
    /** Running min and max: covers everything, one outlier stretches the grid. */
    MIN_MAX,
    /** Exponential moving average of per-batch extremes (constant 0.01, torch.ao's default). */
    MOVING_AVERAGE,
    /** 99.99th percentile: of |x| for symmetric grids, both tails for affine ones. */
    PERCENTILE,
    /** Least mean squared quantization error over 100 shrunken ranges (histogram of 2048 bins). */
    MSE,
    /** TensorRT entropy calibration, KL divergence. */
    KL,
    /** Entropy calibration with the symmetric KL divergence {@code KL(P||Q) + KL(Q||P)}. */
    SYMMETRIC_KL,
    /** Entropy calibration with the Jensen-Shannon divergence. */
    JS;

    /** The method's name for people, as tables and charts show it: "min-max", "symmetric KL". */
    public String label() {
        return switch (this) {
            case MIN_MAX -> "min-max";
            case MOVING_AVERAGE -> "moving average";
            case PERCENTILE -> "percentile";
            case MSE -> "MSE";
            case KL -> "KL";
            case SYMMETRIC_KL -> "symmetric KL";
            case JS -> "JS";
        };
    }

    /** A fresh observer aiming at the per-tensor grid {@code target}. */
    public Observer create(QuantSpec target) {
        if (target == null) {
            throw new IllegalArgumentException("target spec must not be null");
        }
        QuantSpec t = target.perTensor();
        int levels = t.signed() ? 1 << (t.bits() - 1) : 1 << t.bits();
        return switch (this) {
            case MIN_MAX -> new MinMaxObserver();
            case MOVING_AVERAGE -> new MovingAverageMinMaxObserver(0.01);
            case PERCENTILE -> new PercentileObserver(99.99,
                    t.symmetric() ? PercentileObserver.Mode.MAGNITUDE : PercentileObserver.Mode.VALUES);
            case MSE -> new MseObserver(t);
            case KL -> new EntropyObserver(Histogram.DEFAULT_BINS, levels, Divergence.KL);
            case SYMMETRIC_KL -> new EntropyObserver(Histogram.DEFAULT_BINS, levels, Divergence.SYMMETRIC_KL);
            case JS -> new EntropyObserver(Histogram.DEFAULT_BINS, levels, Divergence.JENSEN_SHANNON);
        };
    }
}
