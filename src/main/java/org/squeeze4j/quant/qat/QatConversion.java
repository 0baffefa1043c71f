package org.squeeze4j.quant.qat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.engine.IntConv2d;
import org.squeeze4j.engine.IntDense;
import org.squeeze4j.engine.IntLayer;
import org.squeeze4j.engine.IntMaxPool2d;
import org.squeeze4j.engine.IntModel;
import org.squeeze4j.quant.QParams;

/**
 * Converts a QAT-trained network into the integer engine's {@link IntModel} (torch.ao's
 * {@code convert}; Jacob et al. 2018, section 3, "export"): the fake-quant nodes disappear and
 * their learned grids become the engine's parameters, with no calibration:
 * <pre>
 *   input   s_in, Z_in   = input quantizer's qparams
 *   weights q_w          = clip(rint(W / s_w), -qmax, qmax)  per output channel, exactly the codes
 *                          FakeQuantWeightNoise used in the last forward pass (same float32 scales)
 *   biases  q_b          = rint(b / (s_in s_w))              (int32)
 *   output  s_out, Z_out = the layer's FakeQuantActivation qparams, or (alpha / (2^b - 1), 0) for PACT
 *           hi           = 2^b - 1, the top code of that b-bit grid (FakeQuantActivation's or PACT's bits)
 * </pre>
 * The engine's codes are uint8 and each layer's requantization clamps at
 * {@code [Z_out or 0, hi]} ({@link org.squeeze4j.engine.WeightedLayer#hi()}), so it clips exactly
 * where the fake-quant network clips at any activation width from 1 to 8 bits; the weight grid may
 * have any width from 2 to 8 bits. What remains between the two is the engine's integer
 * arithmetic: int32 biases at scale {@code s_in s_w} (the network keeps float biases) and
 * gemmlowp's two roundings in the requantization. At 8 bits that is negligible (tests, LeNet-300-100:
 * argmax agreement 100 %, logits within one output step). At 4 activation bits the scales are
 * coarse and it is not: W4A4 after a few QAT steps agrees on 99.85 % of the argmaxes with logits up
 * to 7 output steps apart (mean 0.69), the same as before the clamp existed, because the EMA ranges
 * leave few values above code 15; with PACT's clipping levels the clamp matters (max difference
 * 20 -> 5 steps). The converted parameters themselves are exact: evaluated in real arithmetic with
 * float biases they reproduce the fake-quant logit codes within one step ({@code QatConversionTest}).
 * The engine quantizes the network input onto uint8, so an input quantizer with fewer than 8 bits
 * ({@code QatConfig.inputBits() < 8}) is not clipped at its top code; the default configurations
 * quantize the input at 8 bits.
 *
 * <p>Rejected, naming the layer: a network that was not prepared for QAT, a weighted layer without
 * {@link FakeQuantWeightNoise}, activations other than (fake-quant) ReLU / identity / softmax on
 * the output, and layer types the engine lacks.
 */
public final class QatConversion {
    private QatConversion() {
    }

