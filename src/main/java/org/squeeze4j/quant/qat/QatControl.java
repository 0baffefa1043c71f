package org.squeeze4j.quant.qat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;
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

    /** True when {@code net} has the input quantizer {@link QatPreparation} inserts. */
    public static boolean isPrepared(Model net) {
        return NetworkView.of(net).nodes().stream().anyMatch(QatControl::isInputQuantizer);
    }

    /** Whether {@code n} is the input quantizer {@link QatPreparation} inserts. */
    public static boolean isInputQuantizer(LayerNode n) {
        return n.name().equals(QatPreparation.INPUT_QUANTIZER) && n.conf() instanceof ActivationLayer a
                && a.getActivationFn() instanceof FakeQuantActivation;
    }

    /** Refuses a network that {@link QatPreparation#prepare} did not prepare, saying how to prepare it. */
    public static void requirePrepared(Model net) {
        if (net == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        if (!isPrepared(net)) {
            LayerNode first = NetworkView.of(net).nodes().get(0);
            throw new IllegalArgumentException("network is not prepared for QAT: it has no input quantizer '"
                    + QatPreparation.INPUT_QUANTIZER + "' (its first layer is " + first.describe()
                    + "); call QatPreparation.prepare(net, config) first");
        }
    }

    /** Every fake-quant activation of the network, input quantizer first. */
    public static List<FakeQuantActivation> activations(Model net) {
        requirePrepared(net);
        List<FakeQuantActivation> out = new ArrayList<>();
        for (LayerNode n : NetworkView.of(net).nodes()) {
            if (n.conf() instanceof BaseLayer b && b.getActivationFn() instanceof FakeQuantActivation f) {
                out.add(f);
            } else if (n.conf() instanceof ActivationLayer a && a.getActivationFn() instanceof FakeQuantActivation f) {
                out.add(isInputQuantizer(n) ? 0 : out.size(), f);
            }
        }
        return out;
    }

    /** Every fake-quant weight hook. */
    public static List<FakeQuantWeightNoise> weights(Model net) {
        requirePrepared(net);
        List<FakeQuantWeightNoise> out = new ArrayList<>();
        for (LayerNode n : NetworkView.of(net).nodes()) {
            if (n.conf() instanceof BaseLayer b && b.getWeightNoise() instanceof FakeQuantWeightNoise f) {
                out.add(f);
            }
        }
        return out;
    }

    /** Every PACT layer of the network. */
    public static List<LayerNode> pactLayers(Model net) {
        requirePrepared(net);
        return NetworkView.of(net).nodes().stream().filter(n -> n.conf() instanceof PactLayer).toList();
    }

    /** Switches fake quantization of weights, activations and PACT rounding on or off. */
    public static void setFakeQuant(Model net, boolean on) {
        activations(net).forEach(a -> a.setFakeQuant(on));
        weights(net).forEach(w -> w.setEnabled(on));
        pactLayers(net).forEach(n -> ((PactLayer) n.conf()).setFakeQuant(on));
    }

    /**
     * Switches rounding of the activation quantizers and PACT layers on or off (off: clipping only,
     * the STE surrogate; see {@link FakeQuantActivation#setRounding}).
     */
    public static void setRounding(Model net, boolean on) {
        activations(net).forEach(a -> a.setRounding(on));
        weights(net).forEach(w -> w.setRounding(on));
        pactLayers(net).forEach(n -> ((PactLayer) n.conf()).setFakeQuant(on));
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
    public static void setObserving(Model net, boolean on) {
        activations(net).forEach(a -> a.setObserving(on));
    }

    /** Freezes every activation range now; throws naming the layer whose observer saw no data. */
    public static void freeze(Model net) {
        activations(net).forEach(FakeQuantActivation::freeze);
    }

    /**
     * Post-training calibration of a prepared network: with fake quantization off, one training-mode
     * pass over {@code features} sets every activation range to that batch's min/max (the first
     * batch of an EMA), and every PACT alpha to the MSE-optimal clipping level of its input for
     * its bit width ({@link MseObserver}). Fake quantization is switched back on. Evaluating right
     * after this is post-training quantization of the same network (the PTQ baseline).
     */
    public static void calibrate(Model net, INDArray features) {
        requirePrepared(net);
        if (features == null || features.isEmpty()) {
            throw new IllegalArgumentException("need calibration features (e.g. 1000 training images)");
        }
        List<LayerNode> pacts = pactLayers(net);
        setFakeQuant(net, false);
        Map<String, INDArray> acts = Map.of();
        try {
            if (pacts.isEmpty()) {
                trainingOutput(net, features);           // the ranges observe on the way; no activation is kept
            } else {
                acts = trainingActivations(net, features);
            }
        } finally {
            setFakeQuant(net, true);
        }
        for (LayerNode n : pacts) {
            PactLayer p = (PactLayer) n.conf();
            INDArray in = acts.get(n.inputs().get(0));
            MseObserver o = new MseObserver(QuantSpec.affine(p.bits(), false));
            o.observe(org.nd4j.linalg.ops.transforms.Transforms.relu(in, true));
            double alpha = Math.max(o.range().max(), 1e-3);
            n.layer().setParam(PactLayer.ALPHA, n.layer().getParam(PactLayer.ALPHA).like().assign(alpha));
        }
    }

    private static void trainingOutput(Model net, INDArray features) {
        if (net instanceof ComputationGraph g) {
            g.output(true, features);
        } else {
            ((MultiLayerNetwork) net).output(features, true);
        }
    }

    /** Every node's output in a training-mode pass (which updates the EMA ranges), by node name, and the input's. */
    private static Map<String, INDArray> trainingActivations(Model net, INDArray features) {
        if (net instanceof ComputationGraph g) {
            return g.feedForward(features, true);
        }
        MultiLayerNetwork m = (MultiLayerNetwork) net;
        List<INDArray> acts = m.feedForward(features, true);
        List<LayerNode> nodes = NetworkView.of(m).nodes();
        Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        out.put(NetworkView.INPUT, acts.get(0));
        for (int i = 0; i < nodes.size(); i++) {
            out.put(nodes.get(i).name(), acts.get(i + 1));
        }
        return out;
    }

    /** The base activation under a fake-quant wrapper (or the activation itself). */
    static IActivation unwrap(IActivation a) {
        return a instanceof FakeQuantActivation f ? f.base() : a;
    }
}
