package org.squeeze4j.prune;

/**
 * Accuracy of a network with one layer pruned to a sparsity, the others untouched.
 *
 * @param layer the pruned layer
 * @param sparsity fraction of that layer's weights removed
 * @param accuracy accuracy after pruning without fine-tuning, a fraction in [0, 1]
 */
public record SensitivityPoint(String layer, double sparsity, double accuracy) {
}
