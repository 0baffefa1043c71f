package org.squeeze4j.prune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.api.Model;
import org.squeeze4j.models.Networks;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.squeeze4j.measure.Accuracy;
import org.squeeze4j.models.Models;
import org.squeeze4j.models.Trainer;

/**
 * Iterative pruning with retraining (Han, Pool, Tran, Dally 2015, "Learning both Weights and
 * Connections for Efficient Neural Networks", Sec. 3.3): instead of removing 90 % of the weights
 * at once, prune in rounds of increasing sparsity {@code s_1 < s_2 < ... < s_R} and fine-tune
 * after each round so the surviving weights compensate for the removed ones.
 *
 * <p>Round {@code r}: score every weight with the {@link Importance} (default {@code |w|}), treat
 * the weights pruned in earlier rounds as least important (score {@code -1e30}), keep the top
 * {@code (1 - s_r)} of each layer (or of all layers together with {@link Scope#GLOBAL}), so
 * {@code M_r = M_{r-1} ⊙ keep_r} only grows and each layer reaches {@code s_r} exactly (up to
 * rounding of {@code s_r · n}); then fine-tune {@code epochsPerRound} epochs with a
 * {@link MaskKeeper} so the optimizer cannot revive pruned weights.
 *
 * <pre>{@code
 * IterativePruning.Result r = IterativePruning.builder().sparsities(0.5, 0.75, 0.9).epochsPerRound(1)
 *         .learningRate(1e-4).build().run(net, mnist.train().shuffledIterator(128, 1), mnist.test().iterator(1000));
 * r.rounds();   // Round[round=1, sparsity=0.5, accuracy=..., prunedAccuracy=...], ...
 * r.masks();    // keep them with masks.keeper() in any further training
 * }</pre>
 */
public final class IterativePruning {
    /** Score given to weights pruned in an earlier round, below any real importance. */
    static final double PRUNED_SCORE = -1e30;

    private final double[] sparsities;
    private final int epochsPerRound;
    private final List<String> layers;
    private final Importance importance;
    private final Scope scope;
    private final double learningRate;

    /**
     * One round, after pruning and fine-tuning.
     *
     * @param round 1-based round number
     * @param sparsity measured fraction of zero weights over the pruned layers after fine-tuning
     * @param accuracy test accuracy after fine-tuning, in [0, 1]
     * @param prunedAccuracy test accuracy right after pruning, before fine-tuning (how much retraining recovered)
     */
    public record Round(int round, double sparsity, double accuracy, double prunedAccuracy) {
    }

    /** All rounds and the final masks. */
    public record Result(List<Round> rounds, Masks masks) {
        public Result {
            rounds = List.copyOf(rounds);
        }
    }

