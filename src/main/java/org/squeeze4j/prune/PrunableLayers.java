package org.squeeze4j.prune;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Finds the layers of a network whose weight matrix {@code W} can be pruned (dense, output and
 * convolution layers), by name, with errors that list what exists.
 */
public final class PrunableLayers {
    private PrunableLayers() {
    }

    /** Names of all layers that have a weight parameter {@code W}, in network order. */
    public static List<String> names(MultiLayerNetwork net) {
        List<String> names = new ArrayList<>();
        for (Layer layer : net.getLayers()) {
            if (layer.paramTable().containsKey("W")) {
                names.add(name(layer));
            }
        }
        return names;
    }

    /** The index of the layer called {@code name}; it must have weights. */
    public static int index(MultiLayerNetwork net, String name) {
        Layer[] layers = net.getLayers();
        for (int i = 0; i < layers.length; i++) {
            if (name(layers[i]).equals(name)) {
                if (!layers[i].paramTable().containsKey("W")) {
                    throw new IllegalArgumentException("layer '" + name + "' has no weights to prune; prunable layers are " + names(net));
                }
                return i;
            }
        }
        throw new IllegalArgumentException("no layer named '" + name + "'; prunable layers are " + names(net));
    }

    /** The live weight array of the layer (a view: writing to it changes the network). */
    public static INDArray weights(MultiLayerNetwork net, String name) {
        return net.getLayer(index(net, name)).getParam("W");
    }

    /**
     * Fraction of the weights of {@code layers} (all prunable layers if none are given) whose
     * magnitude is below {@code threshold} ({@code strict}) or at most it: {@code (0, false)} counts
     * exact zeros, i.e. the sparsity.
     */
    static double fractionOfSmall(MultiLayerNetwork net, double threshold, boolean strict, String... layers) {
        List<String> names = layers.length == 0 ? names(net) : List.of(layers);
        long total = 0;
        long small = 0;
        for (String name : names) {
            INDArray w = weights(net, name);
            total += w.length();
            INDArray abs = org.nd4j.linalg.ops.transforms.Transforms.abs(w, true);
            small += (strict ? abs.lt(threshold) : abs.lte(threshold))
                    .castTo(org.nd4j.linalg.api.buffer.DataType.LONG).sumNumber().longValue();
        }
        return (double) small / total;
    }

    static String name(Layer layer) {
        return layer.conf().getLayer().getLayerName();
    }
}
