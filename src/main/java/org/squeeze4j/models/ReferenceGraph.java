package org.squeeze4j.models;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;

/**
 * The graph-shaped reference networks, trained on Fashion-MNIST (MNIST is too easy to show what
 * compressing a residual or depthwise net costs): see {@link Reference} for the shipped files.
 * Their widths are sized so that {@code ./s4j pretrain} takes well under an hour on two cores
 * with convolutions through oneDNN ({@link org.squeeze4j.util.OneDnn}).
 */
public enum ReferenceGraph implements Reference<ComputationGraph> {
    /** {@link Models#resnet8} with width 16: 16-32-64 channels, identity and projection shortcuts. */
    RESNET8("resnet8", 16, new TrainingRecipe(12, 128, 2e-3, 42)) {
        @Override
        public ComputationGraph create(long seed, double learningRate) {
            return Models.resnet8(seed, learningRate, width());
        }
    },
    /** {@link Models#depthwiseNet} with width 32: depthwise-separable pairs to 64 and 128 channels. */
    DWNET("dwnet", 32, new TrainingRecipe(10, 128, 2e-3, 42)) {
        @Override
        public ComputationGraph create(long seed, double learningRate) {
            return Models.depthwiseNet(seed, learningRate, width());
        }
    };

    private final String id;
    private final int width;
    private final TrainingRecipe recipe;

    ReferenceGraph(String id, int width, TrainingRecipe recipe) {
        this.id = id;
        this.width = width;
        this.recipe = recipe;
    }

    @Override
    public String id() {
        return id;
    }

    /** Channels of the first stage; later stages have 2x and 4x. */
    public int width() {
        return width;
    }

    @Override
    public TrainingRecipe recipe() {
        return recipe;
    }

    @Override
    public DatasetSplits data() {
        return Datasets.fashionMnist();
    }

    @Override
    public ComputationGraph pretrained() {
        return ModelFiles.loadResource(resource(), "./s4j pretrain " + id, ComputationGraph.class);
    }
}
