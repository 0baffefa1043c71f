package org.squeeze4j.models;

/**
 * What one training epoch achieved.
 *
 * @param epoch 1-based epoch number
 * @param trainLoss mean mini-batch loss over the epoch
 * @param validationAccuracy accuracy on the validation data after the epoch, a fraction in [0, 1] (NaN without validation data)
 * @param learningRate the learning rate the epoch used
 * @param seconds wall time of the epoch including validation
 */
public record EpochResult(int epoch, double trainLoss, double validationAccuracy, double learningRate, double seconds) {
}
