package org.squeeze4j.prune.structured;

import java.util.Map;

/**
 * Provenance of a shipped channel-pruned network, stored next to it as JSON by {@code ./s4j prune}.
 *
 * @param model          the {@link ChannelPrunedReference} id
 * @param dense          the id of the baseline it was pruned from
 * @param testAccuracy   test accuracy after fine-tuning, a fraction in [0, 1]
 * @param prunedAccuracy test accuracy right after pruning (mean replacement, no fine-tuning)
 * @param denseAccuracy  the baseline's test accuracy, measured in the same run
 * @param macs           multiply-accumulates per image of the pruned network
 * @param denseMacs      the same for the baseline
 * @param channels       output channels per producer layer of the pruned network
 * @param recipe         how it was pruned and fine-tuned
 * @param trainSeconds   wall time of the fine-tuning on {@code machine}
 * @param command        the command that reproduces the file
 */
public record ChannelPrunedInfo(String model, String dense, double testAccuracy, double prunedAccuracy, double denseAccuracy,
                                long macs, long denseMacs, Map<String, Long> channels, ChannelRecipe recipe,
                                double trainSeconds, String machine, String versions, String command) {
}
