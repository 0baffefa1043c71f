package org.squeeze4j.quant.observe;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.quant.Range;

/**
 * An exponential moving average of the per-batch minimum and maximum, as torch.ao's
 * {@code MovingAverageMinMaxObserver} and the EMA ranges of Jacob et al. 2018 (section 3,
 * activations during training):
 * <pre>
 *   first batch:  min = min(x_1),                   max = max(x_1)
 *   later:        min = min + c (min(x_t) - min),   max = max + c (max(x_t) - max)
 * </pre>
 * with averaging constant {@code c} ({@link #DEFAULT_AVERAGING_CONSTANT} = 0.01, torch.ao's
 * default). Rare extreme batches move the range only a little; the result depends on batch order.
 */
public final class MovingAverageMinMaxObserver implements Observer {
    /** torch.ao's default averaging constant. */
    public static final double DEFAULT_AVERAGING_CONSTANT = 0.01;

    private final double c;
    private double min;
    private double max;
    private long count;
    private long batches;

    /** With the default averaging constant 0.01. */
    public MovingAverageMinMaxObserver() {
        this(DEFAULT_AVERAGING_CONSTANT);
    }

    /** @param averagingConstant weight of the newest batch, in (0, 1] (1 keeps only the last batch) */
    public MovingAverageMinMaxObserver(double averagingConstant) {
        if (!(averagingConstant > 0 && averagingConstant <= 1)) {
            throw new IllegalArgumentException("averaging constant must be in (0, 1], got " + averagingConstant);
        }
        this.c = averagingConstant;
    }

    @Override
    public void observe(INDArray x) {
        Inputs.check(x);
        double bmin = x.minNumber().doubleValue();
        double bmax = x.maxNumber().doubleValue();
        if (batches == 0) {
            min = bmin;
            max = bmax;
        } else {
            min = min + c * (bmin - min);
            max = max + c * (bmax - max);
        }
        batches++;
        count += x.length();
    }

    /** Number of batches averaged so far. */
    public long batches() {
        return batches;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public Range range() {
        if (batches == 0) {
            throw Inputs.noData(this);
        }
        return new Range(min, max);
    }
}
