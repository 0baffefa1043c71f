package org.squeeze4j.distill;

import java.util.Arrays;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.squeeze4j.models.DerivedReference;
import org.squeeze4j.models.ReferenceGraph;
import org.squeeze4j.models.TrainingRecipe;

/**
 * Distilled students shipped with squeeze4j: a narrower network taught by a {@link ReferenceGraph}
 * teacher with a {@link DistillRecipe}. Each lives on the classpath as
 * {@code /org/squeeze4j/models/<id>.zip} next to {@code <id>.json} ({@link DistillInfo}); {@code
 * ./s4j distill <teacher id>} re-creates both. The shipped student is a plain DL4J classifier
 * (softmax output, cross-entropy loss: {@link Distillation#classifier}).
 */
public enum DistilledReference implements DerivedReference<ComputationGraph, DistillInfo> {
    /** ResNet-8 at half the teacher's width (a quarter of its MACs), from 5,000 images. */
    RESNET8_HALF("resnet8-kd", ReferenceGraph.RESNET8, new DistillRecipe(8, 5000, 4, 0.9, new TrainingRecipe(20, 128, 5e-3, 42)));

    private final String id;
    private final ReferenceGraph teacher;
    private final DistillRecipe recipe;

    DistilledReference(String id, ReferenceGraph teacher, DistillRecipe recipe) {
        this.id = id;
        this.teacher = teacher;
        this.recipe = recipe;
    }

    @Override
    public String id() {
        return id;
    }

    /** The teacher. */
    @Override
    public ReferenceGraph dense() {
        return teacher;
    }

    public DistillRecipe recipe() {
        return recipe;
    }

    @Override
    public String verb() {
        return "distill";
    }

    @Override
    public Class<ComputationGraph> modelType() {
        return ComputationGraph.class;
    }

    @Override
    public Class<DistillInfo> infoType() {
        return DistillInfo.class;
    }

    /** The student distilled from the teacher with this id; the error lists those that have one. */
    public static DistilledReference ofTeacher(String teacherId) {
        return Arrays.stream(values()).filter(r -> r.teacher.id().equalsIgnoreCase(teacherId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no distillation recipe for teacher '" + teacherId + "'; only "
                        + Arrays.stream(values()).map(r -> r.teacher.id()).toList() + " have one"));
    }
}
