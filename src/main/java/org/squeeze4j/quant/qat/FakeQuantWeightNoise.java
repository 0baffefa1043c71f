package org.squeeze4j.quant.qat;

import java.util.Objects;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.weightnoise.IWeightNoise;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.models.LayerNode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.squeeze4j.quant.QParams;

/**
 * Fake-quantized weights in DL4J training: {@code W_hat = s clip(rint(W / s), -qmax, qmax)}
 * with one scale per output channel (or one per tensor), symmetric narrow range
 * ({@code qmax = 2^(b-1) - 1}, zero point 0, the grid the integer engine stores).
 *
 * <p>DL4J's weight-noise hook is the right place: {@code BaseLayer.getParamWithNoise} calls
 * {@link #getParameter} for the forward pass and reuses the returned array in backprop, where
 * {@code dL/dW} is computed from the input and the output error only, and applied to the float
 * master weights. That is exactly the straight-through estimator of Bengio et al. 2013 /
 * Jacob et al. 2018 section 3: {@code dL/dW := dL/dW_hat}. DL4J also calls the hook with
 * {@code train = false} at inference, so quantization happens in both cases and the evaluated
 * network is the quantized one. Biases are left in float (the engine keeps them as int32 with
 * scale {@code s_in s_w}: a negligible error at 8 activation bits, not at 4, where {@code s_in} is
 * coarse; see {@code lower.QatConversion}).
 *
 * <p>The range comes from the current weights at every call ({@link WeightRange}); switch fake
 * quantization off with {@link #setEnabled}/{@link QatControl} (then the float weights are used).
 * With {@link WeightRange#MAX_ABS} nothing is clipped, so the STE is exact identity on the
 * gradient; with {@link WeightRange#MEAN_ABS} the few clipped weights still get their gradient
 * (DL4J's hook cannot mask it; the plain STE).
 *
 * <p>Supported layers: {@link DenseLayer}, {@link OutputLayer} (per output neuron, axis 1 of
 * {@code [nIn, nOut]}) and {@link ConvolutionLayer} (per output channel, axis 0 of
 * {@code [out, in, kH, kW]}); others are rejected with the layer's name.
 */
public final class FakeQuantWeightNoise implements IWeightNoise {
    @JsonProperty private int bits = 8;
    @JsonProperty private boolean perChannel = true;
    @JsonProperty private WeightRange range = WeightRange.MAX_ABS;
    @JsonProperty private boolean enabled = true;
    @JsonProperty private boolean rounding = true;

    /** For JSON; 8 bits, per channel, max-abs range. */
    public FakeQuantWeightNoise() {
    }

    public FakeQuantWeightNoise(int bits, boolean perChannel, WeightRange range) {
        if (bits < 2 || bits > 8) {
            throw new IllegalArgumentException("weight bits must be 2..8 (a symmetric narrow grid needs at least 3 levels), got " + bits);
        }
        this.bits = bits;
        this.perChannel = perChannel;
        this.range = Objects.requireNonNull(range, "range");
    }

    public int bits() {
        return bits;
    }

    public boolean perChannel() {
        return perChannel;
    }

    public WeightRange range() {
        return range;
    }

    public boolean isEnabled() {
        return enabled;
    }

    /** Switches fake quantization of the weights on or off (torch.ao's enable/disable_fake_quant). */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /**
     * With rounding off the hook only clips to {@code [-t, t]} (the STE surrogate; identity for
     * {@link WeightRange#MAX_ABS}), for numerical gradient checks.
     */
    public void setRounding(boolean on) {
        this.rounding = on;
    }

    public boolean isRounding() {
        return rounding;
    }

    /** Largest weight code, {@code 2^(b-1) - 1}. */
    public int qmax() {
        return (1 << (bits - 1)) - 1;
    }

    @Override
    public INDArray getParameter(Layer layer, String paramKey, int iteration, int epoch, boolean train,
                                 LayerWorkspaceMgr workspaceMgr) {
        org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
        INDArray p = layer.getParam(paramKey);
        if (!enabled || !conf.initializer().isWeightParam(conf, paramKey)) {
            return p;
        }
        return fakeQuantize(p, axis(conf, layer.getIndex()));
    }

