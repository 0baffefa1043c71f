package org.squeeze4j.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.squeeze4j.engine.IntModel;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;
import org.squeeze4j.models.Networks;
import org.squeeze4j.quant.Finite;
import org.squeeze4j.quant.QParams;
import org.squeeze4j.quant.QuantSpec;
import org.squeeze4j.quant.Quantizer;
import org.squeeze4j.quant.observe.MinMaxObserver;
import org.squeeze4j.quant.observe.Observer;
import org.squeeze4j.quant.observe.PerChannelMinMaxObserver;
import org.squeeze4j.quant.ptq.BatchNormFolding;
import org.squeeze4j.quant.ptq.Calibrator;
import org.squeeze4j.quant.ptq.PtqResult;

/**
 * Post-training conversion of a DL4J {@code MultiLayerNetwork} or {@code ComputationGraph} into an
 * {@link IntModel} (Jacob et al. 2018, section 3 without the training: ranges from calibration
 * data), through the one {@link Lowering}:
 * <ol>
 *   <li>batch norm is folded into the layer before it ({@link BatchNormFolding}, on a copy);</li>
 *   <li>the float network runs on the calibration features in inference mode, in chunks, and every
 *       tensor feeds an {@link Observer} (default {@link MinMaxObserver}); the output layer is
 *       observed <em>before</em> softmax, because the engine returns logits;</li>
 *   <li>activations: uint8 affine ({@link QuantSpec#uint8Activations()}), {@code s, Z} from the
 *       observed range widened to contain 0 (ReLU outputs get {@code Z = 0}), upper clamp 255;</li>
 *   <li>weights: symmetric narrow range {@code [-(2^(b-1) - 1), 2^(b-1) - 1]} per output channel
 *       (the view's output axis) or per tensor, ranges from {@link PerChannelMinMaxObserver}, codes
 *       from {@link Quantizer#quantize};</li>
 *   <li>biases: int32 {@code round(b / (s_in s_w[o]))};</li>
 *   <li>every scale is rounded to float32 first (TFLite's convention, so the file is lossless).</li>
 * </ol>
 * The layers the engine runs, and what it refuses, are {@link Lowering}'s.
 */
public final class IntModelBuilder {
    /** Calibration rows run through the float network at a time (bounds the memory of a conv net's activations). */
    static final int CHUNK = 100;

    private final Model net;
    private Supplier<Observer> activationObserver = MinMaxObserver::new;
    private List<QParams> activationParams;
    private int weightBits = 8;
    private boolean perChannelWeights = true;

