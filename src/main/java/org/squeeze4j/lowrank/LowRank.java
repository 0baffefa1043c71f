package org.squeeze4j.lowrank;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;

/**
 * Low-rank factorisation by truncated SVD (Denton et al. 2014, "Exploiting linear structure within
 * convolutional networks"; Jaderberg et al. 2014; Xue et al. 2013 for speech DNNs).
 *
 * <p>A dense layer {@code y = f(x W + b)} with {@code W} of shape {@code in x out} becomes two layers
 * {@code y = f((x A) B + b)} with {@code A = U_r diag(s_r)^{1/2}} ({@code in x r}, linear, no bias) and
 * {@code B = diag(s_r)^{1/2} V_r^T} ({@code r x out}, the original bias and activation): {@code r (in + out)}
 * weights instead of {@code in · out}, fewer whenever {@code r < in·out / (in + out)}.
 *
 * <p>A convolution with {@code W} of shape {@code [out, in, kh, kw]} is reshaped to the matrix
 * {@code M = [out, in·kh·kw]}, factorised {@code M ≈ U_r diag(s_r) V_r^T}, and becomes a
 * {@code kh x kw} convolution with {@code r} filters {@code diag(s_r)^{1/2} V_r^T} (same stride and
 * padding, no bias, linear) followed by a {@code 1x1} convolution {@code U_r diag(s_r)^{1/2}} with
 * the original bias and activation.
 *
 * <p>The factorised layers are named {@code <name>_u} (first) and {@code <name>_v} (second).
 */
public final class LowRank {
    private LowRank() {
    }

    /** The weight matrix that is factorised: {@code W} itself for dense layers, {@code [out, in·kh·kw]} for convolutions. */
    public static INDArray matrix(MultiLayerNetwork net, String layer) {
        LayerNode n = factorisable(net, layer);
        INDArray w = n.weight();
        if (n.kind() == LayerKind.CONV) {
            long[] s = w.shape();
            return w.dup('c').reshape('c', s[0], s[1] * s[2] * s[3]);
        }
        return w.dup('c');
    }

    /** Singular values of the layer's matrix, descending. */
    public static double[] singularValues(MultiLayerNetwork net, String layer) {
        return Svd.of(matrix(net, layer)).s();
    }

    /** The rank {@code rule} picks for each of {@code layers}. */
    public static Map<String, Integer> ranks(MultiLayerNetwork net, RankRule rule, String... layers) {
        Map<String, Integer> ranks = new LinkedHashMap<>();
        for (String name : layers) {
            INDArray m = matrix(net, name);
            ranks.put(name, rule.rank(Svd.of(m).s(), m.rows(), m.columns()));
        }
        return ranks;
    }

