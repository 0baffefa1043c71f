package org.squeeze4j.quant.ptq;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.squeeze4j.models.BatchNormParams;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;

/**
 * Folds inference-mode batch normalization into the dense or convolution layer before it
 * (Jacob et al. 2018, section 3.2; Krishnamoorthi 2018, section 3.2; Nagel et al. 2021, section 2.3.1):
 * with {@code BN(y) = gamma (y - mu) / sqrt(var + eps) + beta} and {@code y = x W + b}, per output
 * channel {@code c}
 * <pre>
 *   k_c = gamma_c / sqrt(var_c + eps)
 *   W'_c = k_c W_c                 (column c of a dense [nIn, nOut], filter c of a conv [out, in, kh, kw])
 *   b'_c = k_c (b_c - mu_c) + beta_c
 * </pre>
 * so one layer computes what two did, and the quantizer sees the weights that are actually used.
 * The layer before must be linear (identity activation). DL4J 1.0.0-M2.1's batch-norm layer does
 * not apply the activation set on its builder (measured: its output is the normalized value, with
 * negatives, even with {@code activation(RELU)}), so the folded layer keeps the identity and the
 * folded network computes exactly what DL4J computed; an {@link ActivationLayer} right after the
 * batch norm is fused into the folded layer as its activation (conv-bn-relu becomes one conv with
 * ReLU, which the integer engine runs as a clamp). DL4J's {@code useLogStd} variant stores
 * {@code log10(std)}; {@code var = 10^(2 log10 std)} then. Layers without a bias get one.
 *
 * <p>In a {@link ComputationGraph} a batch norm folds into the dense, convolution or depthwise
 * convolution that feeds it when that layer is linear and the batch norm is its only reader (a
 * convolution whose raw output also feeds a shortcut cannot absorb the scale); the batch-norm
 * vertex disappears and its readers read the folded layer, which keeps its name. Activation
 * layers stay where they are (the integer lowering fuses them). A batch norm that cannot be folded
 * is refused, naming it and the reason.
 */
public final class BatchNormFolding {
    private BatchNormFolding() {
    }

    /** {@link #fold(MultiLayerNetwork)} or {@link #fold(ComputationGraph)}, by the network's class; a model without batch norm is returned as a copy. */
    @SuppressWarnings("unchecked")
    public static <M extends Model> M fold(M net) {
        if (net instanceof MultiLayerNetwork m) {
            return (M) fold(m);
        }
        if (net instanceof ComputationGraph g) {
            return (M) fold(g);
        }
        throw new IllegalArgumentException(net == null ? "network must not be null"
                : "expected a MultiLayerNetwork or a ComputationGraph, got " + net.getClass().getName());
    }

