package org.squeeze4j.quant.ptq;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.squeeze4j.quant.Finite;
import org.squeeze4j.quant.QuantSpec;
import org.squeeze4j.quant.observe.Observer;

/**
 * The "collect" half of NNCF's collect-then-apply: run the float network in inference mode over a
 * calibration set, batch by batch, and feed every activation tensor to its own observer (Nagel et
 * al. 2021, section 4: "calibration data ... a small set of unlabelled examples, e.g. 1000").
 * Nothing is changed in the network; {@link Ptq} applies the statistics afterwards.
 *
 * <p>Tensor {@code 0} is the input, tensor {@code i + 1} the output of layer {@code i}; for the
 * output layer the pre-activation {@code x W + b} is observed (softmax is not quantized; the integer
 * engine returns logits). Observers accumulate over batches, so the result of min-max does not
 * depend on the batching, and histogram observers see the whole set before they search.
 */
public final class Calibration {
    private Calibration() {
    }

    /** Observes every activation of {@code net} on all batches of {@code data} (reset first). */
    public static ActivationStats collect(MultiLayerNetwork net, DataSetIterator data, Calibrator calibrator, QuantSpec target) {
        if (data == null) {
            throw new IllegalArgumentException("calibration iterator must not be null");
        }
        data.reset();
        List<INDArray> batches = new ArrayList<>();
        while (data.hasNext()) {
            DataSet d = data.next();
            batches.add(d.getFeatures());
        }
        return collect(net, batches, calibrator, target);
    }

    /** Observes every activation of {@code net} on each batch of features in turn. */
    public static ActivationStats collect(MultiLayerNetwork net, List<INDArray> batches, Calibrator calibrator, QuantSpec target) {
        if (net == null || calibrator == null || target == null) {
            throw new IllegalArgumentException("network, calibrator and target spec must not be null");
        }
        if (batches == null || batches.isEmpty() || batches.stream().allMatch(b -> b == null || b.isEmpty())) {
            throw new IllegalArgumentException("the calibration set is empty; give a few hundred to a few thousand"
                    + " representative inputs, e.g. mnist.train().subset(1000, 42).iterator(250)");
        }
        int n = net.getnLayers();
        List<Observer> observers = new ArrayList<>(n + 1);
        for (int t = 0; t <= n; t++) {
            observers.add(calibrator.create(target));
        }
        long samples = 0;
        for (INDArray x : batches) {
            if (x == null || x.isEmpty()) {
                continue;
            }
            Finite.require(x, "calibration features");
            List<INDArray> acts = net.feedForward(x, false);
            for (int t = 0; t <= n; t++) {
                INDArray a = acts.get(t);
                if (t == n && net.getLayerWiseConfigurations().getConf(n - 1).getLayer() instanceof OutputLayer) {
                    a = Layers.preOutput(net, n - 1, acts.get(n - 1));
                }
                observers.get(t).observe(a);
            }
            samples += x.size(0);
        }
        return new ActivationStats(calibrator, target.perTensor(), observers, samples);
    }
}
