package org.squeeze4j.quant.ptq;

import java.util.Objects;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Rint;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.squeeze4j.quant.QParams;
import org.squeeze4j.quant.QuantSpec;
import org.squeeze4j.quant.Quantizer;

/**
 * An activation function that fake-quantizes the layer's output, {@code fq(act(z))}, or, for the
 * output layer, its pre-activation, {@code act(fq(z))} (so softmax sees quantized logits as in the
 * integer engine). {@code fq} is {@link Quantizer#fakeQuantize}'s formula on an unsigned affine grid of
 * {@code bits} bits with the calibrated scale and zero point:
 * {@code fq(x) = s (clip(round(x / s + z), 0, 2^b - 1) - z)}.
 *
 * <p>Inference only: the rounding has zero gradient almost everywhere and PTQ does not train, so
 * {@link #backprop} refuses (quantization-aware training is {@code quant.qat}'s job). Serializes to
 * JSON with the wrapped activation, so a fake-quantized network round-trips through
 * {@code ModelSerializer}.
 */
public final class ActivationFakeQuant extends BaseActivationFunction {
    @JsonProperty
    private IActivation inner;
    @JsonProperty
    private int bits;
    @JsonProperty
    private double scale;
    @JsonProperty
    private int zeroPoint;
    @JsonProperty
    private boolean beforeActivation;

    /** For JSON. */
    public ActivationFakeQuant() {
    }

    /**
     * @param inner the layer's own activation
     * @param bits unsigned grid width 2..8
     * @param qparams per-tensor scale and zero point from calibration
     * @param beforeActivation quantize the pre-activation (output layer) instead of the output
     */
    public ActivationFakeQuant(IActivation inner, int bits, QParams qparams, boolean beforeActivation) {
        if (inner == null || qparams == null || qparams.isPerChannel()) {
            throw new IllegalArgumentException("need the wrapped activation and per-tensor qparams, got " + inner + ", " + qparams);
        }
        QuantSpec spec = QuantSpec.affine(bits, false);
        if (qparams.zeroPoint() < spec.qmin() || qparams.zeroPoint() > spec.qmax()) {
            throw new IllegalArgumentException("zero point " + qparams.zeroPoint() + " is outside " + spec);
        }
        this.inner = inner;
        this.bits = bits;
        this.scale = qparams.scale();
        this.zeroPoint = qparams.zeroPoint();
        this.beforeActivation = beforeActivation;
    }

    /** The wrapped activation. */
    public IActivation inner() {
        return inner;
    }

    /** The grid's scale and zero point. */
    public QParams qparams() {
        return QParams.perTensor(scale, zeroPoint);
    }

    private INDArray fq(INDArray x) {
        return fakeQuantizeInPlace(x, scale, zeroPoint, (1 << bits) - 1);
    }

    /**
     * {@code x <- s (clip(rint(x / s + z), 0, qmax) - z)} in place, in x's own floating type: the same
     * formula as {@link Quantizer#fakeQuantize} (which works in float64 and checks its input), as five
     * in-place ND4J ops, because evaluation runs it on every activation of every test batch. In
     * float32 a value within float rounding of a tie between two codes may round the other way.
     */
    static INDArray fakeQuantizeInPlace(INDArray x, double s, int z, int qmax) {
        x.divi(s).addi(z);
        Nd4j.exec(new Rint(x, x));
        Transforms.max(x, 0, false);
        Transforms.min(x, qmax, false);
        return x.subi(z).muli(s);
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        if (beforeActivation) {
            return inner.getActivation(fq(in), training);
        }
        return fq(inner.getActivation(in, training));
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        throw new UnsupportedOperationException("ActivationFakeQuant is for post-training evaluation only (zero gradient"
                + " almost everywhere); train with quant.qat's fake quantization instead");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActivationFakeQuant a && bits == a.bits && scale == a.scale && zeroPoint == a.zeroPoint
                && beforeActivation == a.beforeActivation && Objects.equals(inner, a.inner);
    }

    @Override
    public int hashCode() {
        return Objects.hash(inner, bits, scale, zeroPoint, beforeActivation);
    }

    @Override
    public String toString() {
        return "fakequant(uint" + bits + ", s=" + (float) scale + ", z=" + zeroPoint + (beforeActivation ? ") then " : ") after ") + inner;
    }
}
