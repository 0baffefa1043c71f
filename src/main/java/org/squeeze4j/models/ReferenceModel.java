package org.squeeze4j.models;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;

/**
 * The LeNet reference networks, trained on MNIST, with their recipes and shipped pretrained
 * baselines (see {@link Reference} for the files).
 */
public enum ReferenceModel implements Reference<MultiLayerNetwork> {
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

    @Override
    public String id() {
        return id;
    }

    @Override
    public TrainingRecipe recipe() {
        return recipe;
    }

    @Override
    public DatasetSplits data() {
        return Datasets.mnist();
    }

    @Override
    public MultiLayerNetwork pretrained() {
        return ModelFiles.loadResource(resource(), "./s4j pretrain " + id);
    }

    /** The model with this id, e.g. "lenet-5-caffe". */
    public static ReferenceModel byId(String id) {
        return Arrays.stream(values()).filter(m -> m.id.equalsIgnoreCase(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Unknown model '" + id + "'. Known models: "
                        + Arrays.stream(values()).map(ReferenceModel::id).collect(Collectors.joining(", "))));
    }
}
