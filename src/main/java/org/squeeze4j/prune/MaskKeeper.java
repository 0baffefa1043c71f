package org.squeeze4j.prune;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * Re-applies pruning masks after every parameter update. Without it, Adam's momentum revives
 * pruned weights within a few iterations (its update for a zero weight is not zero).
 * Add it with {@code net.addListeners(masks.keeper())} and remove it after fine-tuning;
 * the pruned weights stay exactly zero ("making the masks permanent" is then a no-op for
 * dense storage and the input of sparse encoding).
 */
public final class MaskKeeper extends BaseTrainingListener {
    private volatile Masks masks;

    MaskKeeper(Masks masks) {
        this.masks = masks;
    }

    /** Replaces the masks, e.g. when a schedule prunes further. */
    public void update(Masks newMasks) {
        this.masks = newMasks;
    }

    public Masks masks() {
        return masks;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        masks.applyTo(model);
    }
}
