package org.squeeze4j.prune;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Masks whole output units in place: zeroing a unit's incoming weights and bias makes a ReLU unit
 * output exactly 0, which is what {@link UnitSurgery} removes physically.
 */
public final class UnitMasks {
    private UnitMasks() {
    }

    /** What {@link #zeroUnit} overwrote. */
    public record Saved(INDArray weights, INDArray bias, INDArray weightsCopy, INDArray biasCopy) {
        public void restore() {
            weights.assign(weightsCopy);
            bias.assign(biasCopy);
        }
    }

    /** Zeroes unit {@code u} of {@code layer} (column of a dense W, leading slice of a conv W) and its bias. */
    public static Saved zeroUnit(MultiLayerNetwork net, String layer, int u) {
        INDArray w = unitWeights(net, layer, u);
        INDArray b = net.getLayer(PrunableLayers.index(net, layer)).getParam("b");
        INDArray bu = b.rank() == 1 ? b.get(NDArrayIndex.point(u)) : b.get(NDArrayIndex.all(), NDArrayIndex.point(u));
        Saved saved = new Saved(w, bu, w.dup(), bu.dup());
        w.assign(0);
        bu.assign(0);
        return saved;
    }

    /** Zeroes every unit not in {@code keep}. */
    public static void keepOnly(MultiLayerNetwork net, String layer, int[] keep) {
        int units = (int) Granularity.asOutputRows(PrunableLayers.weights(net, layer)).size(0);
        boolean[] kept = new boolean[units];
        for (int k : keep) {
            kept[k] = true;
        }
        for (int u = 0; u < units; u++) {
            if (!kept[u]) {
                zeroUnit(net, layer, u);
            }
        }
    }

    private static INDArray unitWeights(MultiLayerNetwork net, String layer, int u) {
        INDArray w = PrunableLayers.weights(net, layer);
        if (w.rank() == 2) {
            return w.get(NDArrayIndex.all(), NDArrayIndex.point(u));
        }
        return w.get(NDArrayIndex.point(u), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
    }
}
