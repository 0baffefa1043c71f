package org.squeeze4j.quant.ptq;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;

/**
 * Cross-layer equalization (Nagel et al. 2019, "Data-Free Quantization Through Weight Equalization
 * and Bias Correction", section 4.1). For two consecutive layers with a positively homogeneous
 * function between them ({@code f(s x) = s f(x)} for {@code s > 0}: ReLU, leaky ReLU, identity, max
 * pooling), scaling output channel {@code c} of the first layer by {@code 1/s_c} and the matching
 * input channel of the second by {@code s_c} leaves the network's function unchanged:
 * <pre>
 *   W1_c <- W1_c / s_c,   b1_c <- b1_c / s_c,   W2[c] <- s_c W2[c]
 *   s_c  = sqrt(r1_c / r2_c)    with r1_c = max|W1_c| (output channel c), r2_c = max|W2[c]| (input channel c)
 * </pre>
 * after which both ranges equal {@code sqrt(r1_c r2_c)}: per-tensor quantization then wastes less
 * of its grid on channels with small ranges. Pairs handled: dense-dense, conv-conv (max pooling
 * allowed between), conv-dense through DL4J's flattening preprocessor (input rows
 * {@code c h w .. (c+1) h w - 1} of the dense weight belong to channel c). As equalizing a pair
 * changes the output ranges of its second layer, all pairs are swept repeatedly until every scale is
 * within {@code 1e-6} of 1 (at most {@link #MAX_SWEEPS} sweeps).
 *
 * <p>In a {@link ComputationGraph} (batch norm folded first) the pairs are convolutions and
 * depthwise convolutions joined by ReLU / identity activation layers or max pooling, each of
 * them the only reader of the one before, so that the rescaled tensor reaches nothing else (a
 * residual shortcut would see it). This covers CLE's motivating case, MobileNet's depthwise /
 * pointwise pairs: a depthwise layer's per-channel ranges differ by orders of magnitude, which
 * per-tensor int8 cannot hold. A depthwise layer's input channel {@code c} is its output channel
 * {@code c}, so it can be the first or the second of a pair.
 */
public final class CrossLayerEqualization {
    /** Upper bound on the sweeps over all pairs. */
    public static final int MAX_SWEEPS = 100;

    private CrossLayerEqualization() {
    }

    /**
     * Outcome of equalization.
     *
     * @param network the equalized copy
     * @param pairs the (first, second) layer indices that were equalized
     * @param scales the product of all sweeps' scales per channel, one array per pair
     * @param sweeps number of sweeps done
     */
    public record Result(MultiLayerNetwork network, List<int[]> pairs, List<double[]> scales, int sweeps) {
    }

