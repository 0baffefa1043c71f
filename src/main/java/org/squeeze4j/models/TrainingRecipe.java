package org.squeeze4j.models;

/**
 * How a reference model's pretrained baseline was trained: Adam with
 * {@code lr(e) = learningRate * Models.LR_DECAY^e}, shuffled mini-batches, a fixed number of
 * epochs (no selection on the test set).
 */
public record TrainingRecipe(int epochs, int batchSize, double learningRate, long seed) {
    public TrainingRecipe {
        if (epochs <= 0 || batchSize <= 0 || !(learningRate > 0)) {
            throw new IllegalArgumentException("invalid recipe: epochs " + epochs + ", batch " + batchSize + ", lr " + learningRate);
        }
    }
}
