package org.squeeze4j.models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * One view of a network for every technique: its layers and vertices in topological order, each
 * with its {@link LayerKind}, name, inputs and live parameter views, built the same way from a
 * {@link MultiLayerNetwork} (a chain) or a {@link ComputationGraph} (residual adds, merges).
 *
 * <p>Pruning, quantization, weight sharing, low rank and measurement ask this view which layers
 * have weights, which axis is the output channel and what feeds what, instead of enumerating
 * DL4J layers each in its own way. Kinds are decided by exact configuration class (see
 * {@link LayerKind} for why {@code instanceof} is wrong), and a network with a layer or vertex the
 * view does not know (an LSTM, attention, a custom vertex) is refused when the view is built,
 * naming it and its type, so that no technique half-processes it. A custom layer configuration
 * joins by implementing {@link LayerKind.Declared}.
 *
 * <pre>{@code
 * NetworkView view = NetworkView.of(net);
 * for (LayerNode n : view.weighted()) {
 *     INDArray w = n.weight();            // live view
 *     int axis = n.outputAxis();          // 1 for dense, 0 for conv
 * }
 * }</pre>
 */
public final class NetworkView {
    /** Name of the input of a {@code MultiLayerNetwork} (a graph names its own inputs). */
    public static final String INPUT = "input";

    private final Model model;
    private final List<String> inputs;
    private final List<String> outputs;
    private final List<LayerNode> nodes;
    private final Map<String, LayerNode> byName;

    private NetworkView(Model model, List<String> inputs, List<String> outputs, List<LayerNode> nodes) {
        this.model = model;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.nodes = List.copyOf(nodes);
        this.byName = new LinkedHashMap<>();
        for (LayerNode n : nodes) {
            if (byName.put(n.name(), n) != null) {
                throw new IllegalArgumentException("two layers are named '" + n.name() + "'; give every layer a unique name");
            }
        }
    }

    /** The view of a {@link MultiLayerNetwork} or a {@link ComputationGraph}. */
    public static NetworkView of(Model model) {
        if (model instanceof MultiLayerNetwork m) {
            return of(m);
        }
        if (model instanceof ComputationGraph g) {
            return of(g);
        }
        throw new IllegalArgumentException(model == null ? "network must not be null"
                : "expected a MultiLayerNetwork or a ComputationGraph, got " + model.getClass().getName());
    }

