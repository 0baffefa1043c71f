package org.squeeze4j.measure;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;

/**
 * Measures a network: parameters, non-zeros, MACs per layer and serialized size, for a
 * {@link MultiLayerNetwork} or a {@link ComputationGraph} alike (through {@link NetworkView}).
 *
 * <p>MACs are computed from the shapes a real forward pass of one sample produces, so they are
 * correct for any padding or stride: a dense layer costs {@code nIn * nOut}; a convolution
 * {@code kH * kW * cIn * cOut * hOut * wOut}; a depthwise convolution
 * {@code kH * kW * cIn * multiplier * hOut * wOut} (each output channel sees one input channel);
 * a separable one that plus its pointwise {@code cIn * multiplier * cOut * hOut * wOut}; a
 * transposed convolution {@code kH * kW * cIn * cOut * hIn * wIn}. Pooling, batch norm,
 * activations, residual adds and biases are not counted, as in the papers we compare against.
 */
public final class ModelMeasure {
    private ModelMeasure() {
    }

    /** Measures {@code net}, which expects flat inputs of {@code inputSize} features (784 for MNIST). */
    public static ModelStats of(String name, Model net, int inputSize) {
        NetworkView view = NetworkView.of(net);
        if (view.inputs().size() != 1) {
            throw new IllegalArgumentException(name + " has " + view.inputs().size() + " inputs " + view.inputs()
                    + "; ModelMeasure probes networks with one input");
        }
        Map<String, INDArray> activations = activations(view, Nd4j.zeros(DataType.FLOAT, 1, inputSize));
        List<LayerStats> layers = new ArrayList<>();
        for (LayerNode node : view.nodes()) {
            Layer layer = node.layer();
            long[] out = activations.get(node.name()).shape();
            long params = layer == null ? 0 : layer.numParams();
            long nonZero = params == 0 ? 0 : layer.params().neq(0).castTo(DataType.LONG).sumNumber().longValue();
            long[] in = node.inputs().isEmpty() ? null : activations.get(node.inputs().get(0)).shape();
            layers.add(new LayerStats(node.index(), node.name(), typeName(node), shapeText(out), params, nonZero,
                    macs(node, in, out)));
        }
        return new ModelStats(name, layers, serializedBytes(net));
    }

    /** Measures a network for 28x28 images. */
    public static ModelStats of(String name, Model net) {
        return of(name, net, 28 * 28);
    }

    /** Bytes of the ModelSerializer zip without updater state. */
    public static long serializedBytes(Model net) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(net, bytes, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.size();
    }

    /** The output of every node (and of the input, under its name) for {@code input}, in inference mode. */
    static Map<String, INDArray> activations(NetworkView view, INDArray input) {
        if (view.model() instanceof ComputationGraph g) {
            return g.feedForward(input, false);
        }
        List<INDArray> list = ((MultiLayerNetwork) view.model()).feedForward(input, false);
        Map<String, INDArray> byName = new HashMap<>();
        byName.put(NetworkView.INPUT, list.get(0));
        for (LayerNode n : view.nodes()) {
            byName.put(n.name(), list.get(n.index() + 1));
        }
        return byName;
    }

    static long macs(LayerNode node, long[] inShape, long[] outShape) {
        org.deeplearning4j.nn.conf.layers.Layer conf = node.conf();
        return switch (node.kind()) {
            case DENSE, OUTPUT -> ((FeedForwardLayer) conf).getNIn() * ((FeedForwardLayer) conf).getNOut();
            case CONV -> window(conf) * ((FeedForwardLayer) conf).getNIn() * ((FeedForwardLayer) conf).getNOut() * positions(outShape);
            case DEPTHWISE -> window(conf) * ((FeedForwardLayer) conf).getNIn()
                    * ((DepthwiseConvolution2D) conf).getDepthMultiplier() * positions(outShape);
            case SEPARABLE -> {
                SeparableConvolution2D s = (SeparableConvolution2D) conf;
                long mid = s.getNIn() * s.getDepthMultiplier();
                yield (window(conf) * mid + mid * s.getNOut()) * positions(outShape);
            }
            case DECONV -> window(conf) * ((FeedForwardLayer) conf).getNIn() * ((FeedForwardLayer) conf).getNOut() * positions(inShape);
            default -> 0;
        };
    }

    private static long window(org.deeplearning4j.nn.conf.layers.Layer conf) {
        int[] k = ((ConvolutionLayer) conf).getKernelSize();
        return (long) k[0] * k[1];
    }

    private static long positions(long[] nchw) {
        return nchw[2] * nchw[3];
    }

    private static String typeName(LayerNode node) {
        String simple = node.dl4jType();
        return simple.endsWith("Layer") ? simple.substring(0, simple.length() - "Layer".length()) : simple;
    }

    private static String shapeText(long[] shape) {
        return Arrays.stream(shape).skip(1).mapToObj(Long::toString).collect(Collectors.joining("x"));
    }
}
