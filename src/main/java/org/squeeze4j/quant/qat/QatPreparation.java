package org.squeeze4j.quant.qat;

import org.squeeze4j.quant.ptq.BatchNormFolding;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;
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

    /**
     * A new QAT graph with {@code graph}'s weights (batch norm folded first). Where the integer
     * engine computes a tensor, the graph quantizes it, once:
     * <pre>
     *   input                      -> input quantizer vertex (uint8), read by every former reader of the input
     *   dense / conv / depthwise   -> FakeQuantWeightNoise on W; the output grid is the layer's own
     *                                 FakeQuantActivation, or, when its only reader is a ReLU ActivationLayer
     *                                 (which the engine fuses as a clamp), that ReLU's FakeQuantActivation
     *   add                        -> its inputs are already on grids; its output is quantized by the ReLU
     *                                 ActivationLayer that must be its only reader (TFLite's ADD with fused ReLU)
     *   global average pooling     -> followed by an inserted quantizer vertex {@code <name>-quant} (TFLite's MEAN
     *                                 requantizes onto its own grid)
     *   output layer               -> FakeQuantActivation(softmax) quantizing the logits
     * </pre>
     * PACT is for chains only: with {@link QatConfig.ActivationRange#PACT} a graph is refused.
     */
    public static ComputationGraph prepare(ComputationGraph graph, QatConfig config) {
        if (graph == null || config == null) {
            throw new IllegalArgumentException("network and config must not be null");
        }
        if (QatControl.isPrepared(graph)) {
            throw new IllegalArgumentException("network is already prepared for QAT (it has the input quantizer " + INPUT_QUANTIZER
                    + "); prepare the float network instead");
        }
        if (config.activationRange() == QatConfig.ActivationRange.PACT) {
            throw new IllegalArgumentException("PACT is supported on MultiLayerNetworks only; prepare a graph with EMA ranges"
                    + " (QatConfig.of(weightBits, activationBits))");
        }
        NetworkView view = NetworkView.of(graph);
        if (view.inputs().size() != 1) {
            throw new IllegalArgumentException("QAT needs a graph with one input, this one has " + view.inputs());
        }
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        Map<String, GraphVertex> vertices = conf.getVertices();
        Map<String, List<String>> inputs = conf.getVertexInputs();
        NeuralNetConfiguration template = null;
        for (LayerNode n : view.nodes()) {
            String where = n.describe();
            LayerVertex v = n.layer() == null ? null : (LayerVertex) vertices.get(n.name());
            if (v != null && template == null) {
                template = v.getLayerConf();
            }
            switch (n.kind()) {
                case DENSE, CONV, DEPTHWISE, OUTPUT -> {
                    BaseLayer bl = (BaseLayer) v.getLayerConf().getLayer();
                    if (bl.getWeightNoise() != null) {
                        throw new IllegalArgumentException(where + " already has weight noise " + bl.getWeightNoise()
                                + "; fake quantization replaces it, remove it first");
                    }
                    bl.setWeightNoise(new FakeQuantWeightNoise(config.weightBits(), config.perChannel(), config.weightRange()));
                    IActivation act = bl.getActivationFn();
                    if (n.kind() == LayerKind.OUTPUT) {
                        bl.setActivationFn(new FakeQuantActivation(act, config.outputBits(), true, config.averagingConstant(),
                                config.freezeAfter()).named(n.name()));
                    } else if (!(act instanceof ActivationIdentity && onlyReaderIsRelu(view, n))) {
                        bl.setActivationFn(new FakeQuantActivation(act, config.activationBits(), false, config.averagingConstant(),
                                config.freezeAfter()).named(n.name()));
                    }
                }
                case ACTIVATION -> {
                    ActivationLayer a = (ActivationLayer) v.getLayerConf().getLayer();
                    a.setActivationFn(new FakeQuantActivation(a.getActivationFn(), config.activationBits(), false,
                            config.averagingConstant(), config.freezeAfter()).named(n.name()));
                }
                case ADD -> {
                    if (!onlyReaderIsRelu(view, n)) {
                        throw new IllegalArgumentException(where + " is not read by a ReLU ActivationLayer alone; QAT quantizes an"
                                + " add's output at the ReLU after it, as the integer engine fuses it");
                    }
                }
                case GLOBAL_POOL -> insertAfter(conf, n.name(), n.name() + "-quant", quantizer(template, n.name() + "-quant",
                        config.activationBits(), config));
                case POOL, DROPOUT -> {
                    // max pooling commutes with the monotone quantizer; dropout is the identity at inference
                }
                case BATCH_NORM -> throw new IllegalArgumentException(where + " is batch normalisation: fold it first with"
                        + " BatchNormFolding.fold(graph), then prepare the folded graph");
                default -> throw new IllegalArgumentException(where + " cannot be prepared for QAT: supported are dense,"
                        + " convolution, depthwise convolution, output, ReLU activation, add, max and global average pooling");
            }
        }
        String input = view.inputs().get(0);
        for (List<String> in : inputs.values()) {
            in.replaceAll(name -> name.equals(input) ? INPUT_QUANTIZER : name);
        }
        vertices.put(INPUT_QUANTIZER, new LayerVertex(quantizer(template, INPUT_QUANTIZER, config.inputBits(), config), null));
        inputs.put(INPUT_QUANTIZER, new ArrayList<>(List.of(input)));
        ComputationGraph q = new ComputationGraph(conf);
        q.init();
        for (LayerNode n : view.nodes()) {
            if (n.layer() != null) {
                for (Map.Entry<String, INDArray> e : n.layer().paramTable().entrySet()) {
                    q.getLayer(n.name()).setParam(e.getKey(), e.getValue().dup());
                }
            }
        }
        return q;
    }

    private static boolean onlyReaderIsRelu(NetworkView view, LayerNode n) {
        List<LayerNode> readers = view.consumers(n.name());
        return readers.size() == 1 && readers.get(0).conf() != null && readers.get(0).conf().getClass() == ActivationLayer.class
                && ((ActivationLayer) readers.get(0).conf()).getActivationFn() instanceof ActivationReLU
                && readers.get(0).preprocessor() == null && !view.outputs().contains(n.name());
    }

    /** An ActivationLayer configuration that only fake-quantizes (identity) onto a {@code bits}-bit uint grid. */
    private static NeuralNetConfiguration quantizer(NeuralNetConfiguration template, String name, int bits, QatConfig config) {
        NeuralNetConfiguration nc = template.clone();
        nc.clearVariables();
        nc.setLayer(new ActivationLayer.Builder().name(name).activation(new FakeQuantActivation(new ActivationIdentity(), bits,
                false, config.averagingConstant(), config.freezeAfter()).named(name)).build());
        return nc;
    }

    /** Inserts vertex {@code name} right after {@code after}: it reads {@code after}, and every former reader reads it. */
    private static void insertAfter(ComputationGraphConfiguration conf, String after, String name, NeuralNetConfiguration layer) {
        for (List<String> in : conf.getVertexInputs().values()) {
            in.replaceAll(v -> v.equals(after) ? name : v);
        }
        conf.getNetworkOutputs().replaceAll(v -> v.equals(after) ? name : v);
        conf.getVertices().put(name, new LayerVertex(layer, null));
        conf.getVertexInputs().put(name, new ArrayList<>(List.of(after)));
    }
}