    private IterativePruning(Builder b) {
        this.sparsities = b.sparsities.clone();
        this.epochsPerRound = b.epochsPerRound;
        this.layers = List.copyOf(b.layers);
        this.importance = b.importance;
        this.scope = b.scope;
        this.learningRate = b.learningRate;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Prunes and fine-tunes {@code net} in place, round by round.
     *
     * @param train training data for fine-tuning
     * @param test data the accuracies are measured on
     */
    public Result run(Model net, DataSetIterator train, DataSetIterator test) {
        Objects.requireNonNull(net, "net");
        Objects.requireNonNull(train, "train iterator");
        Objects.requireNonNull(test, "test iterator");
        List<String> names = layers.isEmpty() ? PrunableLayers.names(net) : layers;
        names.forEach(name -> PrunableLayers.node(net, name)); // unknown names fail before anything changes
        String[] nameArray = names.toArray(String[]::new);
        Masks masks = Masks.none();
        List<Round> rounds = new ArrayList<>();
        for (int r = 0; r < sparsities.length; r++) {
            Masks previous = masks;
            Pruner.Builder pruner = Pruner.builder().layers(nameArray).scope(scope).sparsity(sparsities[r])
                    .importance(keepingPruned(importance, previous));
            masks = previous.and(pruner.build().masks(net));
            masks.applyTo(net);
            double pruned = Accuracy.of(net, test);
            fineTune(net, masks, train);
            rounds.add(new Round(r + 1, Pruner.sparsity(net, nameArray), Accuracy.of(net, test), pruned));
        }
        return new Result(rounds, masks);
    }

    private void fineTune(Model net, Masks masks, DataSetIterator train) {
        if (!Double.isNaN(learningRate)) {
            Models.restartLearningRate(net, learningRate);
        }
        MaskKeeper keeper = masks.keeper();
        net.addListeners(keeper);
        try {
            Trainer.builder().epochs(epochsPerRound).progress(null).build().fit(net, train, null);
        } finally {
            Networks.removeListener(net, keeper);
        }
    }

    /** {@code base}'s scores with the weights already pruned by {@code masks} moved to the bottom. */
    static Importance keepingPruned(Importance base, Masks masks) {
        return (net, layer) -> {
            INDArray s = base.scores(net, layer);
            if (!masks.layers().contains(layer)) {
                return s;
            }
            INDArray m = masks.mask(layer).castTo(s.dataType());
            return s.mul(m).addi(m.rsub(1).muli(PRUNED_SCORE));
        };
    }

    /** Options of {@link IterativePruning}; {@link #sparsities} is required. */
    public static final class Builder {
        private double[] sparsities;
        private int epochsPerRound = 1;
        private final List<String> layers = new ArrayList<>();
        private Importance importance = Importance.magnitude();
        private Scope scope = Scope.LAYER;
        private double learningRate = Double.NaN;

        /** The target sparsity of each round, strictly increasing, each in [0, 1), e.g. 0.5, 0.75, 0.9. */
        public Builder sparsities(double... sparsities) {
            if (sparsities.length == 0) {
                throw new IllegalArgumentException("give at least one round's sparsity, e.g. sparsities(0.5, 0.75, 0.9)");
            }
            for (int i = 0; i < sparsities.length; i++) {
                double s = sparsities[i];
                if (!(s >= 0 && s < 1)) {
                    throw new IllegalArgumentException("sparsity of round " + (i + 1) + " must be in [0, 1), got " + s);
                }
                if (i > 0 && !(s > sparsities[i - 1])) {
                    throw new IllegalArgumentException("sparsities must increase from round to round (masks only grow), got "
                            + Arrays.toString(sparsities));
                }
            }
            this.sparsities = sparsities.clone();
            return this;
        }

        /** Fine-tuning epochs after each pruning step (default 1). */
        public Builder epochsPerRound(int epochs) {
            if (epochs <= 0) {
                throw new IllegalArgumentException("epochs per round must be positive, got " + epochs);
            }
            this.epochsPerRound = epochs;
            return this;
        }

        /** The layers to prune (default: every layer with weights). */
        public Builder layers(String... names) {
            layers.addAll(List.of(names));
            return this;
        }

        /** How weights are ranked (default {@link Importance#magnitude()}, as in Han et al.). */
        public Builder importance(Importance importance) {
            this.importance = Objects.requireNonNull(importance, "importance");
            return this;
        }

        /** {@link Scope#LAYER} (default): every layer reaches each round's sparsity; {@link Scope#GLOBAL}: all layers together. */
        public Builder scope(Scope scope) {
            this.scope = Objects.requireNonNull(scope, "scope");
            return this;
        }

        /**
         * Restart the learning-rate schedule at this rate before each round's fine-tuning
         * ({@link Models#restartLearningRate}); by default the network's schedule simply continues.
         * Han et al. retrain with a lower rate than the original training.
         */
        public Builder learningRate(double learningRate) {
            if (!(learningRate > 0)) {
                throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
            }
            this.learningRate = learningRate;
            return this;
        }

        public IterativePruning build() {
            if (sparsities == null) {
                throw new IllegalArgumentException("say how much to prune in each round: sparsities(0.5, 0.75, 0.9)");
            }
            return new IterativePruning(this);
        }
    }
}
