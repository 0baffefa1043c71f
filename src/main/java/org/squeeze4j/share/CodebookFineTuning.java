package org.squeeze4j.share;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.squeeze4j.models.Networks;
import org.squeeze4j.prune.PrunableLayers;

/**
 * Fine-tunes the shared values (Deep Compression, Section 3.3, Fig. 3): weights stay tied to
 * their centroid and the gradient of a centroid is the sum of the gradients of its weights,
 * <pre>
 *   dL/dc_k = sum_{i,j} dL/dW_ij · 1[I_ij = k],
 * </pre>
 * applied with its own updater (e.g. {@code new Adam(1e-4)}) while the rest of the network
 * (biases, unshared layers) trains as usual. Pruned weights (symbol 0) stay exactly zero.
 *
 * <p>Mechanics: {@link #onGradientCalculation} runs after back-propagation and before DL4J's
 * update, so it reads {@code dL/dW}, reduces it per cluster and moves the centroids;
 * {@link #iterationDone} then overwrites {@code W} with the (new) centroids, undoing whatever
 * DL4J's updater did to the individual weights.
 *
 * <pre>{@code
 * CodebookFineTuning tuning = new CodebookFineTuning(shared, new Adam(1e-4));
 * net.addListeners(tuning);
 * Trainer.builder().epochs(1).build().fit(net, train, null);
 * SharedWeights tuned = tuning.shared();
 * }</pre>
 */
public final class CodebookFineTuning extends BaseTrainingListener {
    private final List<Tied> tied = new ArrayList<>();
    private int iteration;

    public CodebookFineTuning(SharedWeights shared, IUpdater updater) {
        for (SharedLayer l : shared.layers().values()) {
            int k = l.codebook().size();
            long size = updater.stateSize(k);
            INDArray state = size == 0 ? null : Nd4j.zeros(DataType.FLOAT, 1, size);   // SGD keeps no state
            GradientUpdater<?> u = updater.clone().instantiate(state, size > 0);
            tied.add(new Tied(l, l.codebook().centroids(), u));
        }
    }

    /** Sums each cluster's weight gradients into its centroid gradient and applies the updater. */
    @Override
    public void onGradientCalculation(Model model) {
        Gradient gradient = model.gradient();
        for (Tied t : tied) {
            String key = Networks.gradientKey(model, t.layer.layer(), "W");
            INDArray g = gradient.getGradientFor(key);
            if (g == null) {
                throw new IllegalStateException("no gradient for " + t.layer.layer() + " (key " + key + ")");
            }
            float[] flat = g.castTo(DataType.FLOAT).dup('c').reshape(g.length()).toFloatVector();
            float[] sums = centroidGradients(flat, t.layer.symbols(), t.centroids.length);
            INDArray update = Nd4j.createFromArray(sums).reshape(1, sums.length);
            t.updater.applyUpdater(update, iteration, 0);
            float[] step = update.toFloatVector();
            for (int k = 0; k < step.length; k++) {
                t.centroids[k] -= step[k];
            }
        }
    }

    /** Ties the weights to the centroids again after DL4J's update (pruned weights back to zero). */
    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        for (Tied t : tied) {
            float[] v = new float[t.layer.symbols().length];
            int[] s = t.layer.symbols();
            for (int p = 0; p < v.length; p++) {
                v[p] = s[p] == 0 ? 0f : t.centroids[s[p] - 1];
            }
            PrunableLayers.weights(model, t.layer.layer()).assign(Nd4j.create(v, t.layer.shape(), 'c'));
        }
        this.iteration++;
    }

    /** {@code sums[k-1] = sum of grad[p] over p with symbols[p] == k}; symbol 0 (pruned) gets nothing. */
    static float[] centroidGradients(float[] grad, int[] symbols, int k) {
        double[] sums = new double[k];
        for (int p = 0; p < grad.length; p++) {
            if (symbols[p] != 0) {
                sums[symbols[p] - 1] += grad[p];
            }
        }
        float[] out = new float[k];
        for (int i = 0; i < k; i++) {
            out[i] = (float) sums[i];
        }
        return out;
    }

    /**
     * The fine-tuned shared weights. Centroids that crossed during training are re-sorted and the
     * symbols renumbered, so each weight keeps its value.
     */
    public SharedWeights shared() {
        List<SharedLayer> layers = new ArrayList<>();
        for (Tied t : tied) {
            int k = t.centroids.length;
            Integer[] order = new Integer[k];
            for (int i = 0; i < k; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Float.compare(t.centroids[a], t.centroids[b]));
            float[] sorted = new float[k];
            int[] newSymbol = new int[k + 1];
            for (int i = 0; i < k; i++) {
                sorted[i] = t.centroids[order[i]];
                newSymbol[order[i] + 1] = i + 1;
            }
            int[] symbols = Arrays.stream(t.layer.symbols()).map(s -> newSymbol[s]).toArray();
            layers.add(new SharedLayer(t.layer.layer(), t.layer.shape(), t.layer.bits(), new Codebook(sorted), symbols));
        }
        return new SharedWeights(layers);
    }

    /** Iterations seen. */
    public int iterations() {
        return iteration;
    }

    private record Tied(SharedLayer layer, float[] centroids, GradientUpdater<?> updater) {
    }
}
