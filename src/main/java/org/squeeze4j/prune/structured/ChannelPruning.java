package org.squeeze4j.prune.structured;

import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;
import org.squeeze4j.models.Networks;

/**
 * Channel pruning by dependency groups, on a {@code ComputationGraph} or a
 * {@code MultiLayerNetwork}: {@link #remove} builds the smaller network, {@link #mask} zeroes the
 * same channels in a copy of the original. The two compute the same function: a masked channel
 * is exactly zero everywhere in its group (producer filter and bias zeroed, batch norm's
 * {@code gamma} and {@code beta} zeroed, every activation on the way maps 0 to 0, see
 * {@link ChannelGroups}), so its readers' weights on it never mattered.
 *
 * <pre>{@code
 * ChannelGroups groups = ChannelGroups.of(resnet);
 * ChannelPlan plan = ChannelPlan.uniform(groups, GroupImportance.foldedL1(), 0.3);
 * ComputationGraph smaller = ChannelPruning.remove(resnet, plan);
 * }</pre>
 *
 * <p>The smaller network has a fresh updater (fine-tune it with a new learning-rate schedule,
 * {@link org.squeeze4j.models.Models#restartLearningRate}); the original is never modified.
 */
public final class ChannelPruning {
    private ChannelPruning() {
    }

    /** A new, smaller network without the channels {@code plan} removes. */
    public static <M extends Model> M remove(M net, ChannelPlan plan) {
        return remove(net, plan, Map.of());
    }

    /**
     * A new, smaller network without the channels {@code plan} removes, each replaced by its mean
     * on {@code sample} (mean replacement, Evci et al. 2018): a removed channel of a batch-normed
     * layer is rarely silent, its mean {@code m_c} (mostly batch norm's shift through the ReLU)
     * feeds every reader, so each reader's output gains
     * {@code delta_o = sum_{c removed} m_c sum_{kh,kw} W[o, c, kh, kw]} (convolution; a dense reader
     * sums its removed input rows), added to its bias or, for a bias-free layer before a batch
     * norm, subtracted from that batch norm's running mean. Exact for a channel that is constant,
     * away from the zero-padded border. The groups are cut one after the other, in the plan's
     * (topological) order, each group's means measured on the network already pruned before it:
     * measured all on the original network, the corrections of many groups compound (on ResNet-8
     * with 30 % of every group, to chance level).
     */
    public static <M extends Model> M remove(M net, ChannelPlan plan, INDArray sample) {
        return groupByGroup(net, plan, sample, ChannelPruning::remove);
    }

    @SuppressWarnings("unchecked")
    private static <M extends Model> M remove(M net, ChannelPlan plan, Map<String, INDArray> deltas) {
        Edits edits = Edits.of(net, plan);
        Model smaller;
        if (net instanceof ComputationGraph g) {
            ComputationGraphConfiguration conf = g.getConfiguration().clone();
            edits.resize(name -> {
                LayerVertex v = (LayerVertex) conf.getVertices().get(name);
                return new Confs(v.getLayerConf().getLayer(), v.getPreProcessor());
            });
            ComputationGraph s = new ComputationGraph(conf);
            s.init();
            smaller = s;
        } else if (net instanceof MultiLayerNetwork m) {
            MultiLayerConfiguration conf = m.getLayerWiseConfigurations().clone();
            NetworkView view = NetworkView.of(m);
            edits.resize(name -> {
                int i = view.node(name).index();
                return new Confs(conf.getConf(i).getLayer(), conf.getInputPreProcess(i));
            });
            MultiLayerNetwork s = new MultiLayerNetwork(conf);
            s.init();
            smaller = s;
        } else {
            throw new IllegalArgumentException("expected a MultiLayerNetwork or a ComputationGraph, got " + net);
        }
        NetworkView from = NetworkView.of(net);
        NetworkView to = NetworkView.of(smaller);
        for (LayerNode n : from.nodes()) {
            if (n.layer() == null) {
                continue;
            }
            for (Map.Entry<String, INDArray> p : n.layer().paramTable().entrySet()) {
                INDArray value = edits.slice(n, p.getKey(), p.getValue());
                to.node(n.name()).layer().setParam(p.getKey(), value.dup());
            }
        }
        deltas.forEach((reader, delta) -> {
            int[] out = edits.outputs.get(reader);
            MeanReplacement.apply(to, reader, out == null ? delta : Slices.select(delta, 0, out));
        });
        return (M) smaller;
    }

    /** A copy of {@code net} in which the channels {@code plan} removes are zero; same shapes. */
    public static <M extends Model> M mask(M net, ChannelPlan plan) {
        return mask(net, plan, Map.of());
    }

    /**
     * A copy of {@code net} in which the channels {@code plan} removes are replaced by their means
     * on {@code sample}, group after group as in {@link #remove(Model, ChannelPlan, INDArray)}.
     */
    public static <M extends Model> M mask(M net, ChannelPlan plan, INDArray sample) {
        return groupByGroup(net, plan, sample, ChannelPruning::mask);
    }