    /** The integer model of the prepared and trained {@code net}. */
    public static IntModel toIntModel(MultiLayerNetwork net) {
        QatControl.requirePrepared(net);
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        FakeQuantActivation inQ = (FakeQuantActivation) ((org.deeplearning4j.nn.conf.layers.ActivationLayer) conf.getConf(0).getLayer())
                .getActivationFn();
        QParams in = inQ.qparams();
        int n = net.getnLayers();
        long inputLength = net.getLayer(1).getParam("W") != null && conf.getInputPreProcess(1) == null
                && conf.getConf(1).getLayer() instanceof DenseLayer d ? d.getNIn() : -1;
        int[] inputShape;
        int[] chw = null;
        if (conf.getInputPreProcess(1) instanceof FeedForwardToCnnPreProcessor p) {
            chw = new int[] {(int) p.getNumChannels(), (int) p.getInputHeight(), (int) p.getInputWidth()};
            inputShape = chw.clone();
        } else if (inputLength > 0) {
            inputShape = new int[] {(int) inputLength};
        } else {
            throw new IllegalArgumentException("layer 1 (" + conf.getConf(1).getLayer().getLayerName() + ") must be a dense layer"
                    + " or a convolution after a FeedForwardToCnnPreProcessor (flat input)");
        }
        List<INDArray> shapes = net.feedForward(Nd4j.zeros(net.getLayer(1).getParam("W").dataType(), 1, length(inputShape)), false);

        List<IntLayer> layers = new ArrayList<>();
        double s = in.scale();
        int z = in.zeroPoint();
        for (int i = 1; i < n; i++) {
            Layer lc = conf.getConf(i).getLayer();
            String where = "layer " + i + " (" + lc.getLayerName() + ", " + lc.getClass().getSimpleName() + ")";
            InputPreProcessor pre = conf.getInputPreProcess(i);
            if (pre != null && !(pre instanceof FeedForwardToCnnPreProcessor) && !(pre instanceof CnnToFeedForwardPreProcessor)) {
                throw new IllegalArgumentException(where + " has preprocessor " + pre.getClass().getSimpleName()
                        + "; the integer engine supports only the flatten/unflatten reshapes");
            }
            if (pre instanceof CnnToFeedForwardPreProcessor) {
                chw = null;
            }
            Class<?> c = lc.getClass();
            if (c == SubsamplingLayer.class) {
                SubsamplingLayer p = (SubsamplingLayer) lc;
                if (chw == null || p.getPoolingType() != PoolingType.MAX || p.getPadding()[0] != 0 || p.getPadding()[1] != 0
                        || p.getConvolutionMode() == ConvolutionMode.Same) {
                    throw new IllegalArgumentException(where + ": only unpadded MAX pooling after a convolution converts");
                }
                IntMaxPool2d pool = new IntMaxPool2d(chw[0], chw[1], chw[2], p.getKernelSize()[0], p.getKernelSize()[1],
                        p.getStride()[0], p.getStride()[1]);
                layers.add(pool);
                chw = new int[] {chw[0], pool.outHeight(), pool.outWidth()};
                continue;
            }
            if (c != DenseLayer.class && c != OutputLayer.class && c != ConvolutionLayer.class) {
                throw new IllegalArgumentException(where + " cannot be converted to the integer engine (dense, output,"
                        + " convolution, max pooling and the PACT layer after a weighted layer are supported)");
            }
            BaseLayer bl = (BaseLayer) lc;
            if (!(bl.getWeightNoise() instanceof FakeQuantWeightNoise wn)) {
                throw new IllegalArgumentException(where + " has no FakeQuantWeightNoise: it was not prepared for QAT;"
                        + " use QatPreparation.prepare(net, config) before training and converting");
            }
            int axis = c == ConvolutionLayer.class ? 0 : 1;
            INDArray w = net.getLayer(i).getParam("W");
            double[] ws = wn.scales(w, axis);
            byte[] wq = wn.codes(w, axis);          // channel-major: [nOut][nIn] dense, [out][in kH kW] conv
            int nOut = ws.length;
            int[] bq = biasCodes(net.getLayer(i).getParam("b"), nOut, s, ws, where);

            // where does this layer's output grid come from?
            double os;
            int oz;
            int hi;
            boolean relu;
            boolean pactNext = i + 1 < n && conf.getConf(i + 1).getLayer() instanceof PactLayer;
            IActivation act = bl.getActivationFn();
            if (pactNext) {
                if (!(act instanceof ActivationIdentity)) {
                    throw new IllegalArgumentException(where + " is followed by PACT but has activation " + act + "; expected identity");
                }
                PactLayerImpl pact = (PactLayerImpl) net.getLayer(i + 1);
                os = pact.scale();
                oz = 0;
                relu = true;
                hi = ((PactLayer) conf.getConf(i + 1).getLayer()).qmax();      // PACT clips codes at 2^b - 1
            } else if (act instanceof FakeQuantActivation f) {
                QParams q = f.qparams();
                os = q.scale();
                oz = q.zeroPoint();
                hi = f.spec().qmax();                                           // fake quantization clips at 2^b - 1
                IActivation base = f.base();
                if (c == OutputLayer.class && f.quantizeInput() && (base instanceof ActivationSoftmax || base instanceof ActivationIdentity)) {
                    relu = false;
                } else if (!f.quantizeInput() && base instanceof ActivationReLU) {
                    relu = true;
                } else if (!f.quantizeInput() && base instanceof ActivationIdentity) {
                    relu = false;
                } else {
                    throw new IllegalArgumentException(where + " uses " + f + "; the integer engine fuses only ReLU or identity"
                            + " (softmax only on the output layer, on quantized logits)");
                }
            } else {
                throw new IllegalArgumentException(where + " has activation " + act + " without fake quantization: it was not"
                        + " prepared for QAT; use QatPreparation.prepare(net, config)");
            }
            if (c == ConvolutionLayer.class) {
                ConvolutionLayer cv = (ConvolutionLayer) lc;
                if (chw == null) {
                    throw new IllegalArgumentException(where + ": a convolution needs [c, h, w] input");
                }
                if (cv.getCnn2dDataFormat() != CNN2DFormat.NCHW || cv.getDilation()[0] != 1 || cv.getDilation()[1] != 1) {
                    throw new IllegalArgumentException(where + ": only NCHW convolutions with dilation 1 convert");
                }
                long[] out = shapes.get(pactNext ? i + 2 : i + 1).shape();
                int[] k = cv.getKernelSize();
                int[] st = cv.getStride();
                int outH = (int) out[2];
                int outW = (int) out[3];
                int padTop = cv.getConvolutionMode() == ConvolutionMode.Same ? Math.max(0, (outH - 1) * st[0] + k[0] - chw[1]) / 2
                        : cv.getPadding()[0];
                int padLeft = cv.getConvolutionMode() == ConvolutionMode.Same ? Math.max(0, (outW - 1) * st[1] + k[1] - chw[2]) / 2
                        : cv.getPadding()[1];
                layers.add(new IntConv2d(chw[0], chw[1], chw[2], nOut, k[0], k[1], st[0], st[1], padTop, padLeft, outH, outW,
                        wq, bq, s, z, ws, os, oz, relu, hi));
                chw = new int[] {nOut, outH, outW};
            } else {
                layers.add(new IntDense((int) w.size(0), nOut, wq, bq, s, z, ws, os, oz, relu, hi));
            }
            s = os;
            z = oz;
            if (pactNext) {
                i++;
            }
        }
        return new IntModel(inputShape, in.scale(), in.zeroPoint(), layers);
    }

    private static int length(int[] shape) {
        return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }

    private static int[] biasCodes(INDArray b, int nOut, double inScale, double[] ws, String where) {
        int[] out = new int[nOut];
        if (b == null) {
            return out;
        }
        double[] v = b.castTo(DataType.DOUBLE).ravel().toDoubleVector();
        for (int o = 0; o < nOut; o++) {
            double q = Math.rint(v[o] / (inScale * ws[o]));
            if (!(Math.abs(q) <= Integer.MAX_VALUE)) {
                throw new IllegalArgumentException(where + ": bias " + o + " = " + v[o] + " does not fit int32 at scale "
                        + inScale * ws[o]);
            }
            out[o] = (int) q;
        }
        return out;
    }
}
