package org.squeeze4j.quant.qat;

import org.squeeze4j.quant.ptq.BatchNormFolding;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Turns a float {@link MultiLayerNetwork} into a quantization-aware one with the same weights
 * (torch.ao's {@code prepare_qat}; Jacob et al. 2018, section 3; Krishnamoorthi 2018, section 3.1):
 * <pre>
 *   [input quantizer: ActivationLayer(FakeQuantActivation(identity, uint8))]      (QuantStub)
 *   for every Dense / Conv / Output layer:
 *       weights     -> FakeQuantWeightNoise (symmetric narrow, per channel)
 *       activation  -> FakeQuantActivation(act, uint b)    (EMA ranges)
 *                  or  identity + PactLayer(b)              (PACT, when act is ReLU)
 *       output      -> FakeQuantActivation(softmax, uint8, quantize its input): logits quantized
 *   max pooling: unchanged (it commutes with quantization)
 * </pre>
 * The original network is not modified; the new one has its own configuration objects (so its
 * observers are its own) and copies of the parameters. Layers that cannot be quantized are
 * rejected by name; batch normalisation must be folded first ({@link BatchNormFolding#fold}).
 * After preparing, run {@link QatControl#calibrate} on a batch of training data (sets the ranges
 * and PACT's alpha), then fit as usual.
 */
public final class QatPreparation {
    /** Name of the inserted input quantizer layer. */
    public static final String INPUT_QUANTIZER = "quant-input";

    private QatPreparation() {
    }

    /** A new QAT network with {@code net}'s weights, quantized as {@code config} says. */
    public static MultiLayerNetwork prepare(MultiLayerNetwork net, QatConfig config) {
        if (net == null || config == null) {
            throw new IllegalArgumentException("network and config must not be null");
        }
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        if (QatControl.isPrepared(net)) {
            throw new IllegalArgumentException("network is already prepared for QAT (layer 0 is " + INPUT_QUANTIZER
                    + "); prepare the float network instead");
        }
        int n = net.getnLayers();
        List<NeuralNetConfiguration> confs = new ArrayList<>();
        Map<Integer, InputPreProcessor> pre = new HashMap<>();
        int[] newIndex = new int[n];

        NeuralNetConfiguration first = conf.getConf(0).clone();
        first.setLayer(new ActivationLayer.Builder().name(INPUT_QUANTIZER).activation(
                new FakeQuantActivation(new ActivationIdentity(), config.inputBits(), false, config.averagingConstant(),
                        config.freezeAfter()).named(INPUT_QUANTIZER)).build());
        first.clearVariables();
        confs.add(first);

        for (int i = 0; i < n; i++) {
            NeuralNetConfiguration nc = conf.getConf(i).clone();
            nc.clearVariables();
            Layer lc = nc.getLayer();
            String where = "layer " + i + " (" + lc.getLayerName() + ", " + lc.getClass().getSimpleName() + ")";
            if (conf.getInputPreProcess(i) != null) {
                pre.put(confs.size(), conf.getInputPreProcess(i).clone());
            }
            newIndex[i] = confs.size();
            confs.add(nc);
            Class<?> c = lc.getClass();
            if (c == DenseLayer.class || c == OutputLayer.class || c == ConvolutionLayer.class) {
                BaseLayer bl = (BaseLayer) lc;
                if (bl.getWeightNoise() != null) {
                    throw new IllegalArgumentException(where + " already has weight noise " + bl.getWeightNoise()
                            + "; fake quantization replaces it, remove it first");
                }
                bl.setWeightNoise(new FakeQuantWeightNoise(config.weightBits(), config.perChannel(), config.weightRange()));
                IActivation act = bl.getActivationFn();
                String name = lc.getLayerName() == null ? "layer" + i : lc.getLayerName();
                if (c == OutputLayer.class) {
                    bl.setActivationFn(new FakeQuantActivation(act, config.outputBits(), true, config.averagingConstant(),
                            config.freezeAfter()).named(name));
                } else if (config.activationRange() == QatConfig.ActivationRange.PACT && act instanceof ActivationReLU) {
                    bl.setActivationFn(new ActivationIdentity());
                    NeuralNetConfiguration pc = conf.getConf(i).clone();
                    pc.clearVariables();
                    PactLayer pact = new PactLayer(name + "-pact", config.activationBits(), 6.0);
                    pact.setIUpdater(bl.getIUpdater() == null ? null : bl.getIUpdater().clone());
                    pact.setActivationFn(new ActivationIdentity());
                    pc.setLayer(pact);
                    confs.add(pc);
                } else {
                    bl.setActivationFn(new FakeQuantActivation(act, config.activationBits(), false, config.averagingConstant(),
                            config.freezeAfter()).named(name));
                }
            } else if (c == SubsamplingLayer.class) {
                // max pooling commutes with the monotone quantizer; nothing to insert
            } else if (lc instanceof BatchNormalization) {
                throw new IllegalArgumentException(where + " is batch normalisation: fold it into the preceding convolution"
                        + " or dense layer first with BatchNormFolding.fold(net), then prepare the folded network");
            } else {
                throw new IllegalArgumentException(where + " cannot be prepared for QAT: supported are DenseLayer,"
                        + " ConvolutionLayer, OutputLayer and SubsamplingLayer");
            }
        }

        MultiLayerConfiguration qconf = conf.clone();
        qconf.setConfs(confs);
        qconf.setInputPreProcessors(pre);
        MultiLayerNetwork q = new MultiLayerNetwork(qconf);
        q.init();
        for (int i = 0; i < n; i++) {
            for (Map.Entry<String, INDArray> e : net.getLayer(i).paramTable().entrySet()) {
                q.getLayer(newIndex[i]).setParam(e.getKey(), e.getValue().dup());
            }
        }
        return q;
    }
}
