package org.squeeze4j.prune;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.LayerNode;

/**
 * Masks whole output units in place: zeroing a unit's incoming weights and bias makes a ReLU unit
 * output exactly 0, which is what {@link UnitSurgery} removes physically.
 */
public final class UnitMasks {
    private UnitMasks() {
    }

    /** What {@link #zeroUnit} overwrote; {@code bias} is null for a layer without one. */
    public record Saved(INDArray weights, INDArray bias, INDArray weightsCopy, INDArray biasCopy) {
        public void restore() {
            weights.assign(weightsCopy);
            if (bias != null) {
                bias.assign(biasCopy);
            }
        }
    }

    /** Zeroes unit {@code u} of {@code layer} (column of a dense W, leading slice of a conv W) and its bias. */
    public static Saved zeroUnit(MultiLayerNetwork net, String layer, int u) {
        LayerNode node = unitLayer(net, layer);
        checkUnit(node, u);
        INDArray w = node.weight();
        INDArray wu = w.rank() == 2 ? w.get(NDArrayIndex.all(), NDArrayIndex.point(u))
                : w.get(NDArrayIndex.point(u), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
        INDArray b = node.bias();
        INDArray bu = b == null ? null : b.rank() == 1 ? b.get(NDArrayIndex.point(u)) : b.get(NDArrayIndex.all(), NDArrayIndex.point(u));
        Saved saved = new Saved(wu, bu, wu.dup(), bu == null ? null : bu.dup());
        wu.assign(0);
        if (bu != null) {
            bu.assign(0);
        }
        return saved;
    }

    /** Zeroes every unit not in {@code keep}. */
    public static void keepOnly(MultiLayerNetwork net, String layer, int[] keep) {
        LayerNode node = unitLayer(net, layer);
        boolean[] kept = new boolean[units(node)];
        for (int k : keep) {
            checkUnit(node, k);
            kept[k] = true;
        }
        for (int u = 0; u < kept.length; u++) {
            if (!kept[u]) {
                zeroUnit(net, layer, u);
            }
        }
    }

    /**
     * The node of {@code layer}, which must have units in the sense of this package: a dense,
     * output or plain convolution layer, whose weight reads as {@code [outputs, inputs]} rows. A
     * depthwise, separable or transposed convolution stores its output channels on another axis;
     * they are refused with the reason (channel pruning of such networks is {@code ChannelPruning}'s).
     */
    static LayerNode unitLayer(Model net, String layer) {
        LayerNode node = PrunableLayers.node(net, layer);
        LayerKind k = node.kind();
        if (k != LayerKind.DENSE && k != LayerKind.OUTPUT && k != LayerKind.CONV) {
            throw new IllegalArgumentException("units of " + node.describe() + " cannot be scored or masked here: a " + k
                    + " weight has no [outputs, inputs] rows. Use org.squeeze4j.prune.structured.ChannelPruning, which"
                    + " removes its channels together with the layers they are tied to");
        }
        return node;
    }

    /** Number of output units of a node checked by {@link #unitLayer}. */
    static int units(LayerNode node) {
        return (int) node.outputChannels();
    }

    private static void checkUnit(LayerNode node, int u) {
        if (u < 0 || u >= units(node)) {
            throw new IllegalArgumentException("unit " + u + " is outside " + node.describe() + ", which has units 0-"
                    + (units(node) - 1));
        }
    }
}
