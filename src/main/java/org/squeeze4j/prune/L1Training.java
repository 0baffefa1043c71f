package org.squeeze4j.prune;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.squeeze4j.models.Trainer;

/**
 * Training with an L1 penalty on the weights, so that pruning by a threshold afterwards removes
 * weights the network has already learned to do without (Han et al. 2015, Sec. 3.1: L1 before
 * pruning, then retraining; Tibshirani's lasso for why L1, unlike L2, drives weights to zero).
 * The loss becomes
 * <pre>
 *   L(W) + λ · Σ_layers Σ_ij |W_ij|,      gradient  ∂L/∂W + λ · sign(W)
 * </pre>
 * using DL4J's {@link L1Regularization} on the weights {@code W} only (biases are not penalised).
 *
 * <p>DL4J reads a layer's regularization from its configuration at every update, so setting it on
 * the configuration of an existing, even pretrained and already trained, network takes effect
 * at the next iteration; no rebuild is needed (checked in {@code L1TrainingTest}). With Adam the
 * penalty does not make weights exactly zero (the step is normalised, so they oscillate near
 * zero); count them with {@link #fractionBelow} and prune them with
 * {@code Pruner.builder().selection(Selection.threshold(t))}.
 *
 * <pre>{@code
 * L1Training.Result r = L1Training.train(net, 1e-4, 1, mnist.train().shuffledIterator(128, 1), 1e-2, "fc1", "fc2");
 * Masks masks = Pruner.builder().layers("fc1", "fc2").selection(Selection.threshold(1e-2)).build().prune(net);
 * }</pre>
 */
public final class L1Training {
    private L1Training() {
    }

    /**
     * The outcome of {@link #train}.
     *
     * @param lambda the L1 coefficient used
     * @param threshold the magnitude below which a weight counts as near zero
     * @param nearZeroFractionBefore fraction of the layers' weights with {@code |w| < threshold} before training
     * @param nearZeroFraction the same fraction after training
     */
    public record Result(double lambda, double threshold, double nearZeroFractionBefore, double nearZeroFraction) {
    }

    /**
     * Sets (or, for {@code lambda = 0}, removes) an L1 penalty {@code λ Σ|W|} on the weights of
     * the given layers, in place; any other regularization of those layers (L2, weight decay) is
     * kept. All names are checked before any layer changes.
     */
    public static MultiLayerNetwork setL1(MultiLayerNetwork net, double lambda, String... layers) {
        Objects.requireNonNull(net, "net");
        if (!(lambda >= 0) || !Double.isFinite(lambda)) {
            throw new IllegalArgumentException("L1 coefficient must be >= 0 and finite, got " + lambda + " (typical: 1e-5 to 1e-3)");
        }
        if (layers.length == 0) {
            throw new IllegalArgumentException("name the layers to regularise, e.g. setL1(net, 1e-4, \"fc1\", \"fc2\"); prunable layers are "
                    + PrunableLayers.names(net));
        }
        List<BaseLayer> confs = new ArrayList<>();
        for (String name : layers) {
            int i = PrunableLayers.index(net, name);
            if (!(net.getLayer(i).conf().getLayer() instanceof BaseLayer base)) {
                throw new IllegalArgumentException("layer '" + name + "' has no regularization settings");
            }
            confs.add(base);
        }
        for (BaseLayer base : confs) {
            List<Regularization> kept = new ArrayList<>();
            if (base.getRegularization() != null) {
                base.getRegularization().stream().filter(r -> !(r instanceof L1Regularization)).forEach(kept::add);
            }
            if (lambda > 0) {
                kept.add(new L1Regularization(lambda));
            }
            base.setRegularization(kept);
        }
        return net;
    }

    /** The L1 coefficient on the weights of {@code layer}, 0 if none. */
    public static double l1Of(MultiLayerNetwork net, String layer) {
        BaseLayer base = (BaseLayer) net.getLayer(PrunableLayers.index(net, layer)).conf().getLayer();
        if (base.getRegularization() == null) {
            return 0;
        }
        return base.getRegularization().stream().filter(r -> r instanceof L1Regularization)
                .mapToDouble(r -> ((L1Regularization) r).getL1().valueAt(0, 0)).sum();
    }

    /** Fraction of the weights of the given layers (all prunable layers if none) with {@code |w| < threshold}. */
    public static double fractionBelow(MultiLayerNetwork net, double threshold, String... layers) {
        if (!(threshold > 0) || !Double.isFinite(threshold)) {
            throw new IllegalArgumentException("threshold must be positive and finite, got " + threshold);
        }
        return PrunableLayers.fractionOfSmall(net, threshold, true, layers);
    }

    /**
     * Trains {@code net} in place for {@code epochs} epochs with L1 coefficient {@code lambda} on
     * the given layers, then restores the layers' previous regularization (so later fine-tuning is not penalised)
     * and reports how many of those layers' weights ended below {@code threshold}.
     */
    public static Result train(MultiLayerNetwork net, double lambda, int epochs, DataSetIterator train, double threshold,
                               String... layers) {
        Objects.requireNonNull(train, "train iterator");
        if (epochs <= 0) {
            throw new IllegalArgumentException("epochs must be positive, got " + epochs);
        }
        String[] names = layers.length == 0 ? PrunableLayers.names(net).toArray(String[]::new) : layers;
        double before = fractionBelow(net, threshold, names);
        List<List<Regularization>> original = new ArrayList<>();
        for (String name : names) {
            List<Regularization> r = ((BaseLayer) net.getLayer(PrunableLayers.index(net, name)).conf().getLayer()).getRegularization();
            original.add(r == null ? null : new ArrayList<>(r));
        }
        setL1(net, lambda, names);
        try {
            Trainer.builder().epochs(epochs).progress(null).build().fit(net, train, null);
        } finally {
            for (int k = 0; k < names.length; k++) {
                ((BaseLayer) net.getLayer(PrunableLayers.index(net, names[k])).conf().getLayer()).setRegularization(original.get(k));
            }
        }
        return new Result(lambda, threshold, before, fractionBelow(net, threshold, names));
    }
}
