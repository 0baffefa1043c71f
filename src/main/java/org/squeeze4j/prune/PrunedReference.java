package org.squeeze4j.prune;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.squeeze4j.models.ModelFiles;
import org.squeeze4j.models.ReferenceModel;

/**
 * Pruned networks shipped with squeeze4j, made from a {@link ReferenceModel} baseline by an
 * {@link AgpRecipe} too long for a notebook's two-minute budget. Each lives on the classpath as
 * {@code /org/squeeze4j/models/<id>.zip} next to {@code <id>.json} ({@link PrunedInfo}), and
 * {@code ./s4j prune <dense id>} re-creates both. The pruned weights are exact zeros; recover the
 * masks with {@link Masks#ofZeros}.
 */
public enum PrunedReference {
    /** LeNet-300-100 at 92 % sparsity, pruned from {@link ReferenceModel#LENET_300_100}. */
    LENET_300_100("lenet-300-100-pruned", ReferenceModel.LENET_300_100, AgpRecipe.LENET_300_100);

    private final String id;
    private final ReferenceModel dense;
    private final AgpRecipe recipe;

    PrunedReference(String id, ReferenceModel dense, AgpRecipe recipe) {
        this.id = id;
        this.dense = dense;
        this.recipe = recipe;
    }

    public String id() {
        return id;
    }

    /** The dense baseline this model was pruned from. */
    public ReferenceModel dense() {
        return dense;
    }

    public AgpRecipe recipe() {
        return recipe;
    }

    /** The command that re-creates the shipped files. */
    public String command() {
        return "./s4j prune " + dense.id();
    }

    /** Loads the shipped pruned network (a new copy on every call). */
    public MultiLayerNetwork pretrained() {
        return ModelFiles.loadResource("/org/squeeze4j/models/" + id + ".zip", command());
    }

    /** Provenance of the shipped pruned network. */
    public PrunedInfo info() {
        return ModelFiles.readProvenance("/org/squeeze4j/models/" + id + ".json", PrunedInfo.class, command());
    }

    /** The pruned model made from {@code dense}. */
    public static PrunedReference of(ReferenceModel dense) {
        for (PrunedReference p : values()) {
            if (p.dense == dense) {
                return p;
            }
        }
        throw new IllegalArgumentException("No pruning recipe for " + dense.id() + "; only "
                + java.util.Arrays.stream(values()).map(p -> p.dense.id()).toList() + " have one");
    }
}
