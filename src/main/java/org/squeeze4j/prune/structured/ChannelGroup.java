package org.squeeze4j.prune.structured;

import java.util.List;

/**
 * A set of channels that can only be removed together: one channel index {@code c} names the
 * same feature map in every tensor of the group, from the layers that write it to the layers
 * that read it. In a plain chain each convolution's output is its own group; a residual add
 * ties the channels of everything it sums (the block's last convolution, the projection or,
 * through an identity shortcut, the previous block's output) into one group, and batch norm,
 * depthwise convolutions, pooling and ReLU carry a group through unchanged.
 *
 * <p>Removing channel {@code c} of a group means: drop output {@code c} of every producer, the
 * per-channel parameters {@code c} of every carrier, and input {@code c} of every reader.
 *
 * @param name      the group's name: its first producer
 * @param channels  number of channels
 * @param producers layers whose output channels the group is (convolutions, dense layers)
 * @param carriers  layers with per-channel parameters that the group passes through (batch
 *                  norm, depthwise convolutions)
 * @param joins     the residual adds that tie the producers together
 * @param readers   layers that read the group as their input channels
 * @param refusal   why the group cannot be pruned, or null if it can
 */
public record ChannelGroup(String name, int channels, List<String> producers, List<String> carriers, List<String> joins,
                           List<Reader> readers, String refusal) {

    /**
     * A layer that reads the group's channels.
     *
     * @param layer     its name
     * @param positions inputs per channel: 1 for a convolution or a dense layer after global
     *                  pooling, {@code h · w} for a dense layer reading a flattened {@code h × w} map
     */
    public record Reader(String layer, long positions) {
    }

    public ChannelGroup {
        producers = List.copyOf(producers);
        carriers = List.copyOf(carriers);
        joins = List.copyOf(joins);
        readers = List.copyOf(readers);
    }

    /** Whether the group's channels can be removed. */
    public boolean prunable() {
        return refusal == null;
    }

    /** Whether a residual add ties more than one producer into this group. */
    public boolean coupled() {
        return producers.size() > 1;
    }

    /** "stem + b1_conv2 (64 channels, joined by b1_add)" for messages and tables. */
    public String describe() {
        return String.join(" + ", producers) + " (" + channels + " channels" + (joins.isEmpty() ? "" : ", joined by "
                + String.join(", ", joins)) + ")";
    }
}
