package org.squeeze4j.sparse;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;

/**
 * A fully connected network (ReLU hidden layers, softmax output) run with {@link SparseDense}
 * layers: the sparse inference engine for pruned MLPs such as LeNet-300-100.
 */
public final class SparseMlp {
    private final List<SparseDense> layers;
    private final float[][] buffers;

    private SparseMlp(List<SparseDense> layers) {
        this.layers = List.copyOf(layers);
        this.buffers = new float[layers.size()][];
        for (int i = 0; i < layers.size(); i++) {
            buffers[i] = new float[layers.get(i).outputs()];
        }
    }

    /** Converts a network of dense ReLU layers and a softmax output layer. */
    public static SparseMlp of(MultiLayerNetwork net) {
        List<SparseDense> layers = new ArrayList<>();
        Layer[] all = net.getLayers();
        for (int i = 0; i < all.length; i++) {
            var conf = all[i].conf().getLayer();
            boolean last = i == all.length - 1;
            if (!(conf instanceof DenseLayer || conf instanceof BaseOutputLayer)) {
                throw new IllegalArgumentException("SparseMlp handles dense layers only; layer " + conf.getLayerName()
                        + " is " + conf.getClass().getSimpleName());
            }
            var act = ((org.deeplearning4j.nn.conf.layers.BaseLayer) conf).getActivationFn();
            boolean relu = act instanceof ActivationReLU;
            if (last ? !(act instanceof ActivationSoftmax) : !relu) {
                throw new IllegalArgumentException("SparseMlp expects ReLU hidden layers and a softmax output; layer "
                        + conf.getLayerName() + " uses " + act);
            }
            layers.add(SparseDense.of(all[i].getParam("W"), all[i].getParam("b"), relu));
        }
        return new SparseMlp(layers);
    }

    /** Class scores (logits, before softmax) for one input; the returned array is reused by the next call. */
    public float[] logits(float[] x) {
        float[] in = x;
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).forward(in, buffers[i]);
            in = buffers[i];
        }
        return in;
    }

    /** Softmax probabilities for one input (a new array). */
    public float[] probabilities(float[] x) {
        float[] z = logits(x);
        float max = Float.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        float[] p = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = (float) Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= (float) sum;
        }
        return p;
    }

    /** The predicted class for one input. */
    public int predict(float[] x) {
        float[] z = logits(x);
        int best = 0;
        for (int i = 1; i < z.length; i++) {
            if (z[i] > z[best]) {
                best = i;
            }
        }
        return best;
    }

    public List<SparseDense> layers() {
        return layers;
    }

    public long nonZeros() {
        return layers.stream().mapToLong(SparseDense::nonZeros).sum();
    }

    public long csrBytes() {
        return layers.stream().mapToLong(SparseDense::csrBytes).sum();
    }
}
