package org.squeeze4j.quant.ptq;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.squeeze4j.quant.QParams;
import org.squeeze4j.quant.QuantSpec;
import org.squeeze4j.quant.Quantizer;
import org.squeeze4j.quant.Range;
import org.squeeze4j.quant.observe.Observer;
import org.squeeze4j.quant.observe.PerChannelMinMaxObserver;

/**
 * Post-training quantization of a DL4J network, collect then apply (NNCF's two phases; Nagel et al.
 * 2021, section 4, "standard PTQ pipeline"):
 * <ol>
 *   <li><b>collect</b> ({@link Calibration#collect}): activation statistics of the float network on
 *       the calibration set, one observer per tensor;</li>
 *   <li><b>apply</b> ({@link #apply}): on a copy of the network
 *     <ul>
 *       <li>weights: {@code W <- fq(W)} on the symmetric narrow grid of {@code b} bits, per output
 *           channel or per tensor, ranges by the weight calibrator;</li>
 *       <li>variance correction (optional, Banner et al. 2019, per output channel c):
 *           {@code W_hat_c <- zeta_c (W_hat_c + u_c)}, {@code u_c = E(W_c) - E(W_hat_c)},
 *           {@code zeta_c = ||W_c - E(W_c)|| / ||W_hat_c - E(W_hat_c)||};</li>
 *       <li>activations: every layer's activation wrapped in {@link ActivationFakeQuant} with the
 *           grid chosen from its statistics (the pre-activation for the output layer);</li>
 *       <li>bias correction (optional, Nagel et al. 2019, section 4.2, empirical): layer by layer,
 *           with {@code x} the layer's input in the already quantized network,
 *           {@code b_c <- b_c + E[(x (W - W_hat))_c]}, the mean over calibration examples (and
 *           positions, for convolutions) of the output error the weight rounding causes;</li>
 *     </ul></li>
 * </ol>
 * The original network is never modified. Supported layers: dense, output, convolution and
 * subsampling (fold batch normalization first with {@link BatchNormFolding}).
 */
public final class Ptq {
    private Ptq() {
    }

    /** Collects statistics on {@code calibration} and applies {@code spec}. */
    public static PtqResult quantize(MultiLayerNetwork net, PtqSpec spec, DataSetIterator calibration) {
        return quantize(net, spec, batches(calibration));
    }

    /** Collects statistics on the calibration batches and applies {@code spec}. */
    public static PtqResult quantize(MultiLayerNetwork net, PtqSpec spec, List<INDArray> calibration) {
        check(net, spec, calibration);
        ActivationStats stats = spec.quantizesActivations()
                ? Calibration.collect(net, calibration, spec.activationCalibrator(), spec.activationSpec()) : null;
        return apply(net, spec, stats, calibration);
    }

