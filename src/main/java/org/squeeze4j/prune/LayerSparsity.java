package org.squeeze4j.prune;

/**
 * How much of one layer's weights a pruning step kept.
 *
 * @param layer layer name
 * @param weights number of weights in {@code W}
 * @param kept weights kept (mask = 1)
 */
public record LayerSparsity(String layer, long weights, long kept) {
    public double keepRatio() {
        return weights == 0 ? 1 : (double) kept / weights;
    }

    public double sparsity() {
        return 1 - keepRatio();
    }
}