    /** A new graph without batch-norm vertices, computing the same function in inference mode (see the class comment). */
    public static ComputationGraph fold(ComputationGraph graph) {
        if (graph == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        NetworkView view = NetworkView.of(graph);
        Layers.requireFinite(graph);
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        Map<String, GraphVertex> vertices = new java.util.LinkedHashMap<>(conf.getVertices());
        Map<String, List<String>> inputs = new java.util.LinkedHashMap<>();
        conf.getVertexInputs().forEach((k, v) -> inputs.put(k, new ArrayList<>(v)));
        List<String> outputs = new ArrayList<>(conf.getNetworkOutputs());
        Map<String, LayerNode> folds = new HashMap<>();   // folded layer -> its batch norm
        for (LayerNode bn : view.nodes()) {
            if (bn.kind() != LayerKind.BATCH_NORM) {
                continue;
            }
            String into = bn.inputs().get(0);
            if (view.inputs().contains(into)) {
                throw new IllegalArgumentException("batch norm " + bn.describe() + " reads the network input; nothing to fold into");
            }
            LayerNode p = view.node(into);
            if (p.kind() != LayerKind.DENSE && p.kind() != LayerKind.CONV && p.kind() != LayerKind.DEPTHWISE) {
                throw new IllegalArgumentException("batch norm " + bn.describe() + " follows " + p.describe()
                        + "; only batch norm after a dense, convolution or depthwise convolution layer can be folded");
            }
            if (!(((BaseLayer) p.conf()).getActivationFn() instanceof ActivationIdentity)) {
                throw new IllegalArgumentException("batch norm " + bn.describe() + " follows " + p.describe() + ", which applies "
                        + ((BaseLayer) p.conf()).getActivationFn() + "; folding needs a linear (identity) layer before it");
            }
            if (view.consumers(p.name()).size() != 1 || view.outputs().contains(p.name())) {
                throw new IllegalArgumentException("batch norm " + bn.describe() + " cannot be folded into " + p.describe()
                        + ": the layer's output is also read elsewhere, which would then see the folded scale");
            }
            if (bn.preprocessor() != null) {
                throw new IllegalArgumentException("batch norm " + bn.describe() + " has an input preprocessor; cannot fold across a reshape");
            }
            folds.put(p.name(), bn);
            vertices.remove(bn.name());
            inputs.remove(bn.name());
            inputs.values().forEach(in -> in.replaceAll(x -> x.equals(bn.name()) ? into : x));
            outputs.replaceAll(x -> x.equals(bn.name()) ? into : x);
            org.deeplearning4j.nn.conf.layers.Layer c = ((LayerVertex) vertices.get(into)).getLayerConf().getLayer();
            if (c instanceof DenseLayer d) {
                d.setHasBias(true);
            } else {
                ((ConvolutionLayer) c).setHasBias(true);
            }
        }
        ComputationGraph out = org.squeeze4j.models.Networks.rebuiltGraph(conf, vertices, inputs, outputs);
        for (org.deeplearning4j.nn.api.Layer l : out.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            for (Map.Entry<String, INDArray> e : graph.getLayer(name).paramTable().entrySet()) {
                l.setParam(e.getKey(), e.getValue());
            }
            LayerNode bn = folds.get(name);
            if (bn != null) {
                LayerNode p = view.node(name);
                INDArray[] wb = folded(p.weight(), p.bias(), p.outputAxis(), bn);
                INDArray ow = l.getParam("W");
                INDArray ob = l.getParam("b");
                l.setParam("W", wb[0].castTo(ow.dataType()));
                l.setParam("b", wb[1].reshape(ob.shape()).castTo(ob.dataType()));
            }
        }
        return out;
    }

    /** {@code W' = k W} along the output axis and {@code b' = k (b - mu) + beta}, {@code k = gamma / sqrt(var + eps)}. */
    private static INDArray[] folded(INDArray weight, INDArray bias, int axis, LayerNode bnNode) {
        BatchNormParams bn = bnNode.batchNorm();
        INDArray k = bn.scale();
        INDArray w = weight.castTo(DataType.DOUBLE).dup();
        Broadcast.mul(w, k, w, axis);
        INDArray b = bias == null ? Nd4j.zeros(DataType.DOUBLE, bn.channels()) : bias.castTo(DataType.DOUBLE).ravel();
        return new INDArray[] {w, b.sub(bn.mean()).muli(k).addi(bn.beta())};
    }

    /** A new network without batch-norm layers, computing the same function in inference mode. */
    public static MultiLayerNetwork fold(MultiLayerNetwork net) {
        if (net == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        Layers.requireFinite(net);
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations().clone();
        int n = net.getnLayers();
        List<NeuralNetConfiguration> confs = new ArrayList<>();
        Map<Integer, InputPreProcessor> pre = new HashMap<>();
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            NeuralNetConfiguration c = conf.getConf(i);
            if (c.getLayer() instanceof BatchNormalization bn) {
                String where = Layers.describe(net, i);
                if (i == 0 || kept.isEmpty() || kept.get(kept.size() - 1) != i - 1) {
                    throw new IllegalArgumentException(where + " has no dense or convolution layer directly before it; nothing to fold into");
                }
                org.deeplearning4j.nn.conf.layers.Layer prev = confs.get(confs.size() - 1).getLayer();
                if (prev.getClass() != DenseLayer.class && prev.getClass() != ConvolutionLayer.class) {
                    throw new IllegalArgumentException(where + " follows " + Layers.describe(net, i - 1)
                            + "; only batch norm after a DenseLayer or ConvolutionLayer can be folded");
                }
                BaseLayer p = (BaseLayer) prev;
                if (!(p.getActivationFn() instanceof ActivationIdentity)) {
                    throw new IllegalArgumentException(where + " follows " + Layers.describe(net, i - 1) + ", which applies "
                            + p.getActivationFn() + "; folding needs a linear (identity) layer before the batch norm");
                }
                if (conf.getInputPreProcess(i) != null) {
                    throw new IllegalArgumentException(where + " has an input preprocessor; cannot fold across a reshape");
                }
                if (prev instanceof DenseLayer d) {
                    d.setHasBias(true);
                } else {
                    ((ConvolutionLayer) prev).setHasBias(true);
                }
                // DL4J's BN layer ignores its own activation, so the non-linearity comes from a following
                // ActivationLayer: fuse it into the folded layer (conv-bn-relu -> conv with ReLU, as torch.ao fuses)
                if (i + 1 < n && conf.getConf(i + 1).getLayer() instanceof ActivationLayer act && conf.getInputPreProcess(i + 1) == null) {
                    p.setActivationFn(act.getActivationFn());
                    i++;
                }
                continue;
            }
            if (conf.getInputPreProcess(i) != null) {
                pre.put(confs.size(), conf.getInputPreProcess(i));
            }
            confs.add(c);
            kept.add(i);
        }
        conf.setConfs(confs);
        conf.setInputPreProcessors(pre);
        MultiLayerNetwork out = new MultiLayerNetwork(conf);
        out.init();
        for (int j = 0; j < kept.size(); j++) {
            int i = kept.get(j);
            for (Map.Entry<String, INDArray> e : net.getLayer(i).paramTable().entrySet()) {
                out.getLayer(j).setParam(e.getKey(), e.getValue());
            }
            if (i + 1 < n && Layers.conf(net, i + 1) instanceof BatchNormalization) {
                foldInto(out, j, net, i, i + 1);
            }
        }
        return out;
    }

    private static void foldInto(MultiLayerNetwork out, int j, MultiLayerNetwork net, int layer, int bnIndex) {
        NetworkView view = NetworkView.of(net);
        LayerNode conv = view.nodes().get(layer);
        INDArray[] wb = folded(conv.weight(), conv.bias(), conv.outputAxis(), view.nodes().get(bnIndex));
        INDArray ow = out.getLayer(j).getParam("W");
        INDArray ob = out.getLayer(j).getParam("b");
        out.getLayer(j).setParam("W", wb[0].castTo(ow.dataType()));
        out.getLayer(j).setParam("b", wb[1].reshape(ob.shape()).castTo(ob.dataType()));
    }
}
