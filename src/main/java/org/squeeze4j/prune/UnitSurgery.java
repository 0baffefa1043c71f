package org.squeeze4j.prune;

import java.util.Arrays;
import java.util.Map;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;
import org.squeeze4j.prune.structured.Slices;

/**
 * Structured pruning made real: removes output units (neurons of a dense layer, filters of a
 * convolution) and the matching inputs of the next layer, giving a new, smaller network whose
 * outputs equal those of the original with the same units zeroed ({@link UnitMasks#keepOnly}).
 *
 * <p>Supported: dense → dense/output, convolution → (pooling…) → convolution, and convolution →
 * (pooling…) → dense/output through DL4J's flattening, where channel {@code c} of an
 * {@code h × w} map occupies inputs {@code c·h·w … (c+1)·h·w − 1}. Anything else (an output
 * layer, batch normalisation in between) is refused with a message, and the original network is
 * never modified.
 */
public final class UnitSurgery {
    private UnitSurgery() {
    }

    /** A new network in which {@code layer} keeps only the units {@code keep} (ascending, distinct). */
    public static MultiLayerNetwork keepUnits(MultiLayerNetwork net, String layer, int[] keep) {
        NetworkView view = NetworkView.of(net);
        LayerNode from = view.weightedNode(layer);
        int i = from.index();
        if (from.kind() != LayerKind.DENSE && from.kind() != LayerKind.CONV) {
            throw new IllegalArgumentException("cannot remove units of " + from.describe() + ": only hidden dense and"
                    + " convolution layers can lose units" + (from.kind() == LayerKind.OUTPUT
                    ? "; the output layer's units are the classes" : ", not a " + from.kind()));
        }
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations().clone();
        Layer li = conf.getConf(i).getLayer();
        int units = (int) ((FeedForwardLayer) li).getNOut();
        checkKeep(keep, units, layer);
        LayerNode to = nextParametric(view, i, layer);
        int j = to.index();
        Layer lj = conf.getConf(j).getLayer();
        if (to.kind() != LayerKind.DENSE && to.kind() != LayerKind.OUTPUT && to.kind() != LayerKind.CONV) {
            throw new IllegalArgumentException("the layer after " + layer + " is " + to.describe()
                    + ", which cannot shrink its input: only dense, output and convolution layers can");
        }
        FeedForwardLayer next = (FeedForwardLayer) lj;
        long positions = 1;
        if (from.kind() == LayerKind.CONV && to.kind() != LayerKind.CONV) {
            InputPreProcessor pre = conf.getInputPreProcess(j);
            if (!(pre instanceof CnnToFeedForwardPreProcessor flatten)) {
                throw new IllegalArgumentException("expected a flattening preprocessor before " + name(lj) + ", found " + pre);
            }
            positions = flatten.getInputHeight() * flatten.getInputWidth();
            flatten.setNumChannels(keep.length);
        } else if (from.kind() == LayerKind.DENSE && to.kind() == LayerKind.CONV) {
            throw new IllegalArgumentException("a dense layer " + layer + " followed by " + to.describe() + " is not supported");
        }
        ((FeedForwardLayer) li).setNOut(keep.length);
        next.setNIn(keep.length * positions);

        MultiLayerNetwork smaller = new MultiLayerNetwork(conf);
        smaller.init();
        for (int k = 0; k < net.getnLayers(); k++) {
            Map<String, INDArray> params = net.getLayer(k).paramTable();
            for (Map.Entry<String, INDArray> p : params.entrySet()) {
                INDArray value = p.getValue();
                if (k == i) {
                    value = selectOutputs(value, p.getKey(), keep);
                } else if (k == j && p.getKey().equals("W")) {
                    value = selectInputs(value, keep, positions);
                }
                smaller.getLayer(k).setParam(p.getKey(), value.dup());
            }
        }
        return smaller;
    }

    private static INDArray selectOutputs(INDArray value, String param, int[] keep) {
        if (param.equals("b")) {
            return Slices.select(value, value.rank() - 1, keep);
        }
        return Slices.select(value, value.rank() == 2 ? 1 : 0, keep);
    }

    private static INDArray selectInputs(INDArray w, int[] keep, long positions) {
        return w.rank() == 4 ? Slices.select(w, 1, keep) : Slices.select(w, 0, Slices.expand(keep, positions));
    }

    /** The next node with parameters after node {@code i}; only pooling, activations and dropout may lie between. */
    private static LayerNode nextParametric(NetworkView view, int i, String layer) {
        for (LayerNode n : view.nodes().subList(i + 1, view.nodes().size())) {
            if (n.kind().weighted()) {
                return n;
            }
            if (n.kind() != LayerKind.POOL && n.kind() != LayerKind.ACTIVATION && n.kind() != LayerKind.DROPOUT) {
                throw new IllegalArgumentException("cannot remove units of " + layer + ": it is followed by " + n.describe()
                        + ", whose parameters would also have to shrink");
            }
        }
        throw new IllegalArgumentException("layer " + layer + " has no following layer to adjust");
    }

    private static void checkKeep(int[] keep, int units, String layer) {
        if (keep.length == 0) {
            throw new IllegalArgumentException("keeping no unit of " + layer + " would disconnect the network");
        }
        for (int k = 0; k < keep.length; k++) {
            if (keep[k] < 0 || keep[k] >= units || (k > 0 && keep[k] <= keep[k - 1])) {
                throw new IllegalArgumentException("units to keep must be ascending, distinct and in [0, " + units + ") for " + layer
                        + ", got " + Arrays.toString(keep));
            }
        }
    }

    private static String name(Layer l) {
        return l.getLayerName();
    }
}