    /** The view of a chain: node {@code i} is layer {@code i} and reads node {@code i - 1} (node 0 reads {@link #INPUT}). */
    public static NetworkView of(MultiLayerNetwork net) {
        if (net == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        List<LayerNode> nodes = new ArrayList<>();
        String previous = INPUT;
        for (int i = 0; i < net.getnLayers(); i++) {
            Layer layer = net.getLayer(i);
            org.deeplearning4j.nn.conf.layers.Layer c = layer.conf().getLayer();
            String name = c.getLayerName() != null ? c.getLayerName() : "layer" + i;
            nodes.add(new LayerNode(i, name, kindOf(c, "layer " + i + " '" + name + "'"), List.of(previous), layer, c,
                    conf.getInputPreProcess(i)));
            previous = name;
        }
        return new NetworkView(net, List.of(INPUT), List.of(previous), nodes);
    }

    /** The view of a graph, in DL4J's topological order; its input vertices are {@link #inputs()}, not nodes. */
    public static NetworkView of(ComputationGraph graph) {
        if (graph == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        ComputationGraphConfiguration conf = graph.getConfiguration();
        List<String> networkInputs = conf.getNetworkInputs();
        Map<String, GraphVertex> vertices = conf.getVertices();
        Map<String, List<String>> vertexInputs = conf.getVertexInputs();
        List<LayerNode> nodes = new ArrayList<>();
        for (String name : conf.getTopologicalOrderStr()) {
            if (networkInputs.contains(name)) {
                continue;
            }
            GraphVertex v = vertices.get(name);
            List<String> in = vertexInputs.getOrDefault(name, List.of());
            int index = nodes.size();
            if (v instanceof LayerVertex lv) {
                org.deeplearning4j.nn.conf.layers.Layer c = lv.getLayerConf().getLayer();
                InputPreProcessor pre = lv.getPreProcessor();
                nodes.add(new LayerNode(index, name, kindOf(c, "layer '" + name + "'"), in, graph.getLayer(name), c, pre));
            } else if (v instanceof ElementWiseVertex e && e.getOp() == ElementWiseVertex.Op.Add) {
                nodes.add(new LayerNode(index, name, LayerKind.ADD, in, null, null, null));
            } else if (v instanceof MergeVertex) {
                nodes.add(new LayerNode(index, name, LayerKind.MERGE, in, null, null, null));
            } else {
                String type = v instanceof ElementWiseVertex e ? "ElementWiseVertex(" + e.getOp() + ")" : v.getClass().getSimpleName();
                throw new IllegalArgumentException("vertex '" + name + "' (" + type + ") is not supported; supported vertices are"
                        + " layers, ElementWiseVertex(Add) and MergeVertex");
            }
        }
        return new NetworkView(graph, networkInputs, conf.getNetworkOutputs(), nodes);
    }

    /** The network this view describes. */
    public Model model() {
        return model;
    }

    /** Whether the network is a {@link ComputationGraph}. */
    public boolean isGraph() {
        return model instanceof ComputationGraph;
    }

    /** Names of the network's inputs. */
    public List<String> inputs() {
        return inputs;
    }

    /** Names of the nodes whose outputs are the network's outputs. */
    public List<String> outputs() {
        return outputs;
    }

    /** Every layer and vertex, in topological order. */
    public List<LayerNode> nodes() {
        return nodes;
    }

    /** The nodes with a weight tensor, in topological order. */
    public List<LayerNode> weighted() {
        return nodes.stream().filter(n -> n.kind().weighted()).toList();
    }

    /** Names of {@link #weighted()}. */
    public List<String> weightedNames() {
        return weighted().stream().map(LayerNode::name).toList();
    }

    /** The node called {@code name}; the error lists the names that exist. */
    public LayerNode node(String name) {
        LayerNode n = byName.get(name);
        if (n == null) {
            throw new IllegalArgumentException("no layer named '" + name + "'; the network has " + byName.keySet());
        }
        return n;
    }

    /** The node called {@code name}, which must have a weight; the error lists the weighted layers. */
    public LayerNode weightedNode(String name) {
        LayerNode n = byName.get(name);
        if (n == null) {
            throw new IllegalArgumentException("no layer named '" + name + "'; layers with weights are " + weightedNames());
        }
        if (!n.kind().weighted()) {
            throw new IllegalArgumentException("layer " + n.describe() + " has no weights; layers with weights are " + weightedNames());
        }
        return n;
    }

    /** The nodes that read the output of {@code name}, in topological order. */
    public List<LayerNode> consumers(String name) {
        node(name);
        return nodes.stream().filter(n -> n.inputs().contains(name)).toList();
    }

    /** Kind of a layer configuration, by exact class; anything unknown is refused, naming {@code where} and the type. */
    static LayerKind kindOf(org.deeplearning4j.nn.conf.layers.Layer c, String where) {
        if (c instanceof LayerKind.Declared d) {
            return d.kind();
        }
        Class<?> t = c.getClass();
        if (t == DenseLayer.class) {
            return LayerKind.DENSE;
        }
        if (t == OutputLayer.class) {
            return LayerKind.OUTPUT;
        }
        if (t == ConvolutionLayer.class) {
            return LayerKind.CONV;
        }
        if (t == DepthwiseConvolution2D.class) {
            return LayerKind.DEPTHWISE;
        }
        if (t == SeparableConvolution2D.class) {
            return LayerKind.SEPARABLE;
        }
        if (t == Deconvolution2D.class) {
            return LayerKind.DECONV;
        }
        if (t == BatchNormalization.class) {
            return LayerKind.BATCH_NORM;
        }
        if (t == SubsamplingLayer.class) {
            return LayerKind.POOL;
        }
        if (t == GlobalPoolingLayer.class) {
            return LayerKind.GLOBAL_POOL;
        }
        if (t == ActivationLayer.class) {
            return LayerKind.ACTIVATION;
        }
        if (t == DropoutLayer.class) {
            return LayerKind.DROPOUT;
        }
        throw new IllegalArgumentException(where + " is a " + t.getSimpleName() + ", which squeeze4j does not support;"
                + " supported are DenseLayer, OutputLayer, ConvolutionLayer, DepthwiseConvolution2D, SeparableConvolution2D,"
                + " Deconvolution2D, BatchNormalization, SubsamplingLayer, GlobalPoolingLayer, ActivationLayer and DropoutLayer");
    }
}
