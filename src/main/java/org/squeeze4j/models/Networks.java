package org.squeeze4j.models;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * The few operations DL4J offers on both of its network classes but not on their common
 * {@link Model} interface: training on an iterator, inference, evaluation, copying and the
 * learning rate. A single-input, single-output {@link ComputationGraph} behaves here exactly
 * like a {@link MultiLayerNetwork}; a graph with several inputs or outputs is refused.
 */
public final class Networks {
    private Networks() {
    }

    /** One epoch of training over {@code data}. */
    public static void fit(Model net, DataSetIterator data) {
        switch (kind(net)) {
            case MLN -> ((MultiLayerNetwork) net).fit(data);
            case CG -> single((ComputationGraph) net).fit(data);
        }
    }

    /** Inference (test mode) on a batch, the network's single output. */
    public static INDArray output(Model net, INDArray input) {
        return switch (kind(net)) {
            case MLN -> ((MultiLayerNetwork) net).output(input, false);
            case CG -> single((ComputationGraph) net).outputSingle(false, input);
        };
    }

    /**
     * Every node's output (test mode) on a batch, by node name as in {@link NetworkView}, and the
     * network input under its name ({@link NetworkView#INPUT} for a {@code MultiLayerNetwork}).
     */
    public static java.util.Map<String, INDArray> activations(Model net, INDArray input) {
        java.util.Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        switch (kind(net)) {
            case MLN -> {
                java.util.List<INDArray> acts = ((MultiLayerNetwork) net).feedForward(input, false);
                java.util.List<LayerNode> nodes = NetworkView.of(net).nodes();
                out.put(NetworkView.INPUT, acts.get(0));
                for (int i = 0; i < nodes.size(); i++) {
                    out.put(nodes.get(i).name(), acts.get(i + 1));
                }
            }
            case CG -> out.putAll(((ComputationGraph) net).feedForward(input, false));
        }
        return out;
    }

    /** Classification evaluation over all of {@code data}. */
    public static Evaluation evaluate(Model net, DataSetIterator data) {
        return switch (kind(net)) {
            case MLN -> ((MultiLayerNetwork) net).evaluate(data);
            case CG -> single((ComputationGraph) net).evaluate(data);
        };
    }

    /** An independent copy: configuration, parameters and updater state. */
    @SuppressWarnings("unchecked")
    public static <M extends Model> M copy(M net) {
        return (M) switch (kind(net)) {
            case MLN -> ((MultiLayerNetwork) net).clone();
            case CG -> ((ComputationGraph) net).clone();
        };
    }

    /** The current learning rate of the first layer with an updater, or NaN if none has one. */
    public static double learningRate(Model net) {
        Double lr = switch (kind(net)) {
            case MLN -> ((MultiLayerNetwork) net).getLearningRate(0);
            case CG -> firstLearningRate((ComputationGraph) net);
        };
        return lr == null ? Double.NaN : lr;
    }

    /**
     * The gradient of the mean training loss on {@code batch} (DL4J's score, in training mode)
     * with respect to parameter {@code param} ("W", "b") of layer {@code layer}, computed on a
     * copy (the network is not changed). DL4J's own backward pass yields the gradient of the
     * summed loss and leaves the division by the batch size to its updater; it is done here.
     */
    public static INDArray gradient(Model net, org.nd4j.linalg.dataset.api.DataSet batch, String layer, String param) {
        LayerNode node = NetworkView.of(net).node(layer);
        Model copy = copy(net);
        switch (kind(copy)) {
            case MLN -> {
                MultiLayerNetwork m = (MultiLayerNetwork) copy;
                m.setInput(batch.getFeatures());
                m.setLabels(batch.getLabels());
                m.computeGradientAndScore();
            }
            default -> {
                ComputationGraph g = single((ComputationGraph) copy);
                g.setInputs(batch.getFeatures());
                g.setLabels(batch.getLabels());
                g.computeGradientAndScore();
            }
        }
        INDArray g = copy.gradient().getGradientFor(gradientKey(copy, layer, param));
        if (g == null) {
            throw new IllegalArgumentException("layer " + node.describe() + " has no parameter '" + param + "'");
        }
        return g.div(batch.getFeatures().size(0));
    }

    /**
     * The key of parameter {@code param} of layer {@code layer} in DL4J's {@code Gradient}:
     * {@code "<index>_<param>"} in a {@code MultiLayerNetwork}, {@code "<name>_<param>"} in a graph.
     */
    public static String gradientKey(Model net, String layer, String param) {
        return switch (kind(net)) {
            case MLN -> NetworkView.of(net).node(layer).index() + "_" + param;
            case CG -> layer + "_" + param;
        };
    }

    /**
     * A new, initialised graph from {@code conf} (a clone, changed in place) with these vertices,
     * vertex inputs and outputs: the end of every graph surgery (folding, factorisation). DL4J's
     * cached topological order is cleared so that it is computed for the new vertices.
     */
    public static ComputationGraph rebuiltGraph(org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf,
                                                java.util.Map<String, org.deeplearning4j.nn.conf.graph.GraphVertex> vertices,
                                                java.util.Map<String, java.util.List<String>> inputs, java.util.List<String> outputs) {
        conf.setVertices(vertices);
        conf.setVertexInputs(inputs);
        conf.setNetworkOutputs(outputs);
        conf.setTopologicalOrder(null);
        conf.setTopologicalOrderStr(null);
        ComputationGraph out = new ComputationGraph(conf);
        out.init();
        return out;
    }

    /** Removes one training listener, keeping the others. */
    public static void removeListener(Model net, TrainingListener listener) {
        Collection<TrainingListener> current = switch (kind(net)) {
            case MLN -> ((MultiLayerNetwork) net).getListeners();
            case CG -> ((ComputationGraph) net).getListeners();
        };
        List<TrainingListener> kept = new ArrayList<>(current);
        kept.remove(listener);
        net.setListeners(kept);
    }

    private static Double firstLearningRate(ComputationGraph g) {
        for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) {
            if (l.numParams() > 0) {
                return g.getLearningRate(l.conf().getLayer().getLayerName());
            }
        }
        return null;
    }

    private static ComputationGraph single(ComputationGraph g) {
        int in = g.getConfiguration().getNetworkInputs().size();
        int out = g.getConfiguration().getNetworkOutputs().size();
        if (in != 1 || out != 1) {
            throw new IllegalArgumentException("Only graphs with one input and one output are supported; this one has "
                    + in + " inputs " + g.getConfiguration().getNetworkInputs() + " and " + out + " outputs "
                    + g.getConfiguration().getNetworkOutputs() + ".");
        }
        return g;
    }

    private enum Kind { MLN, CG }

    private static Kind kind(Model net) {
        Objects.requireNonNull(net, "net");
        if (net instanceof MultiLayerNetwork) {
            return Kind.MLN;
        }
        if (net instanceof ComputationGraph) {
            return Kind.CG;
        }
        throw new IllegalArgumentException("Expected a MultiLayerNetwork or a ComputationGraph, got "
                + net.getClass().getName());
    }
}