    /** The fake-quantized copy of {@code w} with channels along {@code axis} (1 dense, 0 conv). */
    public INDArray fakeQuantize(INDArray w, int axis) {
        if (!rounding && range == WeightRange.MAX_ABS) {
            return w.dup();       // nothing is clipped: the surrogate is the identity
        }
        if (rounding && w.dataType() == DataType.FLOAT) {
            return fakeQuantizeFloat(w, axis);
        }
        return run(w, axis, null, null);
    }

    /**
     * The scales {@code s = t / qmax}, float32 values floored at {@link QParams#EPS}, one per
     * channel (the same value repeated when per-tensor).
     */
    public double[] scales(INDArray w, int axis) {
        double[] s = new double[(int) w.size(axis)];
        run(w, axis, s, null);
        return s;
    }

    /** The integer weight codes {@code clip(rint(w / s), -qmax, qmax)}, channel-major {@code [channel][rest]}. */
    public byte[] codes(INDArray w, int axis) {
        byte[] c = new byte[(int) w.length()];
        run(w, axis, null, c);
        return c;
    }

    /**
     * The training path (float32 weights, rounding on): the channel-major values are read once
     * into a scratch array (straight from the parameter buffer: a dense {@code [nIn, nOut]} weight is
     * stored 'f', every output column contiguous), then per channel {@code t}, {@code s} and
     * {@code w_hat = rint(clip(w * (1/s), -qmax, qmax)) s} in {@link QuantLoops}, written to one new
     * array. Same values as {@link #run}, which {@link #codes} and {@link #scales} use: on two shared
     * cores ND4J's per-op overhead made the 6-7 ops of the first version (reduction, divide, rint,
     * two clips, multiply, copies) cost about as much as the layer's matrix product.
     */
    private INDArray fakeQuantizeFloat(INDArray w, int axis) {
        char order = axis == 1 ? 'f' : 'c';
        int channels = (int) w.size(axis);
        int len = (int) (w.length() / channels);
        float[] f = FakeQuant.readScratch(w, order, 0);
        double[] t = new double[channels];
        if (range == WeightRange.MAX_ABS) {
            float[] m = new float[channels];
            QuantLoops.best().maxAbs(f, channels, len, m);
            for (int c = 0; c < channels; c++) {
                t[c] = m[c];
            }
        } else {
            for (int c = 0; c < channels; c++) {
                t[c] = meanAbsStat(f, c * len, len);
            }
        }
        double[] sc = scalesFrom(t);
        float[] s = new float[channels];
        for (int c = 0; c < channels; c++) {
            s[c] = (float) sc[c];
        }
        QuantLoops.best().symmetric(f, channels, len, s, qmax());
        return FakeQuant.create(f, w.shape(), order);
    }

    /**
     * {@code s = (float) max(t / qmax, EPS)} per channel from the thresholds {@code t}, merged first
     * into one threshold when per-tensor (the largest for max-abs, the mean for mean-abs).
     */
    private double[] scalesFrom(double[] t) {
        int channels = t.length;
        if (!perChannel) {
            double all = 0;
            for (double v : t) {
                all = range == WeightRange.MAX_ABS ? Math.max(all, v) : all + v / channels;
            }
            java.util.Arrays.fill(t, all);
        }
        double[] s = new double[channels];
        for (int c = 0; c < channels; c++) {
            s[c] = (float) Math.max(t[c] / qmax(), QParams.EPS);
        }
        return s;
    }

