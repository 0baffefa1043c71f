package org.squeeze4j.quant.ptq;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.squeeze4j.quant.QParams;

/**
 * The outcome of {@link Ptq#quantize}: a fake-quantized DL4J network to measure accuracy with
 * (weights replaced by their quantized values, activations wrapped in {@link ActivationFakeQuant}),
 * the input grid, per-layer records, and the float network with corrected biases from which
 * {@code lower.IntModelBuilder.from(result, sample)} builds the integer engine's model.
 *
 * @param spec what was done
 * @param network the fake-quantized network (a copy; the original is untouched)
 * @param inputQParams the grid of the network input, or null for weight-only PTQ
 * @param layers one record per weighted layer
 * @param corrected the float network with bias correction applied (a copy), or the original network itself
 *        (unmodified) when the spec has no bias correction
 * @param stats the activation statistics used, or null for weight-only PTQ
 */
public record PtqResult(PtqSpec spec, MultiLayerNetwork network, QParams inputQParams, List<LayerQuant> layers,
                        MultiLayerNetwork corrected, ActivationStats stats) {
    public PtqResult {
        layers = List.copyOf(layers);
    }

    /** The fake-quantized network's output; the input is fake-quantized first when activations are. */
    public INDArray output(INDArray features) {
        INDArray x = features;
        if (inputQParams != null) {
            x = ActivationFakeQuant.fakeQuantizeInPlace(features.dup(), inputQParams.scale(), inputQParams.zeroPoint(),
                    spec.activationSpec().qmax());
        }
        return network.output(x, false);
    }

    /** Top-1 accuracy (a fraction) on ready-made batches, e.g. {@code testSet.batchBy(1000)} computed once. */
    public double accuracy(Iterable<? extends DataSet> batches) {
        Evaluation e = new Evaluation();
        for (DataSet d : batches) {
            e.eval(d.getLabels(), output(d.getFeatures()));
        }
        if (e.getNumRowCounter() == 0) {
            throw new IllegalArgumentException("no evaluation data: the batches are empty");
        }
        return e.accuracy();
    }

    /** Top-1 accuracy (a fraction) of the fake-quantized network, quantizing inputs as {@link #output} does. */
    public double accuracy(DataSetIterator data) {
        Evaluation e = new Evaluation();
        data.reset();
        while (data.hasNext()) {
            DataSet d = data.next();
            e.eval(d.getLabels(), output(d.getFeatures()));
        }
        return e.accuracy();
    }
}
