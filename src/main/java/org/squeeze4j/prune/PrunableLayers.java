package org.squeeze4j.prune;

import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;

/**
 * The layers of a network whose weight {@code W} can be pruned: every weighted node of its
 * {@link NetworkView} (dense, output and convolutions of every kind), by name, with errors that
 * list what exists. Works on a {@code MultiLayerNetwork} and a {@code ComputationGraph} alike.
 */
public final class PrunableLayers {
    private PrunableLayers() {
    }

    /** Names of all layers that have a weight parameter {@code W}, in topological order. */
    public static List<String> names(Model net) {
        return NetworkView.of(net).weightedNames();
    }

    /** The node of the layer called {@code name}; it must have weights. */
    public static LayerNode node(Model net, String name) {
        return NetworkView.of(net).weightedNode(name);
    }

    /** The DL4J layer index of the layer called {@code name} in a chain; it must have weights. */
    public static int index(MultiLayerNetwork net, String name) {
        return node(net, name).index();
    }

    /** The live weight array of the layer (a view: writing to it changes the network). */
    public static INDArray weights(Model net, String name) {
        return node(net, name).weight();
    }

    /**
     * Fraction of the weights of {@code layers} (all prunable layers if none are given) whose
     * magnitude is below {@code threshold} ({@code strict}) or at most it: {@code (0, false)} counts
     * exact zeros, i.e. the sparsity.
     */
    static double fractionOfSmall(Model net, double threshold, boolean strict, String... layers) {
        NetworkView view = NetworkView.of(net);
        List<String> names = layers.length == 0 ? view.weightedNames() : List.of(layers);
        if (names.isEmpty()) {
            throw new IllegalArgumentException("the network has no layers with weights; there is no sparsity to measure");
        }
        long total = 0;
        long small = 0;
        for (String name : names) {
            INDArray w = view.weightedNode(name).weight();
            total += w.length();
            INDArray abs = org.nd4j.linalg.ops.transforms.Transforms.abs(w, true);
            small += (strict ? abs.lt(threshold) : abs.lte(threshold))
                    .castTo(org.nd4j.linalg.api.buffer.DataType.LONG).sumNumber().longValue();
        }
        return (double) small / total;
    }
}
