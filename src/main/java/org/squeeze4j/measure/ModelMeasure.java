package org.squeeze4j.measure;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures a network: parameters, non-zeros, MACs per layer and serialized size.
 *
 * <p>MACs are computed from the shapes a real forward pass of one sample produces, so they are
 * correct for any padding or stride: a dense layer costs {@code nIn * nOut}; a convolution costs
 * {@code kH * kW * (cIn / groups) * cOut * hOut * wOut}. Pooling, activations and biases are
 * not counted, as in the papers we compare against.
 */
public final class ModelMeasure {
    private ModelMeasure() {
    }

    /** Measures {@code net}, which expects flat inputs of {@code inputSize} features (784 for MNIST). */
    public static ModelStats of(String name, MultiLayerNetwork net, int inputSize) {
        INDArray probe = Nd4j.zeros(DataType.FLOAT, 1, inputSize);
        List<INDArray> activations = net.feedForward(probe, false);
        List<LayerStats> layers = new ArrayList<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            Layer layer = net.getLayer(i);
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            long[] out = activations.get(i + 1).shape();
            long params = layer.numParams();
            long nonZero = params == 0 ? 0 : layer.params().neq(0).castTo(DataType.LONG).sumNumber().longValue();
            layers.add(new LayerStats(i, conf.getLayerName(), typeName(conf), shapeText(out), params, nonZero, macs(conf, out)));
        }
        return new ModelStats(name, layers, serializedBytes(net));
    }

    /** Measures a network for 28x28 images. */
    public static ModelStats of(String name, MultiLayerNetwork net) {
        return of(name, net, 28 * 28);
    }

    /** Bytes of the ModelSerializer zip without updater state. */
    public static long serializedBytes(MultiLayerNetwork net) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(net, bytes, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.size();
    }

    static long macs(org.deeplearning4j.nn.conf.layers.Layer conf, long[] outShape) {
        if (conf instanceof ConvolutionLayer conv) {
            long[] k = Arrays.stream(conv.getKernelSize()).asLongStream().toArray();
            long positions = outShape[2] * outShape[3];
            return k[0] * k[1] * conv.getNIn() * conv.getNOut() * positions;
        }
        if (conf instanceof DenseLayer || conf instanceof BaseOutputLayer) {
            FeedForwardLayer ff = (FeedForwardLayer) conf;
            return ff.getNIn() * ff.getNOut();
        }
        return 0;
    }

    private static String typeName(org.deeplearning4j.nn.conf.layers.Layer conf) {
        String simple = conf.getClass().getSimpleName();
        return simple.endsWith("Layer") ? simple.substring(0, simple.length() - "Layer".length()) : simple;
    }

    private static String shapeText(long[] shape) {
        return Arrays.stream(shape).skip(1).mapToObj(Long::toString).collect(Collectors.joining("x"));
    }
}
