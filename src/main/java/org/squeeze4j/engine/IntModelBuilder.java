package org.squeeze4j.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
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
import org.squeeze4j.quant.Finite;
import org.squeeze4j.quant.QParams;
import org.squeeze4j.quant.QuantSpec;
import org.squeeze4j.quant.Quantizer;
import org.squeeze4j.quant.observe.MinMaxObserver;
import org.squeeze4j.quant.observe.Observer;
import org.squeeze4j.quant.observe.PerChannelMinMaxObserver;

/**
 * Post-training conversion of a DL4J {@link MultiLayerNetwork} into an {@link IntModel}
 * (Jacob et al. 2018, section 3 without the training: ranges from calibration data):
 * <ol>
 *   <li>run the float network on the calibration features ({@code feedForward}, inference mode) and
 *       feed every activation to an {@link Observer} (default {@link MinMaxObserver}); the output
 *       layer is observed <em>before</em> softmax, because the engine returns logits;</li>
 *   <li>activations: uint8 affine ({@link QuantSpec#uint8Activations()}), {@code s, Z} from the
 *       observed range widened to contain 0 (ReLU outputs get {@code Z = 0}); every layer's output
 *       grid is the full 0..255, so its upper clamp is {@code hi = 255};</li>
 *   <li>weights: int8 symmetric narrow range [-127, 127] per output channel
 *       ({@link QuantSpec#int8Weights()}, axis 1 of a dense {@code [nIn, nOut]}, axis 0 of a conv
 *       {@code [out, in, kH, kW]}), ranges from {@link PerChannelMinMaxObserver}, codes from
 *       {@link Quantizer#quantize};</li>
 *   <li>biases: int32 {@code round(b / (s_in s_w[o]))};</li>
 *   <li>every scale is rounded to float32 first (TFLite's convention, so the file is lossless).</li>
 * </ol>
 * Supported layers: {@link DenseLayer} and {@link OutputLayer} (ReLU or identity; softmax on the
 * output layer is dropped), {@link ConvolutionLayer} (NCHW, dilation 1, truncate / strict / same
 * mode, ReLU or identity) and max {@link SubsamplingLayer} (no padding, truncate mode), with DL4J's
 * reshaping preprocessors between them. Anything else is rejected with the layer's index and name.
 */
public final class IntModelBuilder {
    private final MultiLayerNetwork net;
    private Supplier<Observer> activationObserver = MinMaxObserver::new;
    private List<QParams> activationParams;
    private int weightBits = 8;
    private boolean perChannelWeights = true;

