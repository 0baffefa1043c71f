package org.squeeze4j.quant.qat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Folds every batch-normalisation layer into the convolution or dense layer before it, so that
 * QAT quantizes the weights the integer engine will use (Jacob et al. 2018, section 3.2;
 * Krishnamoorthi 2018, section 3.2, figure 7; Nagel et al. 2021, section 2.3.1):
 * <pre>
 *   BN(x W + b) = gamma (x W + b - mu) / sigma + beta,        sigma = sqrt(var + eps)
 *   W'[o] = W[o] gamma_o / sigma_o,    b'_o = beta_o + (b_o - mu_o) gamma_o / sigma_o
 * </pre>
 * <b>Approach during QAT: fold first, with the running statistics, then train the folded layer.</b>
 * Krishnamoorthi's scheme keeps BN during QAT (batch statistics, a correction factor
 * {@code sigma_B / sigma}) and freezes the statistics after some steps, then trains on the folded
 * weights with the running statistics. Starting from a converged float network we enter that
 * frozen phase at once: the statistics no longer move, so the folded layer is exactly the
 * network's inference function, the fake-quantized weights are the folded ones (the ones the
 * engine stores), and the BN parameters are learned through {@code W'} and {@code b'}. What is
 * lost is BN's normalisation during the short fine-tune, which matters for training from scratch,
 * not for a fine-tune.
 *
 * <p>The layer before the BN must be a {@link ConvolutionLayer} or {@link DenseLayer} with
 * identity activation. An {@link ActivationLayer} right after the BN is fused into the folded
 * layer as its activation (conv-bn-relu becomes one conv with ReLU, which the integer engine
 * runs as a clamp). Other placements are rejected
 * naming the layer. The input network is not modified.
 */
public final class BatchNormFolding {
    private BatchNormFolding() {
    }

