package org.squeeze4j.prune;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.api.Model;
import org.squeeze4j.models.NetworkView;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Pruning masks: for each pruned layer a 0/1 array of the shape of its weights {@code W}
 * (1 = keep). Applying a mask multiplies the weights in place, {@code W <- W ⊙ M}.
 *
 * <p>Immutable: {@link #with} returns a new instance and the arrays are copied on the way in.
 * Masks only stay applied during fine-tuning if a {@link MaskKeeper} re-applies them after each
 * update, since optimizers such as Adam move zeroed weights away from zero again.
 */
public final class Masks {
    private final Map<String, INDArray> masks;

    private Masks(Map<String, INDArray> masks) {
        this.masks = masks;
    }

    public static Masks none() {
        return new Masks(Map.of());
    }

    /**
     * The masks already present in a pruned network: 1 where a weight of a prunable layer is
     * non-zero, 0 where it is exactly zero. Use it to keep a shipped pruned model's zeros through
     * further fine-tuning ({@code net.addListeners(Masks.ofZeros(net).keeper())}).
     */
    public static Masks ofZeros(Model net) {
        Masks result = none();
        for (var node : NetworkView.of(net).weighted()) {
            result = result.with(node.name(), node.weight().neq(0).castTo(DataType.FLOAT));
        }
        return result;
    }

    /** These masks plus (or replacing) the mask of {@code layer}. */
    public Masks with(String layer, INDArray mask) {
        Map<String, INDArray> copy = new LinkedHashMap<>(masks);
        copy.put(layer, mask.castTo(DataType.FLOAT).dup());
        return new Masks(Collections.unmodifiableMap(copy));
    }

    /** Masks that keep a weight only if both keep it (pruning never revives a weight). */
    public Masks and(Masks other) {
        Masks result = this;
        for (Map.Entry<String, INDArray> e : other.masks.entrySet()) {
            INDArray mine = masks.get(e.getKey());
            result = result.with(e.getKey(), mine == null ? e.getValue() : mine.mul(e.getValue()));
        }
        return result;
    }

    public Set<String> layers() {
        return masks.keySet();
    }

    /** A copy of the mask of {@code layer}. */
    public INDArray mask(String layer) {
        INDArray m = masks.get(layer);
        if (m == null) {
            throw new IllegalArgumentException("no mask for layer '" + layer + "'; masked layers are " + masks.keySet());
        }
        return m.dup();
    }

    /** Fraction of pruned weights in {@code layer}, in [0, 1]. */
    public double sparsity(String layer) {
        INDArray m = masks.get(layer);
        return m == null ? 0 : 1.0 - m.sumNumber().doubleValue() / m.length();
    }

    /** Fraction of kept weights in {@code layer}, {@code 1 - sparsity}. */
    public double keepRatio(String layer) {
        return 1.0 - sparsity(layer);
    }

    /** Multiplies every masked layer's weights by its mask, in place. */
    public void applyTo(Model net) {
        if (masks.isEmpty()) {
            return;
        }
        NetworkView view = NetworkView.of(net);
        for (Map.Entry<String, INDArray> e : masks.entrySet()) {
            INDArray w = view.weightedNode(e.getKey()).weight();
            if (!java.util.Arrays.equals(w.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("mask of '" + e.getKey() + "' has shape " + java.util.Arrays.toString(e.getValue().shape())
                        + " but the layer's weights have shape " + java.util.Arrays.toString(w.shape()));
            }
            w.muli(e.getValue());
        }
    }

    /** A training listener that keeps these masks applied during fine-tuning. */
    public MaskKeeper keeper() {
        return new MaskKeeper(this);
    }
}