    private IntModelBuilder(Model net) {
        if (net == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        this.net = net;
    }

    /** Starts a conversion of {@code net}. */
    public static IntModelBuilder of(Model net) {
        return new IntModelBuilder(net);
    }

    /** Shortcut: min-max calibration on {@code calibration} features. */
    public static IntModel build(Model net, INDArray calibration) {
        return of(net).build(calibration);
    }

    /**
     * The integer model of a post-training quantization run: its activation grids, weight bits and
     * granularity and its corrected biases. Needs 8-bit activations (the engine's uint8 codes) and
     * min-max weight ranges without variance correction (the engine quantizes the weights itself).
     *
     * @param sample a few calibration features, used only for the layer shapes
     */
    public static IntModel from(PtqResult r, INDArray sample) {
        if (r == null) {
            throw new IllegalArgumentException("PTQ result must not be null");
        }
        if (r.spec().activationBits() != 8) {
            throw new IllegalArgumentException("the integer engine runs uint8 activations; spec " + r.spec().label()
                    + " has " + (r.spec().quantizesActivations() ? r.spec().activationBits() + "-bit" : "float") + " activations");
        }
        if (r.spec().weightCalibrator() != Calibrator.MIN_MAX || r.spec().varianceCorrection()) {
            throw new IllegalArgumentException("the integer engine derives weight scales by min-max; spec " + r.spec().label()
                    + " uses " + r.spec().weightCalibrator() + (r.spec().varianceCorrection() ? " with variance correction" : "")
                    + " - evaluate it with network()/accuracy() instead");
        }
        List<QParams> acts = new ArrayList<>();
        for (int t = 0; t < r.stats().tensors(); t++) {
            acts.add(r.stats().qparams(t, QuantSpec.uint8Activations()));
        }
        return of(r.corrected()).activationQParams(acts).weights(r.spec().weightBits(), r.spec().perChannelWeights()).build(sample);
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
     * {@code params.get(i + 1)} for the output of node {@code i} of the {@link NetworkView} (layer
     * {@code i} of a {@code MultiLayerNetwork}; before softmax for the output layer). Each must be
     * uint8 per-tensor ({@link QuantSpec#uint8Activations()}); entries of pooling layers are ignored
     * (max pooling keeps its input's qparams).
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

    /** Calibrates on {@code calibration} (rows as the network takes them) and converts. */
    public IntModel build(INDArray calibration) {
        if (calibration == null || calibration.isEmpty()) {
            throw new IllegalArgumentException("need calibration features (e.g. ~1000 training images), got none");
        }
        Finite.require(calibration, "calibration features");
        NetworkView original = NetworkView.of(net);
        boolean hasBatchNorm = original.nodes().stream().anyMatch(n -> n.kind() == LayerKind.BATCH_NORM);
        Model folded = hasBatchNorm ? BatchNormFolding.fold(net) : net;
        NetworkView view = hasBatchNorm ? NetworkView.of(folded) : original;
        if (activationParams != null && activationParams.size() != view.nodes().size() + 1) {
            throw new IllegalArgumentException("got " + activationParams.size() + " activation qparams for a network of "
                    + view.nodes().size() + " layers; need " + (view.nodes().size() + 1) + " (the input and one per layer)");
        }
        Observed grids = new Observed(view);
        long rows = calibration.size(0);
        for (long from = 0; from < rows; from += CHUNK) {
            INDArray chunk = calibration.get(NDArrayIndex.interval(from, Math.min(rows, from + CHUNK)));
            grids.observe(Networks.activations(folded, chunk));
            if (activationParams != null) {
                break;              // the shapes are all it needs
            }
        }
        return Lowering.lower(view, grids, grids.shapes);
    }

    /** Grids from observers over the calibration activations, or from {@link #activationParams}. */
    private final class Observed implements Grids {
        private final NetworkView view;
        private final Map<String, Observer> observers = new HashMap<>();
        private final Map<String, long[]> shapes = new HashMap<>();

        Observed(NetworkView view) {
            this.view = view;
        }

        void observe(Map<String, INDArray> acts) {
            for (Map.Entry<String, INDArray> e : acts.entrySet()) {
                shapes.putIfAbsent(e.getKey(), e.getValue().shape());
                if (activationParams == null) {
                    observers.computeIfAbsent(e.getKey(), k -> activationObserver.get()).observe(e.getValue());
                }
            }
            if (activationParams == null) {
                for (LayerNode n : view.nodes()) {
                    if (n.kind() == LayerKind.OUTPUT) {
                        INDArray in = acts.get(n.inputs().get(0));
                        observers.computeIfAbsent(logits(n), k -> activationObserver.get()).observe(preActivation(in, n));
                    }
                }
            }
        }

        @Override
        public QParams input() {
            return float32(qparams(view.inputs().get(0), 0));
        }

        @Override
        public boolean isInputQuantizer(LayerNode n) {
            return false;
        }

        @Override
        public IActivation activation(LayerNode weighted) {
            return ((BaseLayer) weighted.conf()).getActivationFn();
        }

        @Override
        public boolean fusesAsRelu(LayerNode activation) {
            return activation.conf().getClass() == ActivationLayer.class
                    && ((ActivationLayer) activation.conf()).getActivationFn() instanceof ActivationReLU;
        }

        @Override
        public Grid output(LayerNode producer, LayerNode last) {
            String key = producer.kind() == LayerKind.OUTPUT && last == producer ? logits(producer) : last.name();
            QParams q = float32(qparams(key, last.index() + 1));
            return new Grid(q.scale(), q.zeroPoint(), 255);
        }

        @Override
        public WeightCodes weights(LayerNode n) {
            INDArray w = n.weight();
            int axis = n.outputAxis();
            QuantSpec spec = new QuantSpec(weightBits, true, true, true, QuantSpec.PER_TENSOR).perChannel(axis);
            PerChannelMinMaxObserver o = new PerChannelMinMaxObserver(axis);
            o.observe(w);
            double[] s = o.qparams(spec).scales();
            if (!perChannelWeights) {
                Arrays.fill(s, Arrays.stream(s).max().orElseThrow());
            }
            for (int c = 0; c < s.length; c++) {
                s[c] = (float) s[c];
            }
            INDArray q = Quantizer.quantize(w, new QParams(s, new int[s.length], axis), spec);
            return new WeightCodes(s, channelMajor(q, axis));
        }

        private QParams qparams(String tensor, int index) {
            if (activationParams != null) {
                return activationParams.get(index);
            }
            Observer o = observers.get(tensor);
            if (o == null) {
                throw new IllegalStateException("no activations were observed for '" + tensor + "'");
            }
            return o.qparams(QuantSpec.uint8Activations());
        }

        private static String logits(LayerNode n) {
            return n.name() + "#logits";
        }
    }

    /** {@code x W + b} of a dense output layer on its input (flattened as its preprocessor would). */
    private static INDArray preActivation(INDArray in, LayerNode n) {
        INDArray w = n.weight();
        INDArray x = in.reshape('c', in.size(0), w.size(0)).castTo(w.dataType());
        INDArray z = x.mmul(w);
        INDArray b = n.bias();
        return b == null ? z : z.addRowVector(b);
    }

    private static QParams float32(QParams q) {
        return QParams.perTensor((float) q.scale(), q.zeroPoint());
    }

    /** int8 codes {@code [channel][rest]}: the output axis first, the other axes in their order. */
    static byte[] channelMajor(INDArray codes, int axis) {
        int[] order = new int[codes.rank()];
        order[0] = axis;
        for (int d = 0, k = 1; d < codes.rank(); d++) {
            if (d != axis) {
                order[k++] = d;
            }
        }
        int[] v = codes.permute(order).dup('c').castTo(DataType.INT32).ravel().toIntVector();
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }
}