    /** Equalizes every eligible pair of {@code net} in a copy; the original is not modified. */
    public static Result equalize(MultiLayerNetwork net) {
        Layers.requireSupported(net);
        Layers.requireFinite(net);
        MultiLayerNetwork out = net.clone();
        List<int[]> pairs = pairs(out);
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no pair of consecutive weighted layers with ReLU / identity / max pooling between"
                    + " them; nothing to equalize");
        }
        List<double[]> total = new ArrayList<>();
        for (int[] p : pairs) {
            double[] one = new double[(int) out.getLayer(p[0]).getParam("W").size(Layers.outAxis(out, p[0]))];
            java.util.Arrays.fill(one, 1);
            total.add(one);
        }
        int sweeps = 0;
        double worst = Double.POSITIVE_INFINITY;
        while (worst > 1e-6 && sweeps < MAX_SWEEPS) {
            worst = 0;
            for (int k = 0; k < pairs.size(); k++) {
                double[] s = equalizePair(out, pairs.get(k)[0], pairs.get(k)[1]);
                for (int c = 0; c < s.length; c++) {
                    total.get(k)[c] *= s[c];
                    worst = Math.max(worst, Math.abs(s[c] - 1));
                }
            }
            sweeps++;
        }
        return new Result(out, List.copyOf(pairs), List.copyOf(total), sweeps);
    }

    /**
     * Outcome of equalizing a graph.
     *
     * @param network the equalized copy
     * @param pairs the (first, second) layer names that were equalized
     * @param scales the product of all sweeps' scales per channel, one array per pair
     * @param sweeps number of sweeps done
     */
    public record GraphResult(ComputationGraph network, List<List<String>> pairs, List<double[]> scales, int sweeps) {
    }

    /** Equalizes every eligible pair of {@code graph} (see the class comment) in a copy; the original is not modified. */
    public static GraphResult equalize(ComputationGraph graph) {
        if (graph == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        if (NetworkView.of(graph).nodes().stream().anyMatch(n -> n.kind() == LayerKind.BATCH_NORM)) {
            throw new IllegalArgumentException("fold batch norm first (BatchNormFolding.fold(graph)): it sits between the"
                    + " layers that equalization rescales");
        }
        Layers.requireFinite(graph);
        ComputationGraph out = graph.clone();
        NetworkView view = NetworkView.of(out);
        List<LayerNode[]> pairs = graphPairs(view);
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no pair of convolutions with only ReLU / identity / max pooling between them;"
                    + " nothing to equalize");
        }
        List<double[]> total = new ArrayList<>();
        for (LayerNode[] p : pairs) {
            double[] one = new double[(int) p[0].outputChannels()];
            java.util.Arrays.fill(one, 1);
            total.add(one);
        }
        int sweeps = 0;
        double worst = Double.POSITIVE_INFINITY;
        while (worst > 1e-6 && sweeps < MAX_SWEEPS) {
            worst = 0;
            for (int k = 0; k < pairs.size(); k++) {
                double[] s = equalizePair(pairs.get(k)[0], pairs.get(k)[1]);
                for (int c = 0; c < s.length; c++) {
                    total.get(k)[c] *= s[c];
                    worst = Math.max(worst, Math.abs(s[c] - 1));
                }
            }
            sweeps++;
        }
        List<List<String>> names = pairs.stream().map(p -> List.of(p[0].name(), p[1].name())).toList();
        return new GraphResult(out, names, List.copyOf(total), sweeps);
    }

    /** Per-channel ranges (max |w|) of {@code first}'s output channels and of {@code second}'s matching input channels. */
    public static double[][] ranges(LayerNode first, LayerNode second) {
        return new double[][] {maxAbs(first.weight(), first.outputAxis()), maxAbs(second.weight(), inputAxis(second))};
    }

    /** max |w| over every axis but {@code axis}, one value per index of {@code axis}. */
    private static double[] maxAbs(INDArray w, int axis) {
        int[] others = java.util.stream.IntStream.range(0, w.rank()).filter(d -> d != axis).toArray();
        return w.castTo(DataType.DOUBLE).amax(others).toDoubleVector();
    }

    private static double[] equalizePair(LayerNode first, LayerNode second) {
        double[][] r = ranges(first, second);
        double[] s = new double[r[0].length];
        for (int c = 0; c < s.length; c++) {
            s[c] = r[0][c] > 0 && r[1][c] > 0 ? Math.sqrt(r[0][c] / r[1][c]) : 1;
        }
        INDArray w1 = first.weight();
        INDArray scale = Nd4j.createFromArray(s).castTo(w1.dataType());
        Broadcast.div(w1, scale, w1, first.outputAxis());
        INDArray b1 = first.bias();
        if (b1 != null) {
            b1.assign(b1.reshape(s.length).div(scale).reshape(b1.shape()));
        }
        INDArray w2 = second.weight();
        Broadcast.mul(w2, scale, w2, inputAxis(second));
        return s;
    }

    /** The weight axis that multiplies input channel c: 1 of a conv {@code [out, in, kH, kW]}, 2 of a depthwise {@code [kH, kW, C, 1]}. */
    private static int inputAxis(LayerNode n) {
        return n.kind() == LayerKind.DEPTHWISE ? n.outputAxis() : 1;
    }

    /** (first, second) convolution pairs of a graph, through single-reader chains of homogeneous activations and max pooling. */
    private static List<LayerNode[]> graphPairs(NetworkView view) {
        List<LayerNode[]> out = new ArrayList<>();
        for (LayerNode first : view.nodes()) {
            if ((first.kind() != LayerKind.CONV && first.kind() != LayerKind.DEPTHWISE)
                    || !homogeneous(((BaseLayer) first.conf()).getActivationFn())) {
                continue;
            }
            LayerNode at = first;
            LayerNode next = soleReader(view, at);
            while (next != null && next.preprocessor() == null && passesScale(next)) {
                at = next;
                next = soleReader(view, at);
            }
            if (next != null && next.preprocessor() == null && (next.kind() == LayerKind.CONV || next.kind() == LayerKind.DEPTHWISE)) {
                first.outputAxis();     // a depthwise multiplier other than 1 is refused here, by name
                out.add(new LayerNode[] {first, next});
            }
        }
        return out;
    }

    private static LayerNode soleReader(NetworkView view, LayerNode n) {
        List<LayerNode> readers = view.consumers(n.name());
        return readers.size() == 1 && !view.outputs().contains(n.name()) ? readers.get(0) : null;
    }

    /** ReLU / identity activation layers and max pooling commute with a positive per-channel scale. */
    private static boolean passesScale(LayerNode n) {
        if (n.kind() == LayerKind.ACTIVATION && n.conf().getClass() == ActivationLayer.class) {
            return homogeneous(((ActivationLayer) n.conf()).getActivationFn());
        }
        return n.kind() == LayerKind.POOL && ((SubsamplingLayer) n.conf()).getPoolingType() == PoolingType.MAX;
    }

    /** Per-channel ranges (max |w|) of the first layer's outputs and of the second layer's matching inputs. */
    public static double[][] ranges(MultiLayerNetwork net, int first, int second) {
        INDArray w1 = net.getLayer(first).getParam("W").castTo(DataType.DOUBLE);
        INDArray w2 = net.getLayer(second).getParam("W").castTo(DataType.DOUBLE);
        double[] r1 = Layers.channelMaxAbs(w1);
        double[] r2 = new double[r1.length];
        for (int c = 0; c < r1.length; c++) {
            r2[c] = inputSlice(w2, c, r1.length).amaxNumber().doubleValue();
        }
        return new double[][] {r1, r2};
    }

    private static double[] equalizePair(MultiLayerNetwork net, int first, int second) {
        double[][] r = ranges(net, first, second);
        int channels = r[0].length;
        double[] s = new double[channels];
        INDArray w1 = net.getLayer(first).getParam("W");
        INDArray b1 = net.getLayer(first).paramTable().get("b");
        INDArray w2 = net.getLayer(second).getParam("W");
        for (int c = 0; c < channels; c++) {
            s[c] = r[0][c] > 0 && r[1][c] > 0 ? Math.sqrt(r[0][c] / r[1][c]) : 1;
            if (s[c] == 1) {
                continue;
            }
            Layers.outChannel(w1, c).divi(s[c]);
            if (b1 != null) {
                b1.putScalar(c, b1.getDouble(c) / s[c]);
            }
            inputSlice(w2, c, channels).muli(s[c]);
        }
        return s;
    }

    /** The view of W2 that multiplies channel c of the previous layer. */
    private static INDArray inputSlice(INDArray w2, int c, int channels) {
        if (w2.rank() == 4) {
            return w2.get(NDArrayIndex.all(), NDArrayIndex.point(c), NDArrayIndex.all(), NDArrayIndex.all());
        }
        long per = w2.size(0) / channels;
        return w2.get(NDArrayIndex.interval(c * per, (c + 1) * per), NDArrayIndex.all());
    }

    /** Eligible (first, second) pairs in order. */
    static List<int[]> pairs(MultiLayerNetwork net) {
        List<int[]> out = new ArrayList<>();
        int n = net.getnLayers();
        for (int i = 0; i < n; i++) {
            if (!Layers.isWeighted(net, i) || !homogeneous(((BaseLayer) Layers.conf(net, i)).getActivationFn())) {
                continue;
            }
            boolean conv = Layers.conf(net, i) instanceof ConvolutionLayer;
            int j = i + 1;
            while (j < n && Layers.conf(net, j) instanceof SubsamplingLayer p && p.getPoolingType() == PoolingType.MAX
                    && net.getLayerWiseConfigurations().getInputPreProcess(j) == null) {
                j++;
            }
            if (j >= n || !Layers.isWeighted(net, j)) {
                continue;
            }
            boolean nextConv = Layers.conf(net, j) instanceof ConvolutionLayer;
            Object pre = net.getLayerWiseConfigurations().getInputPreProcess(j);
            boolean ok = conv == nextConv ? pre == null : conv && pre instanceof CnnToFeedForwardPreProcessor;
            if (ok) {
                out.add(new int[] {i, j});
            }
        }
        return out;
    }

    private static boolean homogeneous(IActivation a) {
        return a instanceof ActivationReLU || a instanceof ActivationIdentity || a instanceof ActivationLReLU;
    }
}
