package org.squeeze4j.quant.qat;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.quant.QuantSpec;
import org.squeeze4j.quant.observe.MseObserver;

/**
 * The switches of a prepared network, as torch.ao's {@code enable_observer} / {@code disable_observer}
 * / {@code enable_fake_quant} / {@code disable_fake_quant} / freezing, and calibration.
 * Every method checks that the network was prepared by {@link QatPreparation}.
 */
public final class QatControl {
    private QatControl() {
    }

    /** True when {@code net} starts with the input quantizer {@link QatPreparation} inserts. */
    public static boolean isPrepared(MultiLayerNetwork net) {
        Layer l0 = net.getLayerWiseConfigurations().getConf(0).getLayer();
        return l0 instanceof org.deeplearning4j.nn.conf.layers.ActivationLayer a && a.getActivationFn() instanceof FakeQuantActivation;
    }

    /** Refuses a network that {@link QatPreparation#prepare} did not prepare, saying how to prepare it. */
    public static void requirePrepared(MultiLayerNetwork net) {
        if (net == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        if (!isPrepared(net)) {
            Layer l0 = net.getLayerWiseConfigurations().getConf(0).getLayer();
            throw new IllegalArgumentException("network is not prepared for QAT: layer 0 (" + l0.getLayerName() + ", "
                    + l0.getClass().getSimpleName() + ") is not the input quantizer; call QatPreparation.prepare(net, config) first");
        }
    }

    /** Every fake-quant activation of the network, input quantizer first. */
    public static List<FakeQuantActivation> activations(MultiLayerNetwork net) {
        requirePrepared(net);
        List<FakeQuantActivation> out = new ArrayList<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            Layer l = net.getLayerWiseConfigurations().getConf(i).getLayer();
            if (l instanceof BaseLayer b && b.getActivationFn() instanceof FakeQuantActivation f) {
                out.add(f);
            } else if (l instanceof org.deeplearning4j.nn.conf.layers.ActivationLayer a && a.getActivationFn() instanceof FakeQuantActivation f) {
                out.add(f);
            }
        }
        return out;
    }

    /** Every fake-quant weight hook. */
    public static List<FakeQuantWeightNoise> weights(MultiLayerNetwork net) {
        requirePrepared(net);
        List<FakeQuantWeightNoise> out = new ArrayList<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            Layer l = net.getLayerWiseConfigurations().getConf(i).getLayer();
            if (l instanceof BaseLayer b && b.getWeightNoise() instanceof FakeQuantWeightNoise f) {
                out.add(f);
            }
        }
        return out;
    }

    /** Every PACT layer (configuration) with its index. */
    public static List<Integer> pactLayers(MultiLayerNetwork net) {
        requirePrepared(net);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayerWiseConfigurations().getConf(i).getLayer() instanceof PactLayer) {
                out.add(i);
            }
        }
        return out;
    }

    /** Switches fake quantization of weights, activations and PACT rounding on or off. */
    public static void setFakeQuant(MultiLayerNetwork net, boolean on) {
        activations(net).forEach(a -> a.setFakeQuant(on));
        weights(net).forEach(w -> w.setEnabled(on));
        for (int i : pactLayers(net)) {
            ((PactLayer) net.getLayerWiseConfigurations().getConf(i).getLayer()).setFakeQuant(on);
        }
    }

    /**
     * Switches rounding of the activation quantizers and PACT layers on or off (off: clipping only,
     * the STE surrogate; see {@link FakeQuantActivation#setRounding}).
     */
    public static void setRounding(MultiLayerNetwork net, boolean on) {
        activations(net).forEach(a -> a.setRounding(on));
        weights(net).forEach(w -> w.setRounding(on));
        for (int i : pactLayers(net)) {
            ((PactLayer) net.getLayerWiseConfigurations().getConf(i).getLayer()).setFakeQuant(on);
        }
    }

    /**
     * The fake-quantized logits of a prepared network (the output layer's quantized pre-softmax
     * values, what the integer engine's dequantized output corresponds to), in inference mode.
     */
    public static INDArray logits(MultiLayerNetwork net, INDArray features) {
        requirePrepared(net);
        int last = net.getnLayers() - 1;
        Layer lc = net.getLayerWiseConfigurations().getConf(last).getLayer();
        if (!(lc instanceof BaseLayer b) || !(b.getActivationFn() instanceof FakeQuantActivation f) || !f.quantizeInput()
                || !(b.getWeightNoise() instanceof FakeQuantWeightNoise wn)) {
            throw new IllegalArgumentException("layer " + last + " (" + lc.getLayerName() + ") is not a prepared output layer");
        }
        List<INDArray> acts = net.feedForwardToLayer(last - 1, features, false);
        INDArray in = acts.get(acts.size() - 1);
        INDArray w = net.getLayer(last).getParam("W");
        INDArray wq = wn.isEnabled() ? wn.fakeQuantize(w, 1) : w;
        INDArray z = in.reshape(in.size(0), w.size(0)).mmul(wq).addiRowVector(net.getLayer(last).getParam("b"));
        if (!f.isFakeQuantEnabled()) {
            return z;
        }
        org.squeeze4j.quant.QParams q = f.qparams();
        return FakeQuant.perTensorInPlace(z, q.scale(), q.zeroPoint(), 0, f.spec().qmax());
    }

    /** Switches range observation of the activations on or off. */
    public static void setObserving(MultiLayerNetwork net, boolean on) {
        activations(net).forEach(a -> a.setObserving(on));
    }

    /** Freezes every activation range now; throws naming the layer whose observer saw no data. */
    public static void freeze(MultiLayerNetwork net) {
        activations(net).forEach(FakeQuantActivation::freeze);
    }

    /**
     * Post-training calibration of a prepared network: with fake quantization off, one training-mode
     * pass over {@code features} sets every activation range to that batch's min/max (the first
     * batch of an EMA), and every PACT alpha to the MSE-optimal clipping level of its input for
     * its bit width ({@link MseObserver}). Fake quantization is switched back on. Evaluating right
     * after this is post-training quantization of the same network (the PTQ baseline).
     */
    public static void calibrate(MultiLayerNetwork net, INDArray features) {
        requirePrepared(net);
        if (features == null || features.isEmpty()) {
            throw new IllegalArgumentException("need calibration features (e.g. 1000 training images)");
        }
        setFakeQuant(net, false);
        List<INDArray> acts;
        try {
            acts = net.feedForward(features, true);
        } finally {
            setFakeQuant(net, true);
        }
        for (int i : pactLayers(net)) {
            PactLayer p = (PactLayer) net.getLayerWiseConfigurations().getConf(i).getLayer();
            INDArray in = acts.get(i);
            MseObserver o = new MseObserver(QuantSpec.affine(p.bits(), false));
            o.observe(org.nd4j.linalg.ops.transforms.Transforms.relu(in, true));
            double alpha = Math.max(o.range().max(), 1e-3);
            net.getLayer(i).setParam(PactLayer.ALPHA, net.getLayer(i).getParam(PactLayer.ALPHA).like().assign(alpha));
        }
    }

    /** The base activation under a fake-quant wrapper (or the activation itself). */
    static IActivation unwrap(IActivation a) {
        return a instanceof FakeQuantActivation f ? f.base() : a;
    }
}
