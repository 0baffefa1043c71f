package org.squeeze4j.quant.observe;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.quant.Range;

/**
 * The running minimum and maximum of everything observed:
 * {@code min = min over batches of min(x)}, {@code max = max over batches of max(x)}.
 * The simplest range setting (Jacob et al. 2018 for weights; Krishnamoorthi 2018, section 3;
 * Nagel et al. 2021, section 3.1 "Min-max"); it covers every value, so one outlier stretches the
 * grid. The result does not depend on the order or batching of the data.
 */
public final class MinMaxObserver implements Observer {
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private long count;

    @Override
    public void observe(INDArray x) {
        Inputs.check(x);
        min = Math.min(min, x.minNumber().doubleValue());
        max = Math.max(max, x.maxNumber().doubleValue());
        count += x.length();
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public Range range() {
        if (count == 0) {
            throw Inputs.noData(this);
        }
        return new Range(min, max);
    }
}
