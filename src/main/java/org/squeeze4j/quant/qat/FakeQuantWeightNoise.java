package org.squeeze4j.quant.qat;

import java.util.Objects;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.weightnoise.IWeightNoise;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
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
 * scale {@code s_in s_w}, a negligible error).
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
        INDArray s = scales(w, axis);
        if (!rounding) {
            INDArray w2 = w.rank() == 2 ? w.dup() : w.reshape('c', w.size(0), w.length() / w.size(0)).dup();
            INDArray t = s.mul(qmax());
            INDArray out = axis == 1 ? org.nd4j.linalg.ops.transforms.Transforms.min(w2, t.broadcast(w2.shape()), false)
                    : org.nd4j.linalg.ops.transforms.Transforms.min(w2, t.broadcast(w2.shape()), false);
            out = org.nd4j.linalg.ops.transforms.Transforms.max(out, t.neg().broadcast(w2.shape()), false);
            return out.reshape('c', w.shape());
        }
        if (axis == 0 && w.rank() != 2) {
            INDArray w2 = w.reshape('c', w.size(0), w.length() / w.size(0));
            return FakeQuant.perChannel(w2, s, 0, qmax()).reshape('c', w.shape());
        }
        return FakeQuant.perChannel(w, s, axis, qmax());
    }

    /**
     * The scales {@code s = t / qmax}, float32 values floored at {@link QParams#EPS}, as a vector
     * in w's data type: {@code [1, nOut]} for a dense weight (axis 1), {@code [out, 1]} for a conv
     * weight (axis 0); per-tensor: the same value repeated.
     */
    public INDArray scales(INDArray w, int axis) {
        INDArray w2 = w.rank() == 2 ? w : w.reshape('c', w.size(0), w.length() / w.size(0));
        INDArray t;
        int reduce = axis == 1 ? 0 : 1;
        if (perChannel) {
            t = range == WeightRange.MAX_ABS ? w2.amax(reduce)
                    : w2.norm1(reduce).muli(WeightRange.laplaceClip(bits) / w2.size(reduce));   // mean |w| (amean(dim) reduces everything)
        } else {
            double v = range == WeightRange.MAX_ABS ? w2.amaxNumber().doubleValue()
                    : w2.ameanNumber().doubleValue() * WeightRange.laplaceClip(bits);
            t = org.nd4j.linalg.factory.Nd4j.valueArrayOf(w2.size(axis), v).castTo(w.dataType());
        }
        t.divi(qmax());
        Transforms.max(t, QParams.EPS, false);
        t = FakeQuant.toFloat32Values(t);
        return axis == 1 ? t.reshape(1, t.length()) : t.reshape(t.length(), 1);
    }

    /** The channel axis of the weight of a supported layer; throws naming the layer otherwise. */
    static int axis(org.deeplearning4j.nn.conf.layers.Layer conf, int index) {
        Class<?> c = conf.getClass();
        if (c == DenseLayer.class || c == OutputLayer.class) {
            return 1;
        }
        if (c == ConvolutionLayer.class) {
            return 0;
        }
        throw new IllegalArgumentException("layer " + index + " (" + conf.getLayerName() + ", " + c.getSimpleName()
                + ") cannot take fake-quantized weights: FakeQuantWeightNoise handles DenseLayer, OutputLayer and"
                + " ConvolutionLayer only");
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