    /** A copy of {@code net} with every batch-norm layer folded away (same inference outputs). */
    public static MultiLayerNetwork fold(MultiLayerNetwork net) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        int n = net.getnLayers();
        List<NeuralNetConfiguration> confs = new ArrayList<>();
        Map<Integer, InputPreProcessor> pre = new HashMap<>();
        List<Map<String, INDArray>> params = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Layer lc = conf.getConf(i).getLayer();
            String where = "layer " + i + " (" + lc.getLayerName() + ", " + lc.getClass().getSimpleName() + ")";
            if (lc instanceof BatchNormalization bn) {
                if (i == 0 || confs.isEmpty()) {
                    throw new IllegalArgumentException(where + " has no preceding layer to fold into");
                }
                if (conf.getInputPreProcess(i) != null) {
                    throw new IllegalArgumentException(where + " has an input preprocessor; only a BN right after a convolution"
                            + " or dense layer folds");
                }
                NeuralNetConfiguration prevConf = confs.get(confs.size() - 1);
                Layer prev = prevConf.getLayer();
                if (prev.getClass() != ConvolutionLayer.class && prev.getClass() != DenseLayer.class) {
                    throw new IllegalArgumentException(where + " follows " + prev.getClass().getSimpleName()
                            + "; only batch norm after a ConvolutionLayer or DenseLayer can be folded");
                }
                if (!(((BaseLayer) prev).getActivationFn() instanceof ActivationIdentity)) {
                    throw new IllegalArgumentException(where + " follows a layer with activation " + ((BaseLayer) prev).getActivationFn()
                            + "; folding needs identity before the batch norm");
                }
                foldInto(params.get(params.size() - 1), net.getLayer(i).paramTable(), bn, prev instanceof ConvolutionLayer);
                // DL4J's BatchNormalization layer does not apply its configured activation (measured on 1.0.0-M2.1), so the
                // non-linearity comes from a following ActivationLayer: fuse it too (conv-bn-relu, as torch.ao fuses modules)
                if (i + 1 < n && conf.getConf(i + 1).getLayer() instanceof ActivationLayer act && conf.getInputPreProcess(i + 1) == null) {
                    ((BaseLayer) prev).setActivationFn(act.getActivationFn());
                    i++;
                }
                continue;
            }
            NeuralNetConfiguration nc = conf.getConf(i).clone();
            nc.clearVariables();
            if (conf.getInputPreProcess(i) != null) {
                pre.put(confs.size(), conf.getInputPreProcess(i).clone());
            }
            confs.add(nc);
            Map<String, INDArray> p = new HashMap<>();
            net.getLayer(i).paramTable().forEach((k, v) -> p.put(k, v.dup()));
            params.add(p);
        }
        MultiLayerConfiguration fconf = conf.clone();
        fconf.setConfs(confs);
        fconf.setInputPreProcessors(pre);
        MultiLayerNetwork folded = new MultiLayerNetwork(fconf);
        folded.init();
        for (int i = 0; i < confs.size(); i++) {
            for (Map.Entry<String, INDArray> e : params.get(i).entrySet()) {
                folded.getLayer(i).setParam(e.getKey(), e.getValue());
            }
        }
        return folded;
    }

    private static void foldInto(Map<String, INDArray> layer, Map<String, INDArray> bnParams, BatchNormalization bn, boolean conv) {
        INDArray w = layer.get("W");
        DataType dt = w.dataType();
        long channels = conv ? w.size(0) : w.size(1);
        INDArray mean = bnParams.get(BatchNormalizationParamInitializer.GLOBAL_MEAN).castTo(DataType.DOUBLE).reshape(channels);
        INDArray var;
        if (bn.isUseLogStd()) {                                  // DL4J stores log10(std); inference uses sqrt(std^2 + eps)
            INDArray std = Transforms.pow(Nd4j.valueArrayOf(new long[] {channels}, 10.0, DataType.DOUBLE),
                    bnParams.get(BatchNormalizationParamInitializer.GLOBAL_LOG_STD).castTo(DataType.DOUBLE).reshape(channels), false);
            var = std.mul(std);
        } else {
            var = bnParams.get(BatchNormalizationParamInitializer.GLOBAL_VAR).castTo(DataType.DOUBLE).reshape(channels);
        }
        INDArray sigma = Transforms.sqrt(var.add(bn.getEps()), false);
        INDArray gamma;
        INDArray beta;
        if (bn.isLockGammaBeta()) {
            gamma = Nd4j.valueArrayOf(new long[] {channels}, bn.getGamma(), DataType.DOUBLE);
            beta = Nd4j.valueArrayOf(new long[] {channels}, bn.getBeta(), DataType.DOUBLE);
        } else {
            gamma = bnParams.get(BatchNormalizationParamInitializer.GAMMA).castTo(DataType.DOUBLE).reshape(channels);
            beta = bnParams.get(BatchNormalizationParamInitializer.BETA).castTo(DataType.DOUBLE).reshape(channels);
        }
        INDArray factor = gamma.div(sigma);
        INDArray wd = w.castTo(DataType.DOUBLE);
        if (conv) {
            INDArray w2 = wd.reshape('c', channels, wd.length() / channels).mulColumnVector(factor.reshape(channels, 1));
            layer.put("W", w2.reshape('c', w.shape()).castTo(dt));
        } else {
            layer.put("W", wd.mulRowVector(factor.reshape(1, channels)).castTo(dt));
        }
        INDArray b = layer.containsKey("b") ? layer.get("b").castTo(DataType.DOUBLE).reshape(channels) : Nd4j.zeros(DataType.DOUBLE, channels);
        INDArray nb = b.sub(mean).muli(factor).addi(beta);
        if (!layer.containsKey("b")) {
            throw new IllegalArgumentException("the layer before a batch norm has no bias; build it with hasBias(true) so the fold"
                    + " has somewhere to put beta - mu gamma / sigma");
        }
        layer.put("b", nb.reshape(layer.get("b").shape()).castTo(dt));
    }
}
