package org.squeeze4j.measure;

import java.util.List;

/**
 * Size and cost of a whole network, layer by layer.
 *
 * @param model a name for the network
 * @param layers one entry per layer
 * @param serializedBytes size of the file DL4J's {@code ModelSerializer} writes (without updater state)
 */
public record ModelStats(String model, List<LayerStats> layers, long serializedBytes) {
    public ModelStats {
        layers = List.copyOf(layers);
    }

    public long params() {
        return layers.stream().mapToLong(LayerStats::params).sum();
    }

    public long nonZeroParams() {
        return layers.stream().mapToLong(LayerStats::nonZeroParams).sum();
    }

    /** Multiply-accumulates for one sample. */
    public long macs() {
        return layers.stream().mapToLong(LayerStats::macs).sum();
    }

    /** All parameters stored as raw float32: {@code 4 * params}. */
    public long float32Bytes() {
        return 4L * params();
    }

    /** The layer with this name. */
    public LayerStats layer(String name) {
        return layers.stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no layer named '" + name + "' in " + model + "; layers are "
                        + layers.stream().map(LayerStats::name).toList()));
    }
}
