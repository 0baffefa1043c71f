package org.squeeze4j.lowrank;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;

/**
 * Low-rank factorisation by truncated SVD (Denton et al. 2014, "Exploiting linear structure within
 * convolutional networks"; Jaderberg et al. 2014; Xue et al. 2013 for speech DNNs).
 *
 * <p>A dense layer {@code y = f(x W + b)} with {@code W} of shape {@code in x out} becomes two layers
 * {@code y = f((x A) B + b)} with {@code A = U_r diag(s_r)^{1/2}} ({@code in x r}, linear, no bias) and
 * {@code B = diag(s_r)^{1/2} V_r^T} ({@code r x out}, the original bias and activation): {@code r (in + out)}
 * weights instead of {@code in · out}, fewer whenever {@code r < in·out / (in + out)}.
 *
 * <p>A convolution with {@code W} of shape {@code [out, in, kh, kw]} is reshaped to the matrix
 * {@code M = [out, in·kh·kw]}, factorised {@code M ≈ U_r diag(s_r) V_r^T}, and becomes a
 * {@code kh x kw} convolution with {@code r} filters {@code diag(s_r)^{1/2} V_r^T} (same stride and
 * padding, no bias, linear) followed by a {@code 1x1} convolution {@code U_r diag(s_r)^{1/2}} with
 * the original bias and activation.
 *
 * <p>The factorised layers are named {@code <name>_u} (first) and {@code <name>_v} (second).
 */
public final class LowRank {
    private LowRank() {
    }

    /** The weight matrix that is factorised: {@code W} itself for dense layers, {@code [out, in·kh·kw]} for convolutions. */
    public static INDArray matrix(Model net, String layer) {
        LayerNode n = factorisable(net, layer);
        INDArray w = n.weight();
        if (n.kind() == LayerKind.CONV) {
            long[] s = w.shape();
            return w.dup('c').reshape('c', s[0], s[1] * s[2] * s[3]);
        }
        return w.dup('c');
    }

    /** Singular values of the layer's matrix, descending. */
    public static double[] singularValues(Model net, String layer) {
        return Svd.of(matrix(net, layer)).s();
    }

    /** The rank {@code rule} picks for each of {@code layers}. */
    public static Map<String, Integer> ranks(Model net, RankRule rule, String... layers) {
        Map<String, Integer> ranks = new LinkedHashMap<>();
        for (String name : layers) {
            INDArray m = matrix(net, name);
            ranks.put(name, rule.rank(Svd.of(m).s(), m.rows(), m.columns()));
        }
        return ranks;
    }

