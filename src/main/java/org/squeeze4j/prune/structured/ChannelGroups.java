package org.squeeze4j.prune.structured;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;

/**
 * The channel dependency groups of a network (the idea of Torch-Pruning's dependency graph,
 * Fang et al. 2023, "DepGraph"): which output channels must be removed together so that every
 * tensor keeps matching shapes and the smaller network computes what the masked one does.
 *
 * <p>One walk over the {@link NetworkView} in topological order gives every tensor a channel
 * space: a convolution or dense layer opens a new one; batch norm, depthwise convolution,
 * pooling, dropout and element-wise activations pass theirs through; an add unites the spaces
 * of its inputs (union-find). A space is refused, with the reason, when it is the network's
 * input or output (the image's channels, the classes), when a merge concatenates it, when a
 * layer this package cannot shrink touches it (separable or transposed convolution, a depthwise
 * multiplier above 1, an unknown preprocessor), or when an activation on it is not zero at zero
 * (sigmoid: a removed channel would not have been silent).
 */
public final class ChannelGroups {
    private final NetworkView view;
    private final List<ChannelGroup> groups;
    private final Map<String, ChannelGroup> byLayer;

    private ChannelGroups(NetworkView view, List<ChannelGroup> groups, Map<String, ChannelGroup> byLayer) {
        this.view = view;
        this.groups = List.copyOf(groups);
        this.byLayer = byLayer;
    }

    /** The groups of a {@code MultiLayerNetwork} or a {@code ComputationGraph}. */
    public static ChannelGroups of(Model net) {
        return of(NetworkView.of(net));
    }

    /** The groups of the network {@code view} describes. */
    public static ChannelGroups of(NetworkView view) {
        Builder b = new Builder();
        Map<String, Integer> space = new HashMap<>();
        for (String input : view.inputs()) {
            int s = b.open();
            b.refuse(s, "they are the network input '" + input + "'");
            space.put(input, s);
        }
        for (LayerNode n : view.nodes()) {
            List<Integer> in = n.inputs().stream().map(space::get).toList();
            int out;
            switch (n.kind()) {
                case DENSE, CONV, OUTPUT -> {
                    b.read(in.get(0), n, positions(n));
                    out = b.open();
                    b.producers(out).add(n.name());
                    b.requireZeroAtZero(out, n);
                }
                case DEPTHWISE -> {
                    out = in.get(0);
                    long m = ((DepthwiseConvolution2D) n.conf()).getDepthMultiplier();
                    if (m != 1) {
                        b.refuse(out, n.describe() + " has depth multiplier " + m);
                        out = b.open();
                        b.refuse(out, "they come from " + n.describe() + " with depth multiplier " + m);
                    } else {
                        b.carriers(out).add(n.name());
                        b.requireZeroAtZero(out, n);
                    }
                }
                case BATCH_NORM -> {
                    out = in.get(0);
                    b.carriers(out).add(n.name());
                }
                case ACTIVATION, POOL, GLOBAL_POOL, DROPOUT -> {
                    out = in.get(0);
                    b.requireZeroAtZero(out, n);
                }
                case ADD -> {
                    out = in.get(0);
                    for (int s : in.subList(1, in.size())) {
                        out = b.union(out, s);
                    }
                    b.joins(out).add(n.name());
                }
                default -> {   // MERGE, SEPARABLE, DECONV
                    String why = n.kind() == LayerKind.MERGE ? "concatenated by " + n.describe()
                            : "read by " + n.describe() + ", which channel pruning cannot shrink";
                    in.forEach(s -> b.refuse(s, "they are " + why));
                    out = b.open();
                    b.refuse(out, "they come from " + n.describe());
                }
            }
            space.put(n.name(), out);
        }
        for (String output : view.outputs()) {
            b.refuse(space.get(output), "they are the network output '" + output + "'");
        }
        return b.build(view);
    }

    /** Every group, in the order of its first producer. */
    public List<ChannelGroup> all() {
        return groups;
    }

    /** The groups that can be pruned. */
    public List<ChannelGroup> prunable() {
        return groups.stream().filter(ChannelGroup::prunable).toList();
    }

    /** The group a layer's output belongs to (for a producer or carrier), by layer name. */
    public ChannelGroup of(String layer) {
        ChannelGroup g = byLayer.get(layer);
        if (g == null) {
            view.node(layer);
            throw new IllegalArgumentException("layer " + view.node(layer).describe() + " neither produces nor carries"
                    + " channels; groups are named after their producers " + groups.stream().map(ChannelGroup::name).toList());
        }
        return g;
    }