    /** Removing or masking one group's channels, given the mean-replacement shifts of its readers. */
    private interface Cutter {
        <M extends Model> M apply(M net, ChannelPlan plan, Map<String, INDArray> deltas);
    }

    /** Applies {@code cutter} one group at a time, each group's means measured on the network already cut. */
    private static <M extends Model> M groupByGroup(M net, ChannelPlan plan, INDArray sample, Cutter cutter) {
        Edits.of(net, plan);
        M current = plan.cuts().isEmpty() ? Networks.copy(net) : net;   // never hand back the original
        for (ChannelPlan.Cut cut : plan.cuts()) {
            ChannelPlan one = ChannelPlan.group(ChannelGroups.of(current), cut.group().name(), cut.keep());
            current = cutter.apply(current, one, MeanReplacement.deltas(current, one, sample));
        }
        return current;
    }

    private static <M extends Model> M mask(M net, ChannelPlan plan, Map<String, INDArray> deltas) {
        Edits.of(net, plan);   // validates the plan against this network
        M copy = Networks.copy(net);
        NetworkView view = NetworkView.of(copy);
        for (ChannelPlan.Cut cut : plan.cuts()) {
            ChannelGroup g = cut.group();
            INDArray keep = Nd4j.zeros(g.channels());
            for (int c : cut.keep()) {
                keep.putScalar(c, 1);
            }
            for (String p : g.producers()) {
                zeroOutside(view.node(p), keep, "W", "b");
            }
            for (String c : g.carriers()) {
                LayerNode n = view.node(c);
                if (n.kind() == LayerKind.BATCH_NORM) {
                    zeroOutside(n, keep, "gamma", "beta");
                } else {
                    zeroOutside(n, keep, "W", "b");
                }
            }
        }
        deltas.forEach((reader, delta) -> MeanReplacement.apply(view, reader, delta));
        return copy;
    }

    /** Multiplies the per-channel params by the 0/1 {@code keep} along their channel axis. */
    private static void zeroOutside(LayerNode n, INDArray keep, String... params) {
        for (String name : params) {
            INDArray p = n.layer().paramTable().get(name);
            if (p == null) {
                continue;
            }
            int axis = name.equals("W") ? n.outputAxis() : p.rank() - 1;
            Broadcast.mul(p, keep.castTo(p.dataType()), p, axis);
        }
    }

    /** A layer's configuration and input preprocessor in the copied network configuration. */
    private record Confs(Layer layer, InputPreProcessor preprocessor) {
    }

    /** What each layer loses: output channels (producers), per-channel params (carriers), inputs (readers). */
    private record Edits(Map<String, int[]> outputs, Map<String, int[]> carried, Map<String, int[]> inputs,
                         Map<String, Long> positions) {

        static Edits of(Model net, ChannelPlan plan) {
            if (plan.groups().view().model() != net) {
                throw new IllegalArgumentException("the plan was made for another network; make it with ChannelGroups.of(net)");
            }
            Edits e = new Edits(new HashMap<>(), new HashMap<>(), new HashMap<>(), new HashMap<>());
            for (ChannelPlan.Cut cut : plan.cuts()) {
                ChannelGroup g = cut.group();
                g.producers().forEach(p -> e.outputs.put(p, cut.keep()));
                g.carriers().forEach(c -> e.carried.put(c, cut.keep()));
                for (ChannelGroup.Reader r : g.readers()) {
                    e.inputs.put(r.layer(), cut.keep());
                    e.positions.put(r.layer(), r.positions());
                }
            }
            return e;
        }

        void resize(java.util.function.Function<String, Confs> confs) {
            outputs.forEach((name, keep) -> ((FeedForwardLayer) confs.apply(name).layer()).setNOut(keep.length));
            carried.forEach((name, keep) -> {
                FeedForwardLayer l = (FeedForwardLayer) confs.apply(name).layer();
                l.setNIn(keep.length);
                l.setNOut(keep.length);
            });
            inputs.forEach((name, keep) -> {
                Confs c = confs.apply(name);
                ((FeedForwardLayer) c.layer()).setNIn(keep.length * positions.get(name));
                if (c.preprocessor() instanceof CnnToFeedForwardPreProcessor flatten) {
                    flatten.setNumChannels(keep.length);
                }
            });
        }

        /** {@code value}, parameter {@code param} of node {@code n}, without the removed channels. */
        INDArray slice(LayerNode n, String param, INDArray value) {
            String name = n.name();
            int[] out = outputs.containsKey(name) ? outputs.get(name) : carried.get(name);
            if (out != null) {
                int axis = param.equals("W") ? n.outputAxis() : value.rank() - 1;
                value = Slices.select(value, axis, out);
            }
            int[] in = inputs.get(name);
            if (in != null && param.equals("W")) {
                value = n.kind() == LayerKind.CONV ? Slices.select(value, 1, in)
                        : Slices.select(value, 0, Slices.expand(in, positions.get(name)));
            }
            return value;
        }
    }
}
