package org.squeeze4j.prune.structured;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

/**
 * Which channels of which groups to keep: the preview of a channel pruning, before
 * {@link ChannelPruning#remove} or {@link ChannelPruning#mask} applies it. Every cut is checked
 * when the plan is made (the group must be prunable, the kept channels ascending, distinct, in
 * range and not empty), so applying a plan never fails half-way.
 *
 * @param groups the network's groups
 * @param cuts   one per group that loses channels
 */
public record ChannelPlan(ChannelGroups groups, List<Cut> cuts) {

    /**
     * The channels of one group that stay.
     *
     * @param group the group
     * @param keep  its kept channel indices, ascending
     */
    public record Cut(ChannelGroup group, int[] keep) {
        public Cut {
            if (!group.prunable()) {
                throw new IllegalArgumentException(group.refusal());
            }
            keep = keep.clone();
            if (keep.length == 0) {
                throw new IllegalArgumentException("keeping no channel of " + group.describe() + " would disconnect the network");
            }
            for (int k = 0; k < keep.length; k++) {
                if (keep[k] < 0 || keep[k] >= group.channels() || (k > 0 && keep[k] <= keep[k - 1])) {
                    throw new IllegalArgumentException("channels to keep must be ascending, distinct and in [0, " + group.channels()
                            + ") for " + group.describe() + ", got " + Arrays.toString(keep));
                }
            }
        }

        /** The kept channel indices (a copy). */
        @Override
        public int[] keep() {
            return keep.clone();
        }

        /** Number of channels removed. */
        public int removed() {
            return group.channels() - keep.length;
        }
    }

    public ChannelPlan {
        cuts = List.copyOf(cuts);
        List<String> seen = new ArrayList<>();
        for (Cut c : cuts) {
            if (seen.contains(c.group().name())) {
                throw new IllegalArgumentException("group " + c.group().describe() + " is cut twice");
            }
            seen.add(c.group().name());
        }
    }

    /**
     * Removes the least important {@code fraction} of the channels of every prunable group
     * (keeping {@code max(1, round((1 - fraction) C))}; ties go to the lower index).
     */
    public static ChannelPlan uniform(ChannelGroups groups, GroupImportance importance, double fraction) {
        return perGroup(groups, importance, g -> fraction);
    }

    /**
     * Removes the least important {@code fraction(g)} of the channels of each prunable group
     * {@code g} (0 leaves a group alone): for example less from the groups a residual add
     * couples, whose channels every block reads, than from a block's inner convolution.
     */
    public static ChannelPlan perGroup(ChannelGroups groups, GroupImportance importance, ToDoubleFunction<ChannelGroup> fraction) {
        List<Cut> cuts = new ArrayList<>();
        for (ChannelGroup g : groups.prunable()) {
            double f = fraction.applyAsDouble(g);
            if (!(f >= 0 && f < 1)) {
                throw new IllegalArgumentException("fraction of channels to remove must be in [0, 1), got " + f + " for "
                        + g.describe());
            }
            int keep = Math.max(1, (int) Math.round((1 - f) * g.channels()));
            if (keep == g.channels()) {
                continue;
            }
            double[] scores = importance.scores(groups.view(), g);
            int[] kept = IntStream.range(0, scores.length).boxed()
                    .sorted(Comparator.comparingDouble((Integer c) -> -scores[c]).thenComparingInt(c -> c))
                    .limit(keep).mapToInt(Integer::intValue).sorted().toArray();
            cuts.add(new Cut(g, kept));
        }
        return new ChannelPlan(groups, cuts);
    }

    /**
     * Keeps {@code keep} of the channels of {@code layer}'s group: the whole group loses them,
     * shortcuts included, so the network stays consistent.
     */
    public static ChannelPlan group(ChannelGroups groups, String layer, int[] keep) {
        return new ChannelPlan(groups, List.of(new Cut(groups.of(layer), keep)));
    }

    /**
     * Keeps {@code keep} of the output channels of {@code layer} alone, as a per-layer pruner
     * would. Refused when a residual add ties the layer's channels to another layer's: removing
     * them from one side would break the shortcut (the add would sum tensors of different
     * widths); the message names the group to prune instead, with {@link #group}.
     */
    public static ChannelPlan layer(ChannelGroups groups, String layer, int[] keep) {
        ChannelGroup g = groups.of(layer);
        if (!g.producers().contains(layer)) {
            throw new IllegalArgumentException("'" + layer + "' produces no channels of its own: it carries those of "
                    + g.describe() + "; prune that group with ChannelPlan.group(groups, \"" + layer + "\", keep)");
        }
        if (g.coupled()) {
            throw new IllegalArgumentException("removing channels of '" + layer + "' alone would break the shortcut "
                    + String.join(", ", g.joins()) + ": its channels are tied to " + g.describe()
                    + "; remove them from the whole group with ChannelPlan.group(groups, \"" + layer + "\", keep)");
        }
        return group(groups, layer, keep);
    }

    /** Channels removed over all cuts. */
    public int removedChannels() {
        return cuts.stream().mapToInt(Cut::removed).sum();
    }
}
