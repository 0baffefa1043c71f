package org.squeeze4j.share;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.prune.PrunableLayers;

/** The shared layers of a network, in network order. */
public final class SharedWeights {
    private final Map<String, SharedLayer> layers;

    public SharedWeights(List<SharedLayer> layers) {
        Map<String, SharedLayer> map = new LinkedHashMap<>();
        for (SharedLayer l : layers) {
            if (map.put(l.layer(), l) != null) {
                throw new IllegalArgumentException("layer " + l.layer() + " appears twice");
            }
        }
        this.layers = Collections.unmodifiableMap(map);
    }

    public Map<String, SharedLayer> layers() {
        return layers;
    }

    public SharedLayer layer(String name) {
        SharedLayer l = layers.get(name);
        if (l == null) {
            throw new IllegalArgumentException("no shared layer '" + name + "'; shared layers are " + layers.keySet());
        }
        return l;
    }

    /** Writes the shared weights into {@code net} (in place). */
    public void applyTo(Model net) {
        for (SharedLayer l : layers.values()) {
            INDArray w = PrunableLayers.weights(net, l.layer());
            if (!java.util.Arrays.equals(w.shape(), l.shape())) {
                throw new IllegalArgumentException("layer " + l.layer() + " has weights " + java.util.Arrays.toString(w.shape())
                        + " but the shared layer has shape " + java.util.Arrays.toString(l.shape()));
            }
            w.assign(l.weights());
        }
    }
}