    /**
     * The reference pass for scales, codes and the float64 and no-rounding cases: a same-order copy
     * makes every channel a contiguous block ('f' for dense {@code [nIn, nOut]} columns, 'c' for
     * conv {@code [out, ...]}); then per channel {@code t} (max or mean of |w|),
     * {@code s = (float) max(t / qmax, EPS)} and {@code w_hat = s clip(rint(w / s), -qmax, qmax)},
     * with {@code w / s} as {@code w * (float) (1 / s)} for float32 weights.
     */
    private INDArray run(INDArray w, int axis, double[] scalesOut, byte[] codesOut) {
        INDArray c = w.dup(axis == 1 ? 'f' : 'c');
        int channels = (int) w.size(axis);
        int len = (int) (w.length() / channels);
        boolean isFloat = c.dataType() == DataType.FLOAT;
        double[] d = isFloat ? null : FakeQuant.readDouble(c);
        float[] f = isFloat ? FakeQuant.read(c) : null;
        int qmax = qmax();
        double[] t = new double[channels];
        for (int ch = 0; ch < channels; ch++) {
            int from = ch * len;
            t[ch] = isFloat ? (range == WeightRange.MAX_ABS ? ScalarQuantLoops.INSTANCE.maxAbs(f, from, from + len) : meanAbsStat(f, from, len))
                    : absStat(d, from, len);
        }
        double[] sc = scalesFrom(t);
        for (int ch = 0; ch < channels; ch++) {
            if (scalesOut != null) {
                scalesOut[ch] = sc[ch];
            }
            for (int i = ch * len, e = i + len; i < e; i++) {
                double x = isFloat ? (float) (f[i] * (1f / (float) sc[ch])) : d[i] / sc[ch];
                double q = rounding ? Math.max(-qmax, Math.min(qmax, Math.rint(x))) : Math.max(-qmax, Math.min(qmax, x));
                if (codesOut != null) {
                    codesOut[i] = (byte) q;
                }
                if (isFloat) {
                    f[i] = (float) q * (float) sc[ch];
                } else {
                    d[i] = q * sc[ch];
                }
            }
        }
        if (scalesOut != null || codesOut != null) {
            return null;
        }
        if (isFloat) {
            FakeQuant.write(c, f);
        } else {
            FakeQuant.write(c, d);
        }
        return c;
    }

    /** ACIQ's clipping threshold {@code c_b mean|w|}, summed in order in double (a NaN weight makes it NaN). */
    private double meanAbsStat(float[] a, int from, int len) {
        double acc = 0;
        for (int i = from, e = from + len; i < e; i++) {
            acc += Math.abs(a[i]);
        }
        return WeightRange.laplaceClip(bits) * acc / len;
    }

    private double absStat(double[] a, int from, int len) {
        double acc = 0;
        for (int i = from, e = from + len; i < e; i++) {
            acc = range == WeightRange.MAX_ABS ? Math.max(acc, Math.abs(a[i])) : acc + Math.abs(a[i]);
        }
        return range == WeightRange.MAX_ABS ? acc : WeightRange.laplaceClip(bits) * acc / len;
    }

    /** The channel axis of the weight of a supported layer (from the network view); throws naming the layer otherwise. */
    static int axis(org.deeplearning4j.nn.conf.layers.Layer conf, int index) {
        Class<?> c = conf.getClass();
        if (c != DenseLayer.class && c != OutputLayer.class && c != ConvolutionLayer.class) {
            throw new IllegalArgumentException("layer " + index + " (" + conf.getLayerName() + ", " + c.getSimpleName()
                    + ") cannot take fake-quantized weights: FakeQuantWeightNoise handles DenseLayer, OutputLayer and"
                    + " ConvolutionLayer only");
        }
        return LayerNode.outputAxisOf(conf);
    }

    @Override
    public FakeQuantWeightNoise clone() {
        FakeQuantWeightNoise c = new FakeQuantWeightNoise(bits, perChannel, range);
        c.enabled = enabled;
        c.rounding = rounding;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FakeQuantWeightNoise f && bits == f.bits && perChannel == f.perChannel && range == f.range
                && enabled == f.enabled && rounding == f.rounding;
    }

    @Override
    public int hashCode() {
        return Objects.hash(bits, perChannel, range, enabled, rounding);
    }

    @Override
    public String toString() {
        return "FakeQuantWeightNoise(int" + bits + " narrow symmetric, " + (perChannel ? "per-channel" : "per-tensor") + ", "
                + range + (enabled ? "" : ", disabled") + ")";
    }
}
