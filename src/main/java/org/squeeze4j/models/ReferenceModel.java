package org.squeeze4j.models;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The reference networks with their training recipes and shipped pretrained baselines.
 *
 * <p>Each baseline lives on the classpath as {@code /org/squeeze4j/models/<id>.zip} (DL4J
 * ModelSerializer, no updater state) next to {@code <id>.json}, its provenance: test accuracy,
 * recipe, wall time, and the command that reproduces it ({@code ./s4j pretrain <id>}).
 */
public enum ReferenceModel {
    /** 784-300-100-10 MLP. */
    LENET_300_100("lenet-300-100", new TrainingRecipe(16, 128, 1e-3, 42)) {
        @Override
        public MultiLayerNetwork create(long seed, double learningRate) {
            return Models.lenet300100(seed, learningRate);
        }
    },
    /** Classic LeNet-5, 6-16-120-84. */
    LENET_5("lenet-5", new TrainingRecipe(6, 128, 1e-3, 42)) {
        @Override
        public MultiLayerNetwork create(long seed, double learningRate) {
            return Models.lenet5(seed, learningRate);
        }
    },
    /** Caffe LeNet-5, 20-50-500, the conv net of Deep Compression. */
    LENET_5_CAFFE("lenet-5-caffe", new TrainingRecipe(6, 128, 1e-3, 42)) {
        @Override
        public MultiLayerNetwork create(long seed, double learningRate) {
            return Models.lenet5Caffe(seed, learningRate);
        }
    };

    private final String id;
    private final TrainingRecipe recipe;

    ReferenceModel(String id, TrainingRecipe recipe) {
        this.id = id;
        this.recipe = recipe;
    }

    /** A freshly initialised, untrained network. */
    public abstract MultiLayerNetwork create(long seed, double learningRate);

    /** A freshly initialised network with the recipe's seed and learning rate. */
    public MultiLayerNetwork create() {
        return create(recipe.seed(), recipe.learningRate());
    }

    /** The short id used on the command line and in file names, e.g. "lenet-300-100". */
    public String id() {
        return id;
    }

    public TrainingRecipe recipe() {
        return recipe;
    }

    /** Classpath location of the pretrained model. */
    public String resource() {
        return "/org/squeeze4j/models/" + id + ".zip";
    }

    /** Loads the shipped pretrained baseline (a new copy on every call). */
    public MultiLayerNetwork pretrained() {
        return ModelFiles.loadResource(resource(), "./s4j pretrain " + id);
    }

    /** Provenance of the shipped pretrained baseline. */
    public PretrainedInfo pretrainedInfo() {
        return ModelFiles.readProvenance("/org/squeeze4j/models/" + id + ".json", PretrainedInfo.class, "./s4j pretrain " + id);
    }

    /** The model with this id, e.g. "lenet-5-caffe". */
    public static ReferenceModel byId(String id) {
        return Arrays.stream(values()).filter(m -> m.id.equalsIgnoreCase(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Unknown model '" + id + "'. Known models: "
                        + Arrays.stream(values()).map(ReferenceModel::id).collect(Collectors.joining(", "))));
    }
}
