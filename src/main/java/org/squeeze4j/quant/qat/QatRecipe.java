package org.squeeze4j.quant.qat;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.models.Models;
import org.squeeze4j.models.Trainer;
import org.squeeze4j.models.TrainingHistory;
import org.squeeze4j.models.TrainingRecipe;
import org.squeeze4j.quant.ptq.BatchNormFolding;

/**
 * Quantization-aware fine-tuning of a float graph (Jacob et al. 2018; Krishnamoorthi 2018): fold
 * batch norm, prepare with {@code QatConfig.of(weightBits, activationBits)}, calibrate the ranges
 * on {@code calibrationSize} training images (evaluating now is post-training quantization), then
 * train with Adam at {@code lr(e) = learningRate * Models.LR_DECAY^e}.
 *
 * @param weightBits      weight bits (per-channel, symmetric)
 * @param activationBits  activation bits (EMA ranges)
 * @param calibrationSize training images for the first ranges
 * @param fineTune        epochs, batch size, learning rate and seed
 */
public record QatRecipe(int weightBits, int activationBits, int calibrationSize, TrainingRecipe fineTune) {
    public QatRecipe {
        QatConfig.of(weightBits, activationBits);   // validates the bit widths
        if (calibrationSize <= 0) {
            throw new IllegalArgumentException("calibration size must be positive, got " + calibrationSize);
        }
    }

    /** The prepared and calibrated QAT graph of {@code dense} (not modified), before any training. */
    public ComputationGraph prepare(ComputationGraph dense, DatasetSplits data) {
        ComputationGraph q = QatPreparation.prepare(BatchNormFolding.fold(dense), QatConfig.of(weightBits, activationBits));
        QatControl.calibrate(q, data.train().subset(calibrationSize, fineTune.seed()).toDataSet().getFeatures());
        return q;
    }

    /** Trains a prepared graph in place on {@code data}'s training set; {@code shown} (may be null) is only printed after each epoch. */
    public TrainingHistory train(ComputationGraph prepared, DatasetSplits data, Trainer.Builder trainer, DataSetIterator shown) {
        QatControl.requirePrepared(prepared);
        Models.restartLearningRate(prepared, fineTune.learningRate());
        return trainer.epochs(fineTune.epochs()).build()
                .fit(prepared, data.train().shuffledIterator(fineTune.batchSize(), fineTune.seed()), shown);
    }
}
