package org.squeeze4j.prune.structured;

import java.util.Arrays;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.squeeze4j.models.DerivedReference;
import org.squeeze4j.models.ReferenceGraph;
import org.squeeze4j.models.TrainingRecipe;

/**
 * Channel-pruned networks shipped with squeeze4j: a {@link ReferenceGraph} baseline pruned by a
 * {@link ChannelRecipe} whose fine-tuning is too long for a notebook's two-minute budget. Each
 * lives on the classpath as {@code /org/squeeze4j/models/<id>.zip} next to {@code <id>.json}
 * ({@link ChannelPrunedInfo}), and {@code ./s4j prune <dense id>} re-creates both.
 */
public enum ChannelPrunedReference implements DerivedReference<ComputationGraph, ChannelPrunedInfo> {
    /** ResNet-8 with 30 % of every channel group removed (about half the MACs), fine-tuned for 10 epochs. */
    RESNET8("resnet8-channels", ReferenceGraph.RESNET8, new ChannelRecipe(0.3, 500, new TrainingRecipe(10, 128, 1e-3, 42)));

    private final String id;
    private final ReferenceGraph dense;
    private final ChannelRecipe recipe;

    ChannelPrunedReference(String id, ReferenceGraph dense, ChannelRecipe recipe) {
        this.id = id;
        this.dense = dense;
        this.recipe = recipe;
    }

    @Override
    public String id() {
        return id;
    }

    /** The baseline this network was pruned from. */
    @Override
    public ReferenceGraph dense() {
        return dense;
    }

    public ChannelRecipe recipe() {
        return recipe;
    }

    @Override
    public String verb() {
        return "prune";
    }

    @Override
    public Class<ComputationGraph> modelType() {
        return ComputationGraph.class;
    }

    @Override
    public Class<ChannelPrunedInfo> infoType() {
        return ChannelPrunedInfo.class;
    }

    /** The channel-pruned network made from the baseline with this id, or null if there is none. */
    public static ChannelPrunedReference ofDense(String denseId) {
        return Arrays.stream(values()).filter(r -> r.dense.id().equalsIgnoreCase(denseId)).findFirst().orElse(null);
    }
}
