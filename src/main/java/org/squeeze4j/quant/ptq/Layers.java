package org.squeeze4j.quant.ptq;

import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.NetworkView;

/** Package helpers over DL4J layers: which are supported, names for messages, pre-activations. */
final class Layers {
    private Layers() {
    }

    /** Layer {@code i}'s configuration. */
    static org.deeplearning4j.nn.conf.layers.Layer conf(MultiLayerNetwork net, int i) {
        return net.getLayerWiseConfigurations().getConf(i).getLayer();
    }

    /** "layer 2 (dense1, DenseLayer)" for error messages. */
    static String describe(MultiLayerNetwork net, int i) {
        org.deeplearning4j.nn.conf.layers.Layer c = conf(net, i);
        return "layer " + i + " (" + c.getLayerName() + ", " + c.getClass().getSimpleName() + ")";
    }

    /** Dense, output or (plain) convolution layer: has a weight to quantize (by the network view's kind). */
    static boolean isWeighted(MultiLayerNetwork net, int i) {
        LayerKind k = NetworkView.of(net).nodes().get(i).kind();
        return k == LayerKind.DENSE || k == LayerKind.OUTPUT || k == LayerKind.CONV;
    }

    /** The output-channel axis of layer i's weight, from the network view: 1 for dense {@code [nIn, nOut]}, 0 for conv. */
    static int outAxis(MultiLayerNetwork net, int i) {
        return NetworkView.of(net).nodes().get(i).outputAxis();
    }

    /** Rejects layers PTQ does not know, naming the first one; BN gets a hint to fold it first. */
    static void requireSupported(MultiLayerNetwork net) {
        if (net == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        for (int i = 0; i < net.getnLayers(); i++) {
            org.deeplearning4j.nn.conf.layers.Layer c = conf(net, i);
            if (c instanceof BatchNormalization) {
                throw new IllegalArgumentException(describe(net, i) + " is batch normalization; fold it into the preceding"
                        + " layer first with BatchNormFolding.fold(net)");
            }
            if (!isWeighted(net, i) && c.getClass() != SubsamplingLayer.class) {
                throw new IllegalArgumentException(describe(net, i) + " is not supported by post-training quantization;"
                        + " supported are DenseLayer, OutputLayer, ConvolutionLayer and SubsamplingLayer");
            }
        }
    }

    /** Rejects NaN or infinite parameters, naming the layer and parameter. */
    static void requireFinite(org.deeplearning4j.nn.api.Model net) {
        for (org.squeeze4j.models.LayerNode n : org.squeeze4j.models.NetworkView.of(net).nodes()) {
            if (n.layer() == null) {
                continue;
            }
            for (Map.Entry<String, INDArray> e : n.layer().paramTable().entrySet()) {
                INDArray p = e.getValue();
                if (p.length() > 0 && (p.isNaN().any() || p.isInfinite().any())) {
                    throw new IllegalArgumentException("layer " + n.describe() + " parameter '" + e.getKey()
                            + "' contains NaN or infinite values; the network is broken (diverged training?), retrain or reload it");
                }
            }
        }
    }

    /** Layer {@code i}'s input after its preprocessor, given the previous layer's output. */
    static INDArray preprocessed(MultiLayerNetwork net, int i, INDArray input) {
        InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(i);
        return pre == null ? input : pre.preProcess(input, (int) input.size(0), LayerWorkspaceMgr.noWorkspaces());
    }

    /** {@code x W + b} (or the convolution) of layer {@code i} without its activation, on the previous layer's output. */
    static INDArray preOutput(MultiLayerNetwork net, int i, INDArray input) {
        Layer layer = net.getLayer(i);
        BaseLayer c = (BaseLayer) layer.conf().getLayer();
        IActivation saved = c.getActivationFn();
        c.setActivationFn(new ActivationIdentity());
        try {
            return layer.activate(preprocessed(net, i, input), false, LayerWorkspaceMgr.noWorkspaces()).dup();
        } finally {
            c.setActivationFn(saved);
        }
    }

    /**
     * A view of output channel {@code c} of a weight: column c of a dense {@code [nIn, nOut]}, filter c of a
     * conv {@code [out, in, kh, kw]} (as a row of the {@code [out, in kh kw]} view; parameter arrays are
     * contiguous, so the reshape is a view and writes go to the network).
     */
    static INDArray outChannel(INDArray w, int c) {
        if (w.rank() == 2) {
            return w.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(c));
        }
        INDArray flat = w.reshape('c', w.size(0), w.length() / w.size(0));
        return flat.getRow(c);
    }

    /** Per-channel mean of {@code x} over every dimension but 1 (features of [n, f], channels of [n, c, h, w]). */
    static INDArray channelMean(INDArray x) {
        INDArray d = x.castTo(DataType.DOUBLE);
        return x.rank() == 2 ? d.mean(0) : d.mean(0, 2, 3);
    }

    /** Per-output-channel max |w|. */
    static double[] channelMaxAbs(INDArray w) {
        INDArray a = Transforms.abs(w.castTo(DataType.DOUBLE), true);
        return (w.rank() == 2 ? a.max(0) : a.max(1, 2, 3)).toDoubleVector();
    }
}