    /** The network these groups describe. */
    public NetworkView view() {
        return view;
    }

    /** Inputs per channel of a reader: {@code h · w} behind a flattening preprocessor, 1 otherwise. */
    private static long positions(LayerNode n) {
        InputPreProcessor pre = n.preprocessor();
        if (pre == null) {
            return 1;
        }
        if (pre instanceof CnnToFeedForwardPreProcessor flatten) {
            return flatten.getInputHeight() * flatten.getInputWidth();
        }
        return -1;
    }

    private static IActivation activation(LayerNode n) {
        if (n.conf() instanceof BaseLayer l) {
            return l.getActivationFn();
        }
        if (n.conf() instanceof ActivationLayer a) {
            return a.getActivationFn();
        }
        return null;
    }

    /** Union-find over channel spaces, collecting each space's members. */
    private static final class Builder {
        private final List<Integer> parent = new ArrayList<>();
        private final List<Space> spaces = new ArrayList<>();

        private record Space(List<String> producers, List<String> carriers, List<String> joins,
                             List<ChannelGroup.Reader> readers, List<String> refusals) {
        }

        int open() {
            parent.add(parent.size());
            spaces.add(new Space(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
            return parent.size() - 1;
        }

        int find(int s) {
            while (parent.get(s) != s) {
                parent.set(s, parent.get(parent.get(s)));
                s = parent.get(s);
            }
            return s;
        }

        int union(int a, int b) {
            int ra = find(a);
            int rb = find(b);
            if (ra == rb) {
                return ra;
            }
            int root = Math.min(ra, rb);
            int other = Math.max(ra, rb);
            parent.set(other, root);
            Space r = spaces.get(root);
            Space o = spaces.get(other);
            r.producers.addAll(o.producers);
            r.carriers.addAll(o.carriers);
            r.joins.addAll(o.joins);
            r.readers.addAll(o.readers);
            r.refusals.addAll(o.refusals);
            return root;
        }

        List<String> producers(int s) {
            return spaces.get(find(s)).producers;
        }

        List<String> carriers(int s) {
            return spaces.get(find(s)).carriers;
        }

        List<String> joins(int s) {
            return spaces.get(find(s)).joins;
        }

        void read(int s, LayerNode reader, long positions) {
            spaces.get(find(s)).readers.add(new ChannelGroup.Reader(reader.name(), positions));
            if (positions < 0) {
                refuse(s, "they reach " + reader.describe() + " through a " + reader.preprocessor().getClass().getSimpleName());
            }
        }

        void refuse(int s, String why) {
            spaces.get(find(s)).refusals.add(why);
        }

        /** A removed channel must have been silent: every activation on the way has to map 0 to 0. */
        void requireZeroAtZero(int s, LayerNode n) {
            IActivation a = activation(n);
            if (a == null) {
                return;
            }
            double atZero = a.getActivation(Nd4j.zeros(DataType.FLOAT, 1, 1), false).getDouble(0);
            if (atZero != 0) {
                refuse(s, "they pass the activation " + a + " of " + n.describe() + ", which maps 0 to " + atZero);
            }
        }

        ChannelGroups build(NetworkView view) {
            List<ChannelGroup> groups = new ArrayList<>();
            Map<String, ChannelGroup> byLayer = new LinkedHashMap<>();
            for (int s = 0; s < spaces.size(); s++) {
                Space sp = spaces.get(s);
                if (find(s) != s || sp.producers.isEmpty()) {
                    continue;   // merged into another space, or the network input
                }
                long channels = view.node(sp.producers.get(0)).outputChannels();
                ChannelGroup g = new ChannelGroup(sp.producers.get(0), Math.toIntExact(channels), sp.producers, sp.carriers,
                        sp.joins, sp.readers, sp.refusals.isEmpty() ? null : "channels of " + String.join(" + ", sp.producers)
                        + " cannot be removed: " + String.join("; ", sp.refusals));
                groups.add(g);
                sp.producers.forEach(p -> byLayer.put(p, g));
                sp.carriers.forEach(c -> byLayer.put(c, g));
            }
            return new ChannelGroups(view, groups, byLayer);
        }
    }
}
