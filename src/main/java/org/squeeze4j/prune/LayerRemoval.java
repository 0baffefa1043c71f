package org.squeeze4j.prune;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Whole-layer removal where it is exact: a hidden dense layer with a <em>linear</em> (identity)
 * activation is folded into the dense or output layer after it. With {@code h = x W1 + b1} and
 * {@code y = act(h W2 + b2)},
 * <pre>
 *   y = act(x (W1 W2) + (b1 W2 + b2)),      so   W' = W1 W2  [nIn1 × nOut2],   b' = b1 W2 + b2
 * </pre>
 * and the two layers become one, with the outputs unchanged up to float rounding. This is the
 * case of a linear bottleneck (or a layer left over from a low-rank factorisation
 * {@code W ≈ U V}); folding pays off in parameters when {@code nIn1 · nOut2 < nIn1 · nOut1 + nOut1 · nOut2}.
 *
 * <p>A layer with a non-linear activation (ReLU, tanh, ...) cannot be removed this way: no single
 * linear layer reproduces {@code relu(x W1 + b1) W2} for all inputs. The reference models
 * (LeNet-300-100, LeNet-5) have only ReLU hidden layers, so whole-layer removal is not available
 * for them; use {@link UnitSurgery} to shrink a layer instead. Every refusal leaves the network
 * unchanged, and a successful fold returns a new network (the original is never modified; the
 * new one has a fresh optimizer state).
 */
public final class LayerRemoval {
    private LayerRemoval() {
    }

    /** A new network in which the hidden dense layer {@code name} (identity activation) is folded into the next layer. */
    public static MultiLayerNetwork removeDenseLayer(MultiLayerNetwork net, String name) {
        int i = PrunableLayers.index(net, name);
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations().clone();
        List<NeuralNetConfiguration> confs = new ArrayList<>(conf.getConfs());
        Layer li = confs.get(i).getLayer();
        if (!(li instanceof DenseLayer dense) || li instanceof BaseOutputLayer) {
            throw new IllegalArgumentException("only a hidden dense layer can be folded away; '" + name + "' is "
                    + li.getClass().getSimpleName());
        }
        if (!(dense.getActivationFn() instanceof ActivationIdentity)) {
            throw new IllegalArgumentException("layer '" + name + "' uses " + dense.getActivationFn()
                    + ": only a linear (identity) layer can be folded exactly into the next one, since act(x W1 + b1) W2"
                    + " is not linear in x. Shrink it with UnitSurgery.keepUnits instead, or train it with Activation.IDENTITY.");
        }
        if (i + 1 >= confs.size()) {
            throw new IllegalArgumentException("layer '" + name + "' is the last layer; there is nothing to fold it into");
        }
        Layer lj = confs.get(i + 1).getLayer();
        if (!(lj instanceof DenseLayer || lj instanceof BaseOutputLayer) || !(lj instanceof FeedForwardLayer next)) {
            throw new IllegalArgumentException("layer '" + name + "' is followed by " + lj.getClass().getSimpleName() + " ('"
                    + lj.getLayerName() + "'); it can only be folded into a following dense or output layer");
        }
        if (conf.getInputPreProcess(i + 1) != null) {
            throw new IllegalArgumentException("layer '" + lj.getLayerName() + "' has an input preprocessor ("
                    + conf.getInputPreProcess(i + 1) + ") that would have to act on the folded input; not supported");
        }
        if (!dense.hasBias() || !hasBias(lj)) {
            throw new IllegalArgumentException("folding needs a bias in both '" + name + "' and '" + lj.getLayerName()
                    + "' (b' = b1 W2 + b2); layers without bias are not supported");
        }
        if (dense.getIDropout() != null || ((BaseLayer) lj).getIDropout() != null) {
            throw new IllegalArgumentException("'" + name + "' or '" + lj.getLayerName() + "' uses dropout, which acts between"
                    + " the two layers during training and would be lost by folding; remove the dropout first");
        }

        MultiLayerNetwork original = net;
        INDArray w1 = original.getLayer(i).getParam("W");
        INDArray b1 = original.getLayer(i).getParam("b");
        INDArray w2 = original.getLayer(i + 1).getParam("W");
        INDArray b2 = original.getLayer(i + 1).getParam("b");
        INDArray w = w1.mmul(w2);
        INDArray b = b1.reshape(1, b1.length()).mmul(w2).addi(b2.reshape(1, b2.length()));

        next.setNIn(dense.getNIn());
        confs.remove(i);
        Map<Integer, InputPreProcessor> shifted = new HashMap<>();
        for (Map.Entry<Integer, InputPreProcessor> e : conf.getInputPreProcessors().entrySet()) {
            int k = e.getKey();
            shifted.put(k > i ? k - 1 : k, e.getValue()); // i's own preprocessor now feeds the folded layer at i
        }
        conf.setConfs(confs);
        conf.setInputPreProcessors(shifted);

        MultiLayerNetwork folded = new MultiLayerNetwork(conf);
        folded.init();
        for (int k = 0, src = 0; k < folded.getnLayers(); k++, src++) {
            if (src == i) {
                folded.getLayer(k).setParam("W", w);
                folded.getLayer(k).setParam("b", b.reshape(folded.getLayer(k).getParam("b").shape()));
                src++;
                continue;
            }
            for (Map.Entry<String, INDArray> p : original.getLayer(src).paramTable().entrySet()) {
                folded.getLayer(k).setParam(p.getKey(), p.getValue().dup());
            }
        }
        return folded;
    }

    private static boolean hasBias(Layer l) {
        if (l instanceof DenseLayer d) {
            return d.hasBias();
        }
        return l instanceof BaseOutputLayer o && o.hasBias();
    }
}
