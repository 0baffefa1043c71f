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

    static String name(Layer layer) {
        return layer.conf().getLayer().getLayerName();
    }
}
