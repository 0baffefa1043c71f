package org.squeeze4j.prune;

import org.deeplearning4j.nn.api.Model;
import org.squeeze4j.models.TrainingHistory;

/** What {@link AgpRecipe#run} returns: the pruned network, its final masks and the training curve. */
public record AgpRun<M extends Model>(M net, Masks masks, TrainingHistory history) {
}
