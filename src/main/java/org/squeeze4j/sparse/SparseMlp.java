package org.squeeze4j.sparse;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;

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
        return new SparseMlp(convert(net, SparseDense::of));
    }

    /** Builds one kernel from a layer's {@code W[nIn, nOut]}, {@code b} and whether it applies ReLU. */
    @FunctionalInterface
    interface KernelFactory<T extends DenseKernel> {
        T create(INDArray weights, INDArray bias, boolean relu);
    }

    /** Checks that {@code net} is dense ReLU layers plus a softmax output and converts every layer. */
    static <T extends DenseKernel> List<T> convert(MultiLayerNetwork net, KernelFactory<T> factory) {
        List<T> layers = new ArrayList<>();
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
            layers.add(factory.create(all[i].getParam("W"), all[i].getParam("b"), relu));
        }
        return layers;
    }

    /** Names of the layers of {@code net}, in order. */
    static List<String> names(MultiLayerNetwork net) {
        List<String> names = new ArrayList<>();
        for (Layer layer : net.getLayers()) {
            names.add(layer.conf().getLayer().getLayerName());
        }
        return names;
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
        return softmax(logits(x));
    }

    /** The predicted class for one input. */
    public int predict(float[] x) {
        return argMax(logits(x));
    }

    /** {@code p_i = exp(z_i - max z) / Σ_k exp(z_k - max z)}, a new array. */
    static float[] softmax(float[] z) {
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

    /** Index of the largest value (the first one on ties). */
    static int argMax(float[] z) {
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
