package org.squeeze4j.prune;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.api.Model;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Computes pruning masks from an {@link Importance}, a {@link Granularity}, a {@link Selection}
 * and a {@link Scope}, and applies them.
 *
 * <p>Masks are computed for every layer before any weight changes, so an invalid request (an
 * unknown layer, an N:M pattern that does not divide a layer, a sparsity out of range) throws
 * and leaves the network exactly as it was.
 *
 * <pre>{@code
 * Pruner pruner = Pruner.builder().layers("fc1", "fc2", "fc3")
 *         .importance(Importance.magnitude()).selection(Selection.sparsity(0.9)).scope(Scope.GLOBAL).build();
 * Masks masks = pruner.prune(net);     // weights are zeroed; keep masks.keeper() while fine-tuning
 * }</pre>
 */
public final class Pruner {
    private final List<String> layers;
    private final Importance importance;
    private final Granularity granularity;
    private final Selection selection;
    private final Map<String, Selection> perLayer;
    private final Scope scope;
    private final double globalSparsity;

    private Pruner(Builder b) {
        this.layers = List.copyOf(b.layers);
        this.importance = b.importance;
        this.granularity = b.granularity;
        this.selection = b.selection;
        this.perLayer = Map.copyOf(b.perLayer);
        this.scope = b.scope;
        this.globalSparsity = b.globalSparsity;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The masks this pruner would apply; the network is not modified. */
    public Masks masks(Model net) {
        NetworkView view = NetworkView.of(net);
        List<String> names = layers.isEmpty() ? view.weightedNames() : layers;
        Map<String, INDArray> scores = new LinkedHashMap<>();
        for (String name : names) {
            LayerNode node = view.weightedNode(name); // validates the name
            requireStructureFits(node);
            INDArray w = node.weight();
            INDArray s = importance.scores(net, name);
            if (!java.util.Arrays.equals(s.shape(), w.shape())) {
                throw new IllegalStateException("importance returned scores of shape " + java.util.Arrays.toString(s.shape())
                        + " for layer " + name + " with weights " + java.util.Arrays.toString(w.shape()));
            }
            if (s.isNaN().any() || w.isNaN().any()) {
                throw new IllegalArgumentException("layer " + name + " has NaN weights or scores; fix training before pruning");
            }
            scores.put(name, s);
        }
        Selection global = scope == Scope.GLOBAL ? globalThreshold(scores) : null;
        Masks masks = Masks.none();
        for (Map.Entry<String, INDArray> e : scores.entrySet()) {
            Selection sel = global != null ? global : perLayer.getOrDefault(e.getKey(), selection);
            if (sel == null) {
                throw new IllegalArgumentException("no selection for layer " + e.getKey() + ": give it selection(\"" + e.getKey()
                        + "\", ...) or set a default selection(...)");
            }
            masks = masks.with(e.getKey(), granularity.mask(view.weightedNode(e.getKey()).weight(), e.getValue(), sel));
        }
        return masks;
    }

    /** Computes the masks and zeroes the pruned weights in place. */
    public Masks prune(Model net) {
        Masks masks = masks(net);
        masks.applyTo(net);
        return masks;
    }

    /** Kept and total weights of every masked layer. */
    public static List<LayerSparsity> report(Masks masks) {
        List<LayerSparsity> rows = new ArrayList<>();
        for (String layer : masks.layers()) {
            INDArray m = masks.mask(layer);
            rows.add(new LayerSparsity(layer, m.length(), m.sumNumber().longValue()));
        }
        return rows;
    }

    /** Fraction of zero weights over the given layers' {@code W} (all prunable layers if none are given). */
    public static double sparsity(Model net, String... layers) {
        return PrunableLayers.fractionOfSmall(net, 0, false, layers);
    }

    /**
     * Structured granularities read a weight as {@code [outputs, inputs]} rows, which holds for
     * dense and ordinary convolution layers only; on a depthwise, separable or transposed
     * convolution the rows would mix channels, so those take element-wise pruning only.
     */
    private void requireStructureFits(LayerNode node) {
        LayerKind k = node.kind();
        if (granularity != Granularity.ELEMENT && k != LayerKind.DENSE && k != LayerKind.OUTPUT && k != LayerKind.CONV) {
            throw new IllegalArgumentException("structured pruning of " + node.describe() + " is not supported: its weight"
                    + " layout has no [outputs, inputs] rows. Prune it element-wise (Granularity.element()), or leave it out"
                    + " with layers(...)");
        }
    }

    private Selection globalThreshold(Map<String, INDArray> scores) {
        long total = scores.values().stream().mapToLong(INDArray::length).sum();
        INDArray all = Nd4j.toFlattened(scores.values().stream().map(s -> s.castTo(DataType.FLOAT)).toList());
        long prune = Math.round(globalSparsity * total);
        if (prune == 0) {
            return (s, w) -> Nd4j.ones(DataType.FLOAT, s.shape());
        }
        INDArray sorted = Nd4j.sort(all.dup(), true);
        // keep scores strictly above the prune-th smallest; ties at the boundary are pruned together
        double cut = sorted.getDouble(prune - 1);
        return (s, w) -> s.gt(cut).castTo(DataType.FLOAT);
    }

    /** Options of a {@link Pruner}. Defaults: all prunable layers, magnitude, element-wise, per layer. */
    public static final class Builder {
        private final List<String> layers = new ArrayList<>();
        private Importance importance = Importance.magnitude();
        private Granularity granularity = Granularity.element();
        private Selection selection;
        private final Map<String, Selection> perLayer = new LinkedHashMap<>();
        private Scope scope = Scope.LAYER;
        private double globalSparsity = Double.NaN;

        /** The layers to prune (default: every layer with weights). */
        public Builder layers(String... names) {
            layers.addAll(List.of(names));
            return this;
        }

        public Builder importance(Importance importance) {
            this.importance = Objects.requireNonNull(importance, "importance");
            return this;
        }

        public Builder granularity(Granularity granularity) {
            this.granularity = Objects.requireNonNull(granularity, "granularity");
            return this;
        }

        /** The selection for every layer without its own. */
        public Builder selection(Selection selection) {
            this.selection = Objects.requireNonNull(selection, "selection");
            return this;
        }

        /** A selection for one layer, e.g. Han et al.'s per-layer ratios. */
        public Builder selection(String layer, Selection selection) {
            perLayer.put(layer, Objects.requireNonNull(selection, "selection"));
            return this;
        }

        /** Shortcut: {@code selection(Selection.sparsity(s))} and, for {@link Scope#GLOBAL}, the global target. */
        public Builder sparsity(double s) {
            this.selection = Selection.sparsity(s);
            this.globalSparsity = s;
            return this;
        }

        /** {@link Scope#GLOBAL} ranks element scores of all layers together; it needs {@link #sparsity(double)}. */
        public Builder scope(Scope scope) {
            this.scope = Objects.requireNonNull(scope, "scope");
            return this;
        }

        public Pruner build() {
            if (scope == Scope.GLOBAL && granularity != Granularity.ELEMENT) {
                throw new IllegalArgumentException("global scope ranks single weights; use Granularity.element() with it");
            }
            if (scope == Scope.GLOBAL && Double.isNaN(globalSparsity)) {
                throw new IllegalArgumentException("global scope needs a target: call sparsity(s)");
            }
            if (selection == null && perLayer.isEmpty()) {
                throw new IllegalArgumentException("say how much to prune: sparsity(s), selection(...) or selection(layer, ...)");
            }
            if (selection == null && !layers.isEmpty() && !perLayer.keySet().containsAll(layers)) {
                throw new IllegalArgumentException("layers " + layers + " need a selection each, or a default selection(...)");
            }
            return new Pruner(this);
        }
    }
}
