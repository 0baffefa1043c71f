package org.squeeze4j.prune.structured;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;
import org.squeeze4j.models.Networks;

/**
 * What a removed channel contributed on average, moved into its readers' biases (Evci et al.
 * 2018, "Mean replacement pruning"); see {@link ChannelPruning#remove(Model, ChannelPlan, INDArray)}.
 */
final class MeanReplacement {
    private MeanReplacement() {
    }

    /** For each reader of a cut group: the shift {@code delta [outputs]} of its pre-activation output, in float64. */
    static Map<String, INDArray> deltas(Model net, ChannelPlan plan, INDArray sample) {
        if (sample == null || sample.size(0) == 0) {
            throw new IllegalArgumentException("mean replacement needs a non-empty sample of inputs to measure channel means on");
        }
        NetworkView view = NetworkView.of(net);
        for (ChannelPlan.Cut cut : plan.cuts()) {
            for (ChannelGroup.Reader r : cut.group().readers()) {
                target(view, r.layer());   // refuse before the forward pass
            }
        }
        Map<String, INDArray> acts = Networks.activations(net, sample);
        Map<String, INDArray> deltas = new HashMap<>();
        for (ChannelPlan.Cut cut : plan.cuts()) {
            boolean[] kept = new boolean[cut.group().channels()];
            for (int c : cut.keep()) {
                kept[c] = true;
            }
            for (ChannelGroup.Reader r : cut.group().readers()) {
                LayerNode n = view.node(r.layer());
                INDArray in = acts.get(n.inputs().get(0)).castTo(DataType.DOUBLE);
                INDArray w = n.weight().castTo(DataType.DOUBLE);
                INDArray delta;
                if (n.kind() == LayerKind.CONV) {
                    INDArray means = in.rank() == 4 ? in.mean(0, 2, 3) : in.mean(0);   // [C]
                    INDArray kernelSums = w.sum(2, 3);                                 // [out, C]
                    for (int c = 0; c < kept.length; c++) {
                        if (kept[c]) {
                            means.putScalar(c, 0);
                        }
                    }
                    delta = kernelSums.mmul(means.reshape(means.length(), 1)).reshape(w.size(0));
                } else {   // dense or output: rows of W are the flattened input
                    INDArray means = in.reshape('c', in.size(0), in.length() / in.size(0)).mean(0);
                    long positions = r.positions();
                    for (int c = 0; c < kept.length; c++) {
                        if (kept[c]) {
                            for (long p = 0; p < positions; p++) {
                                means.putScalar(c * positions + p, 0);
                            }
                        }
                    }
                    delta = means.reshape(1, means.length()).mmul(w).reshape(w.size(1));
                }
                deltas.merge(r.layer(), delta, INDArray::add);
            }
        }
        return deltas;
    }

    /** Adds {@code delta} to the output of {@code reader} in the network {@code view} describes. */
    static void apply(NetworkView view, String reader, INDArray delta) {
        LayerNode n = view.node(reader);
        INDArray target = target(view, reader);
        boolean isBias = n.bias() != null;
        INDArray d = delta.reshape(target.shape()).castTo(target.dataType());
        if (isBias) {
            target.addi(d);
        } else {
            target.subi(d);   // batch norm computes (x - mean): x + delta - mean = x - (mean - delta)
        }
    }

    /** The reader's bias, or the running mean of the batch norm that is its only reader. */
    private static INDArray target(NetworkView view, String reader) {
        LayerNode n = view.node(reader);
        if (n.bias() != null) {
            return n.bias();
        }
        List<LayerNode> next = view.consumers(reader);
        if (next.size() == 1 && next.get(0).kind() == LayerKind.BATCH_NORM) {
            return next.get(0).layer().getParam("mean");
        }
        throw new IllegalArgumentException("cannot replace removed channels by their means in " + n.describe()
                + ": it has no bias and is not followed by a batch norm alone; prune without a sample (plain removal)");
    }
}
