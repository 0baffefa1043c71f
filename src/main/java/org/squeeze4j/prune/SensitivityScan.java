package org.squeeze4j.prune;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.squeeze4j.measure.Accuracy;

/**
 * Layer-wise sensitivity analysis (Han et al. 2015, Fig. 6; Distiller's sensitivity notebooks):
 * prune one layer at a time by magnitude to each sparsity, measure accuracy without retraining,
 * restore the layer. Layers whose curve stays flat can be pruned hard; steep ones need care.
 */
public final class SensitivityScan {
    private SensitivityScan() {
    }

    /** Scans every given layer at every given sparsity; the network is restored afterwards. */
    public static List<SensitivityPoint> run(Model net, List<String> layers, double[] sparsities,
                                             Importance importance, DataSetIterator data) {
        List<SensitivityPoint> points = new ArrayList<>();
        for (String layer : layers) {
            INDArray original = PrunableLayers.weights(net, layer).dup();
            try {
                for (double s : sparsities) {
                    Pruner.builder().layers(layer).importance(importance).sparsity(s).build().prune(net);
                    points.add(new SensitivityPoint(layer, s, Accuracy.of(net, data)));
                    PrunableLayers.weights(net, layer).assign(original);
                }
            } finally {
                PrunableLayers.weights(net, layer).assign(original);
            }
        }
        return points;
    }
}