    /** A new network in which each layer of {@code ranks} is replaced by its rank-r factorisation; {@code net} is unchanged. */
    public static MultiLayerNetwork factorize(MultiLayerNetwork net, Map<String, Integer> ranks) {
        MultiLayerConfiguration old = net.getLayerWiseConfigurations();
        for (String name : ranks.keySet()) {
            factorisable(net, name); // validates
        }
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(old.getConf(0).getSeed()).dataType(net.getLayerWiseConfigurations().getDataType()).list();
        Map<Integer, InputPreProcessor> pre = old.getInputPreProcessors();
        int j = 0;
        java.util.List<int[]> mapping = new java.util.ArrayList<>(); // old index -> new indices
        for (int i = 0; i < old.getConfs().size(); i++) {
            org.deeplearning4j.nn.conf.layers.Layer conf = old.getConf(i).getLayer().clone();
            if (pre != null && pre.get(i) != null) {
                list.inputPreProcessor(j, pre.get(i).clone());
            }
            Integer r = ranks.get(conf.getLayerName());
            if (r == null) {
                list.layer(j, conf);
                mapping.add(new int[] {j++});
                continue;
            }
            BaseLayer base = (BaseLayer) conf;
            int max = (int) Math.min(matrix(net, conf.getLayerName()).rows(), matrix(net, conf.getLayerName()).columns());
            if (r < 1 || r > max) {
                throw new IllegalArgumentException("rank for layer " + conf.getLayerName() + " must be 1-" + max + ", got " + r);
            }
            org.deeplearning4j.nn.conf.layers.Layer first;
            if (conf.getClass() == ConvolutionLayer.class) {
                ConvolutionLayer c = (ConvolutionLayer) conf;
                first = new ConvolutionLayer.Builder(c.getKernelSize()).stride(c.getStride()).padding(c.getPadding())
                        .dilation(c.getDilation()).convolutionMode(c.getConvolutionMode())
                        .nIn(c.getNIn()).nOut(r).hasBias(false).activation(Activation.IDENTITY)
                        .updater(base.getIUpdater()).name(c.getLayerName() + "_u").build();
                ConvolutionLayer second = (ConvolutionLayer) c.clone();
                second.setKernelSize(new int[] {1, 1});
                second.setStride(new int[] {1, 1});
                second.setPadding(new int[] {0, 0});
                second.setDilation(new int[] {1, 1});
                second.setConvolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Truncate);
                second.setNIn(r);
                second.setLayerName(c.getLayerName() + "_v");
                list.layer(j, first);
                list.layer(j + 1, second);
            } else if (conf instanceof FeedForwardLayer f) {
                first = new DenseLayer.Builder().nIn(f.getNIn()).nOut(r).hasBias(false).activation(Activation.IDENTITY)
                        .updater(base.getIUpdater()).name(f.getLayerName() + "_u").build();
                FeedForwardLayer second = (FeedForwardLayer) f.clone();
                second.setNIn(r);
                second.setLayerName(f.getLayerName() + "_v");
                list.layer(j, first);
                list.layer(j + 1, second);
            } else {
                throw new IllegalArgumentException("layer " + conf.getLayerName() + " (" + conf.getClass().getSimpleName()
                        + ") cannot be factorised; only dense, output and convolution layers can");
            }
            mapping.add(new int[] {j, j + 1});
            j += 2;
        }
        MultiLayerNetwork out = new MultiLayerNetwork(list.build());
        out.init();
        for (int i = 0; i < mapping.size(); i++) {
            Layer src = net.getLayer(i);
            int[] dst = mapping.get(i);
            if (dst.length == 1) {
                for (Map.Entry<String, INDArray> p : src.paramTable().entrySet()) {
                    out.getLayer(dst[0]).setParam(p.getKey(), p.getValue().dup());
                }
                continue;
            }
            String name = src.conf().getLayer().getLayerName();
            int r = ranks.get(name);
            INDArray w = src.getParam("W");
            Svd svd = Svd.of(matrix(net, name));
            if (src.conf().getLayer().getClass() == ConvolutionLayer.class) {
                long[] s = w.shape();                                  // [out, in, kh, kw]
                INDArray first = svd.right(r, 0.5).reshape('c', r, s[1], s[2], s[3]);
                INDArray second = svd.left(r, 0.5).reshape('c', s[0], r, 1, 1);
                out.getLayer(dst[0]).setParam("W", first.castTo(w.dataType()));
                out.getLayer(dst[1]).setParam("W", second.castTo(w.dataType()));
            } else {                                                   // W is [in, out]: W = U S V^T
                out.getLayer(dst[0]).setParam("W", svd.left(r, 0.5).castTo(w.dataType()));
                out.getLayer(dst[1]).setParam("W", svd.right(r, 0.5).castTo(w.dataType()));
            }
            if (src.paramTable().containsKey("b")) {
                out.getLayer(dst[1]).setParam("b", src.getParam("b").dup());
            }
        }
        return out;
    }

    /** Weights (W only) of the layers of {@code net}: {@code sum in·out} (or {@code out·in·kh·kw}). */
    public static long weightCount(MultiLayerNetwork net) {
        long n = 0;
        for (Layer l : net.getLayers()) {
            INDArray w = l.getParam("W");
            n += w == null ? 0 : w.length();
        }
        return n;
    }

    /** The node called {@code name}, which must be a dense, output or plain convolution layer. */
    private static LayerNode factorisable(MultiLayerNetwork net, String name) {
        LayerNode n = NetworkView.of(net).weightedNode(name);
        if (n.kind() != LayerKind.DENSE && n.kind() != LayerKind.OUTPUT && n.kind() != LayerKind.CONV) {
            throw new IllegalArgumentException("layer " + n.describe() + " cannot be factorised: only dense, output and"
                    + " plain convolution layers can (a " + n.kind() + " weight is not an [out, in k k] matrix)");
        }
        return n;
    }

    static List<String> names(MultiLayerNetwork net) {
        return Arrays.stream(net.getLayers()).map(l -> l.conf().getLayer().getLayerName()).toList();
    }

    static DataType dtype(MultiLayerNetwork net) {
        return net.params().dataType();
    }
}