    private IntModelBuilder(MultiLayerNetwork net) {
        if (net == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        this.net = net;
    }

    /** Starts a conversion of {@code net}. */
    public static IntModelBuilder of(MultiLayerNetwork net) {
        return new IntModelBuilder(net);
    }

    /** Shortcut: min-max calibration on {@code calibration} features. */
    public static IntModel build(MultiLayerNetwork net, INDArray calibration) {
        return of(net).build(calibration);
    }

    /** The observer used for every activation tensor (a fresh one per tensor); default min-max. */
    public IntModelBuilder activationObserver(Supplier<Observer> factory) {
        if (factory == null) {
            throw new IllegalArgumentException("observer factory must not be null");
        }
        this.activationObserver = factory;
        return this;
    }

    /**
     * Uses ranges found elsewhere (e.g. by {@code quant.ptq.Calibration} over many batches) instead of
     * observing the calibration features: {@code params.get(0)} for the network input and
     * {@code params.get(i + 1)} for the output of layer {@code i} (before softmax for the output
     * layer). Each must be uint8 per-tensor ({@link QuantSpec#uint8Activations()}); entries of
     * pooling layers are ignored (max pooling keeps its input's qparams).
     */
    public IntModelBuilder activationQParams(List<QParams> params) {
        if (params == null || params.isEmpty()) {
            throw new IllegalArgumentException("need one activation qparams per tensor (input + one per layer)");
        }
        for (int i = 0; i < params.size(); i++) {
            QParams q = params.get(i);
            if (q == null || q.isPerChannel() || q.zeroPoint() < 0 || q.zeroPoint() > 255) {
                throw new IllegalArgumentException("activation qparams " + i + " must be per-tensor uint8 (zero point in"
                        + " [0, 255]), got " + q);
            }
        }
        this.activationParams = List.copyOf(params);
        return this;
    }

    /**
     * Weight grid: symmetric narrow range {@code [-(2^(b-1) - 1), 2^(b-1) - 1]} with {@code bits} in 2..8
     * (default 8), stored as int8 codes either way; one scale per output channel (default) or one per
     * layer.
     */
    public IntModelBuilder weights(int bits, boolean perChannel) {
        if (bits < 2 || bits > 8) {
            throw new IllegalArgumentException("the integer engine stores weights as int8 codes: bits must be 2..8, got " + bits);
        }
        this.weightBits = bits;
        this.perChannelWeights = perChannel;
        return this;
    }

    /** Calibrates on {@code calibration} ({@code [n, features]}, as the network takes) and converts. */
    public IntModel build(INDArray calibration) {
        if (calibration == null || calibration.isEmpty()) {
            throw new IllegalArgumentException("need calibration features (e.g. ~1000 training images), got none");
        }
        Finite.require(calibration, "calibration features");
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        int n = net.getnLayers();
        List<INDArray> acts = net.feedForward(calibration, false);
        if (activationParams != null && activationParams.size() != n + 1) {
            throw new IllegalArgumentException("got " + activationParams.size() + " activation qparams for a network of " + n
                    + " layers; need " + (n + 1) + " (the input and one per layer)");
        }

        QParams inQ = activationQParams(acts.get(0), 0);
        double inScale = (float) inQ.scale();
        int inZero = inQ.zeroPoint();
        long[] flatShape = acts.get(0).shape();
        int[] inputShape;
        int[] chw = null;
        if (conf.getInputPreProcess(0) instanceof FeedForwardToCnnPreProcessor p) {
            chw = new int[] {(int) p.getNumChannels(), (int) p.getInputHeight(), (int) p.getInputWidth()};
            inputShape = chw.clone();
        } else if (flatShape.length == 2) {
            inputShape = new int[] {(int) flatShape[1]};
        } else if (flatShape.length == 4) {
            chw = new int[] {(int) flatShape[1], (int) flatShape[2], (int) flatShape[3]};
            inputShape = chw.clone();
        } else {
            throw new IllegalArgumentException("calibration features must be [n, features] or [n, c, h, w], got "
                    + Arrays.toString(flatShape));
        }

        List<IntLayer> layers = new ArrayList<>();
        double s = inScale;
        int z = inZero;
        for (int i = 0; i < n; i++) {
            Layer lc = conf.getConf(i).getLayer();
            String where = "layer " + i + " (" + lc.getLayerName() + ", " + lc.getClass().getSimpleName() + ")";
            InputPreProcessor pre = conf.getInputPreProcess(i);
            if (pre != null && !(pre instanceof FeedForwardToCnnPreProcessor) && !(pre instanceof CnnToFeedForwardPreProcessor)) {
                throw new IllegalArgumentException(where + " has preprocessor " + pre.getClass().getSimpleName()
                        + "; the integer engine supports only the flatten/unflatten reshapes between dense and conv layers");
            }
            if (pre instanceof CnnToFeedForwardPreProcessor) {
                chw = null;
            }
            INDArray w = net.getLayer(i).getParam("W");
            if (lc instanceof ConvolutionLayer c && lc.getClass() == ConvolutionLayer.class) {
                if (chw == null) {
                    throw new IllegalArgumentException(where + ": a convolution needs [c, h, w] input; the previous layer is dense");
                }
                boolean relu = hiddenActivation(c, where);
                if (c.getCnn2dDataFormat() != CNN2DFormat.NCHW) {
                    throw new IllegalArgumentException(where + " uses " + c.getCnn2dDataFormat() + "; only NCHW is supported");
                }
                if (c.getDilation()[0] != 1 || c.getDilation()[1] != 1) {
                    throw new IllegalArgumentException(where + " has dilation " + Arrays.toString(c.getDilation()) + "; only 1 is supported");
                }
                long[] outShape = acts.get(i + 1).shape();
                int outC = (int) outShape[1];
                int outH = (int) outShape[2];
                int outW = (int) outShape[3];
                int[] k = c.getKernelSize();
                int[] st = c.getStride();
                int padTop;
                int padLeft;
                if (c.getConvolutionMode() == ConvolutionMode.Same) {
                    padTop = Math.max(0, (outH - 1) * st[0] + k[0] - chw[1]) / 2;
                    padLeft = Math.max(0, (outW - 1) * st[1] + k[1] - chw[2]) / 2;
                } else {
                    padTop = c.getPadding()[0];
                    padLeft = c.getPadding()[1];
                }
                double[] ws = weightScales(w, 0);
                byte[] wq = weightCodes(w, ws, 0, false);
                int[] bq = biasCodes(c.hasBias() ? net.getLayer(i).getParam("b") : null, outC, s, ws, where);
                QParams outQ = activationQParams(acts.get(i + 1), i + 1);
                double os = (float) outQ.scale();
                IntConv2d layer = new IntConv2d(chw[0], chw[1], chw[2], outC, k[0], k[1], st[0], st[1], padTop, padLeft,
                        outH, outW, wq, bq, s, z, ws, os, outQ.zeroPoint(), relu);
                layers.add(layer);
                s = os;
                z = outQ.zeroPoint();
                chw = new int[] {outC, outH, outW};
            } else if (lc instanceof SubsamplingLayer p && lc.getClass() == SubsamplingLayer.class) {
                if (chw == null) {
                    throw new IllegalArgumentException(where + ": pooling needs [c, h, w] input");
                }
                if (p.getPoolingType() != PoolingType.MAX) {
                    throw new IllegalArgumentException(where + " is " + p.getPoolingType() + " pooling; only MAX pooling"
                            + " commutes with requantization and is supported");
                }
                if (p.getPadding()[0] != 0 || p.getPadding()[1] != 0 || p.getConvolutionMode() == ConvolutionMode.Same) {
                    throw new IllegalArgumentException(where + " pads its input; only unpadded (truncate) max pooling is supported");
                }
                IntMaxPool2d pool = new IntMaxPool2d(chw[0], chw[1], chw[2], p.getKernelSize()[0], p.getKernelSize()[1],
                        p.getStride()[0], p.getStride()[1]);
                long[] outShape = acts.get(i + 1).shape();
                if (outShape[2] != pool.outHeight() || outShape[3] != pool.outWidth()) {
                    throw new IllegalStateException(where + ": DL4J pools to " + Arrays.toString(outShape) + " but the engine to "
                            + pool.outHeight() + "x" + pool.outWidth());
                }
                layers.add(pool);
                chw = new int[] {chw[0], pool.outHeight(), pool.outWidth()};
            } else if (lc.getClass() == DenseLayer.class || lc.getClass() == OutputLayer.class) {
                boolean output = lc instanceof OutputLayer;
                if (output && i != n - 1) {
                    throw new IllegalArgumentException(where + " is an output layer but not the last layer");
                }
                boolean relu = output ? outputActivation((BaseLayer) lc, where) : hiddenActivation((BaseLayer) lc, where);
                int nIn = (int) w.size(0);
                int nOut = (int) w.size(1);
                double[] ws = weightScales(w, 1);
                byte[] wq = weightCodes(w, ws, 1, true);
                INDArray b = net.getLayer(i).getParam("b");
                int[] bq = biasCodes(b, nOut, s, ws, where);
                INDArray observed = acts.get(i + 1);
                if (output) {
                    observed = preActivation(acts.get(i), w, b);
                }
                QParams outQ = activationQParams(observed, i + 1);
                double os = (float) outQ.scale();
                layers.add(new IntDense(nIn, nOut, wq, bq, s, z, ws, os, outQ.zeroPoint(), relu));
                s = os;
                z = outQ.zeroPoint();
            } else {
                throw new IllegalArgumentException(where + " is not supported by the integer engine; supported are dense,"
                        + " output, convolution and max-pooling layers");
            }
        }
        return new IntModel(inputShape, inScale, inZero, layers);
    }

    private static INDArray preActivation(INDArray in, INDArray w, INDArray b) {
        INDArray x = in.reshape('c', in.size(0), w.size(0)).castTo(w.dataType());
        INDArray z = x.mmul(w);
        return b == null ? z : z.addRowVector(b);
    }

    private QParams activationQParams(INDArray a, int tensor) {
        if (activationParams != null) {
            return activationParams.get(tensor);
        }
        Observer o = activationObserver.get();
        o.observe(a);
        return o.qparams(QuantSpec.uint8Activations());
    }

    private QuantSpec weightSpec() {
        return new QuantSpec(weightBits, true, true, true, QuantSpec.PER_TENSOR);
    }

    private double[] weightScales(INDArray w, int axis) {
        PerChannelMinMaxObserver o = new PerChannelMinMaxObserver(axis);
        o.observe(w);
        double[] s = o.qparams(weightSpec().perChannel(axis)).scales();
        if (!perChannelWeights) {
            double max = Arrays.stream(s).max().orElseThrow();
            Arrays.fill(s, max);
        }
        for (int c = 0; c < s.length; c++) {
            s[c] = (float) s[c];
        }
        return s;
    }

    /** int8 codes output-major {@code [channel][rest]}; dense weights are transposed from [nIn, nOut]. */
    private byte[] weightCodes(INDArray w, double[] scales, int axis, boolean transpose) {
        QuantSpec spec = weightSpec().perChannel(axis);
        QParams qp = new QParams(scales, new int[scales.length], axis);
        INDArray q = Quantizer.quantize(w, qp, spec);
        if (transpose) {
            q = q.transpose();
        }
        int[] codes = q.dup('c').castTo(DataType.INT32).ravel().toIntVector();
        byte[] out = new byte[codes.length];
        for (int i = 0; i < codes.length; i++) {
            out[i] = (byte) codes[i];
        }
        return out;
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
                throw new IllegalArgumentException(where + ": bias " + o + " = " + v[o] + " is " + q + " steps of s_in*s_w,"
                        + " outside int32; the weights of this channel are tiny compared to its bias");
            }
            out[o] = (int) q;
        }
        return out;
    }

    private static boolean hiddenActivation(BaseLayer l, String where) {
        IActivation a = l.getActivationFn();
        if (a instanceof ActivationReLU r) {
            return true;
        }
        if (a instanceof ActivationIdentity) {
            return false;
        }
        throw new IllegalArgumentException(where + " uses activation " + a + "; the integer engine fuses only ReLU (clamp) or identity");
    }

    private static boolean outputActivation(BaseLayer l, String where) {
        IActivation a = l.getActivationFn();
        if (a instanceof ActivationSoftmax || a instanceof ActivationIdentity) {
            return false; // the engine returns logits; softmax does not change the argmax
        }
        if (a instanceof ActivationReLU) {
            return true;
        }
        throw new IllegalArgumentException(where + " uses output activation " + a + "; supported are softmax (dropped: the"
                + " engine returns logits), identity and ReLU");
    }
}
