package org.squeeze4j.prune;

import java.util.Map;

/**
 * Provenance of a shipped pruned model, stored next to it as JSON by {@code ./s4j prune}.
 *
 * @param model the {@link PrunedReference} id
 * @param dense the id of the dense baseline it was pruned from
 * @param testAccuracy accuracy on the MNIST test set, a fraction in [0, 1]
 * @param denseAccuracy the dense baseline's test accuracy, measured in the same run
 * @param sparsity fraction of zero weights over the pruned layers
 * @param keepRatios fraction of weights kept, per layer
 * @param recipe how it was pruned and fine-tuned
 * @param trainSeconds wall time of pruning and fine-tuning on {@code machine}
 * @param command the command that reproduces the file
 */
public record PrunedInfo(String model, String dense, double testAccuracy, double denseAccuracy, double sparsity,
                         Map<String, Double> keepRatios, AgpRecipe recipe, double trainSeconds, String machine,
                         String versions, String command) {
}
