package org.squeeze4j.quant.qat;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.clip.ClipByValue;
import org.nd4j.linalg.factory.Nd4j;

/** The runtime of {@link PactLayer}: forward {@code s rint(clip(x, 0, alpha) / s)}, backward the STE of PACT. */
public class PactLayerImpl extends BaseLayer<PactLayer> {

    public PactLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    /** The current clipping level. */
    public double alpha() {
        return getParam(PactLayer.ALPHA).getDouble(0);
    }

    /** The grid step {@code alpha / (2^b - 1)} as a float32 value: what the integer engine stores. */
    public double scale() {
        return scale(alpha(), layerConf().qmax());
    }

    static double scale(double alpha, int qmax) {
        return (float) (Math.max(alpha, 1e-6) / qmax);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        double alpha = alpha();
        if (!(alpha > 0)) {
            throw new IllegalStateException("PACT layer " + layerId() + ": alpha became " + alpha
                    + "; lower the learning rate or add L2 on alpha");
        }
        INDArray y = mgr.dup(ArrayType.ACTIVATIONS, input, input.ordering());
        FakeQuant.clipInPlace(y, 0.0, alpha);
        if (layerConf().isFakeQuantEnabled()) {
            FakeQuant.perTensorInPlace(y, scale(alpha, layerConf().qmax()), 0, 0, layerConf().qmax());
        }
        return y;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        double alpha = alpha();
        INDArray x = input;
        DataType dt = epsilon.dataType();
        INDArray above = x.gte(alpha).castTo(dt);                     // 1{x >= alpha}
        INDArray inside = x.gt(0.0).castTo(dt).subi(above);            // 1{0 < x < alpha}
        INDArray dAlpha = epsilon.mul(above).sum().reshape(1, 1);
        INDArray dx = mgr.leverageTo(ArrayType.ACTIVATION_GRAD, epsilon.mul(inside));
        gradientViews.get(PactLayer.ALPHA).assign(dAlpha);
        Gradient g = new DefaultGradient();
        g.setGradientFor(PactLayer.ALPHA, gradientViews.get(PactLayer.ALPHA));
        return new Pair<>(g, dx);
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }
}
