package org.squeeze4j.quant.observe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.quant.Range;

/**
 * Minimum and maximum of every slice along {@code axis}, for per-channel quantization
 * (Krishnamoorthi 2018, section 2.3: per-channel weight ranges recover most of the accuracy lost by
 * per-tensor int8 on depthwise / narrow layers; Nagel et al. 2021, section 2.4):
 * <pre>
 *   min_c = min over all elements with index c in dimension axis,   max_c likewise
 * </pre>
 * Use axis 1 for a DL4J dense weight {@code [nIn, nOut]} (per output neuron) and axis 0 for a
 * convolution weight {@code [out, in, kh, kw]}. Optionally the per-batch extremes are averaged
 * with an EMA as in {@link MovingAverageMinMaxObserver} (torch.ao's
 * {@code MovingAveragePerChannelMinMaxObserver}).
 */
public final class PerChannelMinMaxObserver implements Observer {
    private final int axis;
    private final double averagingConstant;
    private double[] mins;
    private double[] maxs;
    private long count;

    /** Plain running min/max per channel along {@code axis}. */
    public PerChannelMinMaxObserver(int axis) {
        this(axis, 1.0);
    }

    private PerChannelMinMaxObserver(int axis, double averagingConstant) {
        if (axis < 0) {
            throw new IllegalArgumentException("channel axis must be >= 0, got " + axis + "; use MinMaxObserver for per-tensor ranges");
        }
        if (!(averagingConstant > 0 && averagingConstant <= 1)) {
            throw new IllegalArgumentException("averaging constant must be in (0, 1], got " + averagingConstant);
        }
        this.axis = axis;
        this.averagingConstant = averagingConstant;
    }

    /** Per-channel EMA of the batch extremes with averaging constant {@code c} in (0, 1). */
    public static PerChannelMinMaxObserver movingAverage(int axis, double c) {
        if (!(c > 0 && c < 1)) {
            throw new IllegalArgumentException("averaging constant must be in (0, 1), got " + c);
        }
        return new PerChannelMinMaxObserver(axis, c);
    }

    private boolean isMovingAverage() {
        return averagingConstant < 1;
    }

    @Override
    public void observe(INDArray x) {
        Inputs.check(x);
        if (axis >= x.rank()) {
            throw new IllegalArgumentException("channel axis " + axis + " is out of range for a batch of shape "
                    + Arrays.toString(x.shape()));
        }
        INDArray d = x.castTo(DataType.DOUBLE);
        double[] bmin;
        double[] bmax;
        if (x.rank() == 1) {
            bmin = d.toDoubleVector();
            bmax = bmin.clone();
        } else {
            int[] others = new int[x.rank() - 1];
            for (int i = 0, k = 0; i < x.rank(); i++) {
                if (i != axis) {
                    others[k++] = i;
                }
            }
            bmin = d.min(others).toDoubleVector();
            bmax = d.max(others).toDoubleVector();
        }
        if (mins == null) {
            mins = bmin;
            maxs = bmax;
        } else {
            if (bmin.length != mins.length) {
                throw new IllegalArgumentException("observer was calibrated with " + mins.length + " channels along axis " + axis
                        + ", this batch of shape " + Arrays.toString(x.shape()) + " has " + bmin.length);
            }
            for (int c = 0; c < mins.length; c++) {
                if (isMovingAverage()) {
                    mins[c] += averagingConstant * (bmin[c] - mins[c]);
                    maxs[c] += averagingConstant * (bmax[c] - maxs[c]);
                } else {
                    mins[c] = Math.min(mins[c], bmin[c]);
                    maxs[c] = Math.max(maxs[c], bmax[c]);
                }
            }
        }
        count += x.length();
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public int axis() {
        return axis;
    }

    /** Number of channels seen (0 before calibration). */
    public int channels() {
        return mins == null ? 0 : mins.length;
    }

    @Override
    public Range range() {
        throw new IllegalStateException("a per-channel observer has one range per channel (" + channels()
                + " along axis " + axis + "); use ranges()");
    }

    @Override
    public List<Range> ranges() {
        if (mins == null) {
            throw Inputs.noData(this);
        }
        List<Range> out = new ArrayList<>(mins.length);
        for (int c = 0; c < mins.length; c++) {
            out.add(new Range(mins[c], maxs[c]));
        }
        return List.copyOf(out);
    }
}
