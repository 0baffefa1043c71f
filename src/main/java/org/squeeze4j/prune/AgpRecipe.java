package org.squeeze4j.prune;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.squeeze4j.models.Networks;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.models.Models;
import org.squeeze4j.models.Trainer;
import org.squeeze4j.models.TrainingHistory;

/**
 * A complete gradual-pruning recipe (Zhu &amp; Gupta 2017): starting from a trained network, raise
 * the sparsity from 0 to {@code targetSparsity} along the cubic AGP curve during the first
 * {@code pruneEpochs} epochs (masks recomputed every {@code maskEvery} iterations by magnitude,
 * per layer), then keep fine-tuning with the masks fixed until {@code totalEpochs}. Adam restarts at
 * {@code learningRate} and decays by {@link Models#LR_DECAY} per epoch.
 *
 * <p>Layer {@code l} is pruned to {@code layerScales[l] * s(t)}: scales above 1 prune the big,
 * robust layers harder and scales below 1 spare the sensitive ones (read them off a
 * {@link SensitivityScan}). The shipped pruned model ({@link PrunedReference}) is made by
 * {@link #LENET_300_100}.
 *
 * @param seed seed of the training-set shuffle (epoch {@code e} uses {@code seed + e})
 */
public record AgpRecipe(double targetSparsity, Map<String, Double> layerScales, int pruneEpochs, int totalEpochs,
                        int maskEvery, int batchSize, double learningRate, long seed) {

    /**
     * LeNet-300-100 to 92 % (Han et al.'s 12x): 4 epochs of pruning, 12 of fine-tuning. fc3, the
     * most sensitive layer, keeps 3x more of its weights than fc1, as in Han et al. 2015.
     */
    public static final AgpRecipe LENET_300_100 =
            new AgpRecipe(0.92, scales("fc1", 1.01, "fc2", 0.97, "fc3", 0.75), 4, 16, 20, 128, 1e-3, 7);

    public AgpRecipe {
        if (!(targetSparsity > 0 && targetSparsity < 1)) {
            throw new IllegalArgumentException("target sparsity must be in (0, 1), got " + targetSparsity);
        }
        if (layerScales == null || layerScales.isEmpty()) {
            throw new IllegalArgumentException("name the layers to prune, each with a scale (1.0 = the target sparsity)");
        }
        layerScales.forEach((layer, scale) -> {
            if (!(scale > 0 && scale * targetSparsity < 1)) {
                throw new IllegalArgumentException("layer " + layer + ": scale " + scale + " x target " + targetSparsity
                        + " must be a sparsity in (0, 1)");
            }
        });
        if (pruneEpochs < 1 || totalEpochs < pruneEpochs) {
            throw new IllegalArgumentException("need 1 <= pruneEpochs <= totalEpochs, got " + pruneEpochs + " and " + totalEpochs);
        }
        if (maskEvery < 1 || batchSize < 1 || !(learningRate > 0)) {
            throw new IllegalArgumentException("maskEvery, batchSize and learningRate must be positive, got "
                    + maskEvery + ", " + batchSize + ", " + learningRate);
        }
        layerScales = Collections.unmodifiableMap(new LinkedHashMap<>(layerScales));
    }

    /** The same recipe with other epoch counts (e.g. a shorter run for a notebook). */
    public AgpRecipe withEpochs(int pruneEpochs, int totalEpochs) {
        return new AgpRecipe(targetSparsity, layerScales, pruneEpochs, totalEpochs, maskEvery, batchSize, learningRate, seed);
    }

    /** The same recipe with another target sparsity. */
    public AgpRecipe withTarget(double targetSparsity) {
        return new AgpRecipe(targetSparsity, layerScales, pruneEpochs, totalEpochs, maskEvery, batchSize, learningRate, seed);
    }

    /** The schedule over iterations for a training set of {@code batchesPerEpoch} mini-batches. */
    public PruningSchedule schedule(int batchesPerEpoch) {
        return PruningSchedule.agp(0, targetSparsity, 0, pruneEpochs * batchesPerEpoch);
    }

    /** The per-layer magnitude pruner for scheduled sparsity {@code s}. */
    public Pruner prunerFor(double s) {
        Pruner.Builder b = Pruner.builder();
        layerScales.forEach((layer, scale) -> b.selection(layer, Selection.sparsity(scale * s)));
        return b.build();
    }

    /**
     * Prunes a copy of {@code dense} with this recipe, shuffling {@code data.train()}; the test set is
     * only printed after each epoch (nothing is selected on it). {@code dense} is not changed.
     */
    public <M extends Model> AgpRun<M> run(M dense, DatasetSplits data, Trainer.Builder trainer) {
        M net = Models.restartLearningRate(Networks.copy(dense), learningRate);
        var train = data.train().shuffledIterator(batchSize, seed);
        GradualPruning agp = new GradualPruning(schedule(train.batchesPerEpoch()), maskEvery, this::prunerFor);
        net.setListeners(agp);   // a fresh copy: no listeners of the caller's network come along
        TrainingHistory history;
        try {
            history = trainer.epochs(totalEpochs).build().fit(net, train, data.test().iterator(1000));
        } finally {
            net.setListeners(java.util.List.of());
        }
        agp.masks().applyTo(net);
        return new AgpRun<>(net, agp.masks(), history);
    }

    private static Map<String, Double> scales(Object... layerAndScale) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < layerAndScale.length; i += 2) {
            m.put((String) layerAndScale[i], (Double) layerAndScale[i + 1]);
        }
        return m;
    }
}