    /**
     * A new network in which each layer of {@code ranks} is replaced by its rank-r factorisation
     * {@code <name>_u -> <name>_v}; {@code net} is unchanged. In a graph, every node that read the
     * layer reads {@code <name>_v}, and {@code <name>_u} keeps the layer's input preprocessor.
     */
    @SuppressWarnings("unchecked")
    public static <M extends Model> M factorize(M net, Map<String, Integer> ranks) {
        Map<String, Svd> svds = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : ranks.entrySet()) {
            INDArray m = matrix(net, e.getKey());   // validates the layer
            int max = (int) Math.min(m.rows(), m.columns());
            if (e.getValue() < 1 || e.getValue() > max) {
                throw new IllegalArgumentException("rank for layer " + e.getKey() + " must be 1-" + max + ", got " + e.getValue());
            }
            svds.put(e.getKey(), Svd.of(m));
        }
        Model out = net instanceof MultiLayerNetwork mln ? factorizedChain(mln, ranks) : factorizedGraph((ComputationGraph) net, ranks);
        NetworkView target = NetworkView.of(out);
        for (LayerNode n : NetworkView.of(net).nodes()) {
            if (n.layer() == null) {
                continue;
            }
            Integer r = ranks.get(n.name());
            if (r == null) {
                n.layer().paramTable().forEach((key, value) -> target.node(n.name()).layer().setParam(key, value.dup()));
                continue;
            }
            INDArray w = n.weight();
            Svd svd = svds.get(n.name());
            INDArray first;
            INDArray second;
            if (n.kind() == LayerKind.CONV) {
                long[] s = w.shape();                                  // [out, in, kh, kw]
                first = svd.right(r, 0.5).reshape('c', r, s[1], s[2], s[3]);
                second = svd.left(r, 0.5).reshape('c', s[0], r, 1, 1);
            } else {                                                   // W is [in, out]: W = U S V^T
                first = svd.left(r, 0.5);
                second = svd.right(r, 0.5);
            }
            target.node(n.name() + "_u").layer().setParam("W", first.castTo(w.dataType()));
            target.node(n.name() + "_v").layer().setParam("W", second.castTo(w.dataType()));
            if (n.bias() != null) {
                target.node(n.name() + "_v").layer().setParam("b", n.bias().dup());
            }
        }
        return (M) out;
    }

    private static MultiLayerNetwork factorizedChain(MultiLayerNetwork net, Map<String, Integer> ranks) {
        MultiLayerConfiguration old = net.getLayerWiseConfigurations();
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(old.getConf(0).getSeed()).dataType(old.getDataType()).list();
        Map<Integer, InputPreProcessor> pre = old.getInputPreProcessors();
        int j = 0;
        List<LayerNode> nodes = NetworkView.of(net).nodes();
        for (int i = 0; i < old.getConfs().size(); i++) {
            org.deeplearning4j.nn.conf.layers.Layer conf = old.getConf(i).getLayer().clone();
            conf.setLayerName(nodes.get(i).name());   // unnamed layers keep their name "layer<i>"
            if (pre != null && pre.get(i) != null) {
                list.inputPreProcessor(j, pre.get(i).clone());
            }
            Integer r = ranks.get(conf.getLayerName());
            if (r == null) {
                list.layer(j++, conf);
            } else {
                org.deeplearning4j.nn.conf.layers.Layer[] pair = split(conf, r);
                list.layer(j++, pair[0]);
                list.layer(j++, pair[1]);
            }
        }
        MultiLayerNetwork out = new MultiLayerNetwork(list.build());
        out.init();
        return out;
    }

    private static ComputationGraph factorizedGraph(ComputationGraph graph, Map<String, Integer> ranks) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        Map<String, GraphVertex> vertices = new LinkedHashMap<>();
        Map<String, List<String>> inputs = new LinkedHashMap<>();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            String name = e.getKey();
            List<String> in = new ArrayList<>(conf.getVertexInputs().getOrDefault(name, List.of()));
            in.replaceAll(x -> ranks.containsKey(x) ? x + "_v" : x);
            Integer r = ranks.get(name);
            if (r == null) {
                vertices.put(name, e.getValue());
                inputs.put(name, in);
                continue;
            }
            LayerVertex v = (LayerVertex) e.getValue();
            org.deeplearning4j.nn.conf.layers.Layer[] pair = split(v.getLayerConf().getLayer(), r);
            vertices.put(name + "_u", new LayerVertex(withLayer(v.getLayerConf(), pair[0]), v.getPreProcessor()));
            inputs.put(name + "_u", in);
            vertices.put(name + "_v", new LayerVertex(withLayer(v.getLayerConf(), pair[1]), null));
            inputs.put(name + "_v", new ArrayList<>(List.of(name + "_u")));
        }
        List<String> outputs = new ArrayList<>(conf.getNetworkOutputs());
        outputs.replaceAll(x -> ranks.containsKey(x) ? x + "_v" : x);
        ComputationGraph out = org.squeeze4j.models.Networks.rebuiltGraph(conf, vertices, inputs, outputs);
        return out;
    }

    private static NeuralNetConfiguration withLayer(NeuralNetConfiguration template, org.deeplearning4j.nn.conf.layers.Layer layer) {
        NeuralNetConfiguration c = template.clone();
        c.clearVariables();
        c.setLayer(layer);
        return c;
    }

    /**
     * The two layer configurations that replace {@code conf} at rank {@code r}: a linear, bias-free
     * {@code <name>_u} ({@code kh x kw} with {@code r} filters, or dense to {@code r}), then
     * {@code <name>_v} ({@code 1x1} convolution or dense from {@code r}) with the original bias and activation.
     */
    private static org.deeplearning4j.nn.conf.layers.Layer[] split(org.deeplearning4j.nn.conf.layers.Layer conf, int r) {
        BaseLayer base = (BaseLayer) conf;
        if (conf.getClass() == ConvolutionLayer.class) {
            ConvolutionLayer c = (ConvolutionLayer) conf;
            ConvolutionLayer first = new ConvolutionLayer.Builder(c.getKernelSize()).stride(c.getStride()).padding(c.getPadding())
                    .dilation(c.getDilation()).convolutionMode(c.getConvolutionMode()).dataFormat(c.getCnn2dDataFormat())
                    .nIn(c.getNIn()).nOut(r).hasBias(false).activation(Activation.IDENTITY).weightInit(base.getWeightInitFn())
                    .updater(base.getIUpdater()).name(c.getLayerName() + "_u").build();
            ConvolutionLayer second = (ConvolutionLayer) c.clone();
            second.setKernelSize(new int[] {1, 1});
            second.setStride(new int[] {1, 1});
            second.setPadding(new int[] {0, 0});
            second.setDilation(new int[] {1, 1});
            second.setConvolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Truncate);
            second.setNIn(r);
            second.setLayerName(c.getLayerName() + "_v");
            return new org.deeplearning4j.nn.conf.layers.Layer[] {first, second};
        }
        FeedForwardLayer f = (FeedForwardLayer) conf;
        DenseLayer first = new DenseLayer.Builder().nIn(f.getNIn()).nOut(r).hasBias(false).activation(Activation.IDENTITY)
                .weightInit(base.getWeightInitFn()).updater(base.getIUpdater()).name(f.getLayerName() + "_u").build();
        FeedForwardLayer second = (FeedForwardLayer) f.clone();
        second.setNIn(r);
        second.setLayerName(f.getLayerName() + "_v");
        return new org.deeplearning4j.nn.conf.layers.Layer[] {first, second};
    }

    /** Weights (W only) of the layers of {@code net}: {@code sum in·out} (or {@code out·in·kh·kw}). */
    public static long weightCount(Model net) {
        return NetworkView.of(net).weighted().stream().mapToLong(n -> n.weight().length()).sum();
    }

    /** The node called {@code name}, which must be a dense, output or plain convolution layer. */
    private static LayerNode factorisable(Model net, String name) {
        LayerNode n = NetworkView.of(net).weightedNode(name);
        if (n.kind() != LayerKind.DENSE && n.kind() != LayerKind.OUTPUT && n.kind() != LayerKind.CONV) {
            throw new IllegalArgumentException("layer " + n.describe() + " cannot be factorised: only dense, output and"
                    + " plain convolution layers can (a " + n.kind() + " weight is not an [out, in k k] matrix)");
        }
        return n;
    }

    static List<String> names(Model net) {
        return NetworkView.of(net).nodes().stream().map(LayerNode::name).toList();
    }
}