    /**
     * Applies {@code spec} with statistics collected before ({@code null} for weight-only specs); the
     * calibration batches are used only by bias correction.
     */
    public static PtqResult apply(MultiLayerNetwork net, PtqSpec spec, ActivationStats stats, List<INDArray> calibration) {
        check(net, spec, calibration);
        int n = net.getnLayers();
        if (spec.quantizesActivations()) {
            if (stats == null || stats.tensors() != n + 1) {
                throw new IllegalArgumentException("spec " + spec.label() + " quantizes activations: need statistics of the "
                        + (n + 1) + " activation tensors from Calibration.collect, got " + (stats == null ? "none" : stats.tensors()));
            }
            if (stats.target().bits() != spec.activationBits()) {
                throw new IllegalArgumentException("statistics were collected for " + stats.target() + " but the spec wants "
                        + spec.activationBits() + "-bit activations; collect again with spec.activationSpec()");
            }
        }
        MultiLayerNetwork q = net.clone();
        MultiLayerNetwork corrected = spec.biasCorrection() ? net.clone() : net;
        List<INDArray> hats = new ArrayList<>();
        List<QParams> weightQ = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!Layers.isWeighted(net, i)) {
                hats.add(null);
                weightQ.add(null);
                continue;
            }
            INDArray w = net.getLayer(i).getParam("W");
            QuantSpec ws = spec.weightSpec(w.rank());
            QParams qp = weightQParams(w, ws, spec.weightCalibrator());
            INDArray hat = Quantizer.fakeQuantize(w, qp, ws);
            if (spec.varianceCorrection()) {
                hat = varianceCorrected(w, hat);
            }
            q.getLayer(i).setParam("W", hat);
            hats.add(hat);
            weightQ.add(qp);
        }
        QParams inputQ = null;
        List<QParams> actQ = new ArrayList<>();
        if (spec.quantizesActivations()) {
            QuantSpec as = spec.activationSpec();
            inputQ = float32(stats.qparams(0, as));
            for (int i = 0; i < n; i++) {
                QParams a = float32(stats.qparams(i + 1, as));
                actQ.add(a);
                if (Layers.conf(q, i) instanceof BaseLayer b) {
                    boolean output = b instanceof OutputLayer;
                    b.setActivationFn(new ActivationFakeQuant(b.getActivationFn(), spec.activationBits(), a, output));
                }
            }
        }
        double[] shifts = new double[n];
        if (spec.biasCorrection()) {
            for (int i = 0; i < n; i++) {
                if (hats.get(i) != null) {
                    INDArray delta = net.getLayer(i).getParam("W").castTo(DataType.DOUBLE).sub(hats.get(i).castTo(DataType.DOUBLE));
                    INDArray err = meanOutputError(q, i, delta, calibration, inputQ, spec);
                    shifts[i] = err.norm2Number().doubleValue();
                    for (MultiLayerNetwork m : List.of(q, corrected)) {
                        INDArray b = m.getLayer(i).getParam("b");
                        b.addi(err.reshape(b.shape()).castTo(b.dataType()));
                    }
                }
            }
        }
        List<LayerQuant> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (hats.get(i) != null) {
                INDArray d = net.getLayer(i).getParam("W").castTo(DataType.DOUBLE).sub(hats.get(i).castTo(DataType.DOUBLE));
                double mse = d.mul(d).meanNumber().doubleValue();
                records.add(new LayerQuant(i, Layers.conf(net, i).getLayerName(), weightQ.get(i), mse, shifts[i],
                        spec.quantizesActivations() ? actQ.get(i) : null));
            }
        }
        return new PtqResult(spec, q, inputQ, records, corrected, stats);
    }

    /** Weight scales for {@code spec} (per channel: each channel searched on its own), rounded to float32 as the engine stores them. */
    static QParams weightQParams(INDArray w, QuantSpec spec, Calibrator calibrator) {
        if (!spec.isPerChannel()) {
            Observer o = calibrator.create(spec);
            o.observe(w);
            return float32(o.qparams(spec));
        }
        int axis = spec.axis();
        if (calibrator == Calibrator.MIN_MAX) {
            PerChannelMinMaxObserver o = new PerChannelMinMaxObserver(axis);
            o.observe(w);
            return float32(o.qparams(spec));
        }
        int channels = (int) w.size(axis);
        List<Range> ranges = new ArrayList<>(channels);
        for (int c = 0; c < channels; c++) {
            INDArray slice = Layers.outChannel(w, c);
            Observer o = calibrator.create(spec.perTensor());
            o.observe(slice);
            ranges.add(o.range());
        }
        return float32(QParams.fromRanges(spec, ranges));
    }

    private static QParams float32(QParams p) {
        double[] s = p.scales();
        for (int c = 0; c < s.length; c++) {
            s[c] = (float) s[c];
        }
        return new QParams(s, p.zeroPoints(), p.axis());
    }

    /** {@code zeta (w_hat + u)} per output channel (Banner et al. 2019, section 4.3). */
    static INDArray varianceCorrected(INDArray w, INDArray hat) {
        int axis = w.rank() == 2 ? 1 : 0;   // dense [nIn, nOut] or conv [out, in, kh, kw]: the only kinds PTQ accepts
        INDArray wd = w.castTo(DataType.DOUBLE);
        INDArray hd = hat.castTo(DataType.DOUBLE).dup();
        int channels = (int) w.size(axis);
        for (int c = 0; c < channels; c++) {
            INDArray wc = Layers.outChannel(wd, c);
            INDArray hc = Layers.outChannel(hd, c);
            double mw = wc.meanNumber().doubleValue();
            double mh = hc.meanNumber().doubleValue();
            double nw = wc.sub(mw).norm2Number().doubleValue();
            double nh = hc.sub(mh).norm2Number().doubleValue();
            double zeta = nh == 0 ? 1 : nw / nh;
            hc.assign(hc.add(mw - mh).muli(zeta));
        }
        return hd.castTo(w.dataType());
    }

    /** Per-channel mean over the calibration set of layer i's pre-activation with weights {@code delta} and no bias. */
    private static INDArray meanOutputError(MultiLayerNetwork q, int i, INDArray delta, List<INDArray> calibration,
                                            QParams inputQ, PtqSpec spec) {
        Layer layer = q.getLayer(i);
        INDArray w = layer.getParam("W").dup();
        INDArray b = layer.getParam("b").dup();
        INDArray sum = null;
        long count = 0;
        try {
            layer.setParam("W", delta.castTo(w.dataType()));
            layer.setParam("b", Nd4j.zeros(b.dataType(), b.shape()));
            for (INDArray x : calibration) {
                if (x == null || x.isEmpty()) {
                    continue;
                }
                INDArray in = inputQ == null ? x : Quantizer.fakeQuantize(x, inputQ, spec.activationSpec());
                INDArray input = i == 0 ? in : q.feedForwardToLayer(i - 1, in, false).get(i);
                INDArray e = Layers.channelMean(Layers.preOutput(q, i, input)).mul(x.size(0));
                sum = sum == null ? e : sum.addi(e);
                count += x.size(0);
            }
        } finally {
            layer.setParam("W", w);
            layer.setParam("b", b);
        }
        return sum.divi(count);
    }

    static List<INDArray> batches(DataSetIterator data) {
        if (data == null) {
            throw new IllegalArgumentException("calibration iterator must not be null");
        }
        data.reset();
        List<INDArray> out = new ArrayList<>();
        while (data.hasNext()) {
            DataSet d = data.next();
            out.add(d.getFeatures());
        }
        return out;
    }

    private static void check(MultiLayerNetwork net, PtqSpec spec, List<INDArray> calibration) {
        if (spec == null) {
            throw new IllegalArgumentException("spec must not be null, e.g. PtqSpec.full(8, 8, true, Calibrator.MIN_MAX)");
        }
        Layers.requireSupported(net);
        Layers.requireFinite(net);
        if ((spec.quantizesActivations() || spec.biasCorrection())
                && (calibration == null || calibration.stream().allMatch(b -> b == null || b.isEmpty()))) {
            throw new IllegalArgumentException("the calibration set is empty; " + spec.label() + " needs a few hundred to a"
                    + " few thousand representative inputs, e.g. mnist.train().subset(1000, 42).iterator(250)");
        }
    }
}
