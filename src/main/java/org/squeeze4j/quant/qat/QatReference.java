package org.squeeze4j.quant.qat;

import java.util.Arrays;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.squeeze4j.models.DerivedReference;
import org.squeeze4j.models.ReferenceGraph;
import org.squeeze4j.models.TrainingRecipe;

/**
 * Quantization-aware networks shipped with squeeze4j: a {@link ReferenceGraph} baseline trained
 * by a {@link QatRecipe} too long for a notebook's two-minute budget. Each lives on the classpath
 * as {@code /org/squeeze4j/models/<id>.zip} next to {@code <id>.json} ({@link QatInfo}); {@code
 * ./s4j qat <dense id>} re-creates both. Loading needs squeeze4j on the classpath (its fake-quant
 * activations and weight noise are in the configuration).
 */
public enum QatReference implements DerivedReference<ComputationGraph, QatInfo> {
    /** ResNet-8 at 4-bit weights and activations. */
    RESNET8_W4A4("resnet8-w4a4", ReferenceGraph.RESNET8, new QatRecipe(4, 4, 1000, new TrainingRecipe(3, 128, 1e-3, 42)));

    private final String id;
    private final ReferenceGraph dense;
    private final QatRecipe recipe;

    QatReference(String id, ReferenceGraph dense, QatRecipe recipe) {
        this.id = id;
        this.dense = dense;
        this.recipe = recipe;
    }

    @Override
    public String id() {
        return id;
    }

    /** The float baseline. */
    @Override
    public ReferenceGraph dense() {
        return dense;
    }

    public QatRecipe recipe() {
        return recipe;
    }

    @Override
    public String verb() {
        return "qat";
    }

    @Override
    public Class<ComputationGraph> modelType() {
        return ComputationGraph.class;
    }

    @Override
    public Class<QatInfo> infoType() {
        return QatInfo.class;
    }

    /** The QAT network made from the baseline with this id; the error lists those that have one. */
    public static QatReference ofDense(String denseId) {
        return Arrays.stream(values()).filter(r -> r.dense.id().equalsIgnoreCase(denseId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no QAT recipe for '" + denseId + "'; only "
                        + Arrays.stream(values()).map(r -> r.dense.id()).toList() + " have one"));
    }
}
