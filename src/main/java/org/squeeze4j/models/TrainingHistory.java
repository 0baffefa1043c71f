package org.squeeze4j.models;

import java.util.List;

/**
 * The epochs of one {@link Trainer#fit} call.
 *
 * @param epochs one entry per epoch run
 * @param bestEpoch 1-based epoch with the best validation accuracy (the last epoch without validation data)
 * @param stoppedEarly whether early stopping ended training before the configured number of epochs
 * @param seconds total wall time
 */
public record TrainingHistory(List<EpochResult> epochs, int bestEpoch, boolean stoppedEarly, double seconds) {
    public TrainingHistory {
        epochs = List.copyOf(epochs);
    }

    /** The last epoch run. */
    public EpochResult last() {
        return epochs.get(epochs.size() - 1);
    }

    /** The best validation accuracy seen, a fraction in [0, 1]. */
    public double bestValidationAccuracy() {
        return epochs.stream().mapToDouble(EpochResult::validationAccuracy).max().orElse(Double.NaN);
    }
}
