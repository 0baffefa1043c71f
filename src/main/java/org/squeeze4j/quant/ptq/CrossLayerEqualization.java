package org.squeeze4j.quant.ptq;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

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
