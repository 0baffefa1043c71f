package org.squeeze4j.prune.structured;

import java.util.Random;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;

/**
 * Importance of each channel of a {@link ChannelGroup}, higher = keep. A group is scored as a
 * whole, summing over its producers, since its channels can only leave together (Torch-Pruning's
 * group importance, Fang et al. 2023).
 *
 * <ul>
 * <li>{@link #l1()}: {@code sum_p ||W_p[c]||_1}, the filter norm of Li et al. 2017 ("Pruning
 *     filters for efficient ConvNets"), summed over the producers;</li>
 * <li>{@link #foldedL1()}: the same norm after folding each producer's batch norm,
 *     {@code sum_p |k_p,c| ||W_p[c]||_1} with {@code k = gamma / sqrt(var + eps)}: with batch norm
 *     behind a convolution the raw filter norm is arbitrary (batch norm rescales it away), the
 *     folded one is what the channel actually contributes;</li>
 * <li>{@link #batchNormGamma()}: {@code sum |gamma_c|} over the group's batch norms, the
 *     criterion of network slimming (Liu et al. 2017);</li>
 * <li>{@link #random(long)}: the control.</li>
 * </ul>
 */
@FunctionalInterface
public interface GroupImportance {

    /** One score per channel of {@code group}, a group of the network {@code view} describes. */
    double[] scores(NetworkView view, ChannelGroup group);

    static GroupImportance l1() {
        return (view, group) -> sumOverProducers(view, group, false);
    }

    static GroupImportance foldedL1() {
        return (view, group) -> sumOverProducers(view, group, true);
    }

    static GroupImportance batchNormGamma() {
        return (view, group) -> {
            double[] s = new double[group.channels()];
            for (String c : group.carriers()) {
                LayerNode n = view.node(c);
                if (n.kind() == LayerKind.BATCH_NORM) {
                    add(s, Transforms.abs(n.batchNorm().gamma(), false));
                }
            }
            return s;
        };
    }

    static GroupImportance random(long seed) {
        return (view, group) -> new Random(seed * 31 + group.name().hashCode()).doubles(group.channels()).toArray();
    }

    private static double[] sumOverProducers(NetworkView view, ChannelGroup group, boolean folded) {
        double[] s = new double[group.channels()];
        for (String p : group.producers()) {
            LayerNode n = view.node(p);
            int axis = n.outputAxis();
            INDArray w = n.weight();
            int[] others = IntStream.range(0, w.rank()).filter(d -> d != axis).toArray();
            INDArray norms = Transforms.abs(w.castTo(DataType.DOUBLE), false).sum(others);
            if (folded) {
                var readers = view.consumers(p);
                if (readers.size() == 1 && readers.get(0).kind() == LayerKind.BATCH_NORM) {
                    norms.muli(Transforms.abs(readers.get(0).batchNorm().scale(), false));
                }
            }
            add(s, norms);
        }
        return s;
    }

    private static void add(double[] s, INDArray v) {
        double[] d = v.ravel().toDoubleVector();
        for (int i = 0; i < s.length; i++) {
            s[i] += d[i];
        }
    }
}
