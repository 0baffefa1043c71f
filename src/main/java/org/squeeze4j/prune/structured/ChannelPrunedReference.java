package org.squeeze4j.prune.structured;

import java.util.Arrays;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.squeeze4j.models.ModelFiles;
import org.squeeze4j.models.ReferenceGraph;
import org.squeeze4j.models.TrainingRecipe;

/**
 * Channel-pruned networks shipped with squeeze4j: a {@link ReferenceGraph} baseline pruned by a
 * {@link ChannelRecipe} whose fine-tuning is too long for a notebook's two-minute budget. Each
 * lives on the classpath as {@code /org/squeeze4j/models/<id>.zip} next to {@code <id>.json}
 * ({@link ChannelPrunedInfo}), and {@code ./s4j prune <dense id>} re-creates both.
 */
public enum ChannelPrunedReference {
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

    public String id() {
        return id;
    }

    /** The baseline this network was pruned from. */
    public ReferenceGraph dense() {
        return dense;
    }

    public ChannelRecipe recipe() {
        return recipe;
    }

    /** The command that re-creates the shipped files. */
    public String command() {
        return "./s4j prune " + dense.id();
    }

    /** Loads the shipped pruned and fine-tuned network (a new copy on every call). */
    public ComputationGraph pretrained() {
        return ModelFiles.loadResource("/org/squeeze4j/models/" + id + ".zip", command(), ComputationGraph.class);
    }

    /** Provenance of the shipped network. */
    public ChannelPrunedInfo info() {
        return ModelFiles.readProvenance("/org/squeeze4j/models/" + id + ".json", ChannelPrunedInfo.class, command());
    }

    /** The channel-pruned network made from the baseline with this id, or null if there is none. */
    public static ChannelPrunedReference ofDense(String denseId) {
        return Arrays.stream(values()).filter(r -> r.dense.id().equalsIgnoreCase(denseId)).findFirst().orElse(null);
    }
}
