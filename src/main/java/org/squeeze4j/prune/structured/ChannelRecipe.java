package org.squeeze4j.prune.structured;

import org.deeplearning4j.nn.api.Model;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.models.Models;
import org.squeeze4j.models.Trainer;
import org.squeeze4j.models.TrainingHistory;
import org.squeeze4j.models.TrainingRecipe;

/**
 * One-shot channel pruning and its fine-tuning: remove the least important {@code fraction} of
 * every prunable group's channels by {@link GroupImportance#foldedL1()}, replace them by their
 * means on {@code sampleSize} training images, then fine-tune with Adam at
 * {@code lr(e) = learningRate * Models.LR_DECAY^e} restarted from the recipe's learning rate.
 * Since a convolution's MACs grow with its input times its output channels, removing a fraction
 * {@code f} of every group leaves about {@code (1 - f)^2} of the MACs.
 *
 * @param fraction   fraction of each prunable group's channels to remove, in [0, 1)
 * @param sampleSize training images to measure the removed channels' means on
 * @param fineTune   epochs, batch size, learning rate and seed of the fine-tuning
 */
public record ChannelRecipe(double fraction, int sampleSize, TrainingRecipe fineTune) {
    public ChannelRecipe {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("fraction of channels to remove must be in [0, 1), got " + fraction);
        }
        if (sampleSize <= 0) {
            throw new IllegalArgumentException("sample size for mean replacement must be positive, got " + sampleSize);
        }
    }

    /** The plan this recipe applies to {@code net}. */
    public ChannelPlan plan(Model net) {
        return ChannelPlan.uniform(ChannelGroups.of(net), GroupImportance.foldedL1(), fraction);
    }

    /** The smaller network, before fine-tuning (mean replacement on the recipe's sample of {@code data}'s training set). */
    public <M extends Model> M prune(M net, DatasetSplits data) {
        return ChannelPruning.remove(net, plan(net), data.train().subset(sampleSize, fineTune.seed()).toDataSet().getFeatures());
    }

    /** Fine-tunes a pruned network in place on {@code data}'s training set, with the given trainer options. */
    public TrainingHistory fineTune(Model pruned, DatasetSplits data, Trainer.Builder trainer) {
        Models.restartLearningRate(pruned, fineTune.learningRate());
        return trainer.epochs(fineTune.epochs()).build()
                .fit(pruned, data.train().shuffledIterator(fineTune.batchSize(), fineTune.seed()), null);
    }
}
