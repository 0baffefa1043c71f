package org.squeeze4j.prune;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;

/**
 * Importance of each output unit (neuron of a dense layer, filter of a convolution), higher = keep.
 *
 * <ul>
 * <li>{@link #l1Norm()}, {@link #l2Norm()}: norm of the unit's incoming weights (Li et al. 2017);</li>
 * <li>{@link #meanActivation(DataSet)}, {@link #maxActivation(DataSet)}: its activation statistics on data;</li>
 * <li>{@link #nonZeroFraction(DataSet)}: {@code 1 - APoZ}, the fraction of inputs on which the ReLU
 *     unit fires (Hu et al. 2016, "Network Trimming");</li>
 * <li>{@link #lossChange(DataSet)}: the increase of the loss when the unit is removed, measured
 *     exactly by zeroing it (the quantity Taylor criteria approximate);</li>
 * <li>{@link #random(long)}: the control.</li>
 * </ul>
 */
@FunctionalInterface
public interface UnitImportance {

    /** One score per output unit of {@code layer}. */
    double[] scores(MultiLayerNetwork net, String layer);

    static UnitImportance l1Norm() {
        return (net, layer) -> Granularity.asOutputRows(UnitMasks.unitLayer(net, layer).weight()).norm1(1).castTo(DataType.DOUBLE).toDoubleVector();
    }

    static UnitImportance l2Norm() {
        return (net, layer) -> Granularity.asOutputRows(UnitMasks.unitLayer(net, layer).weight()).norm2(1).castTo(DataType.DOUBLE).toDoubleVector();
    }

    static UnitImportance meanActivation(DataSet data) {
        return (net, layer) -> perUnit(activation(net, layer, data)).mean(0).castTo(DataType.DOUBLE).toDoubleVector();
    }

    static UnitImportance maxActivation(DataSet data) {
        return (net, layer) -> perUnit(activation(net, layer, data)).max(0).castTo(DataType.DOUBLE).toDoubleVector();
    }

    static UnitImportance nonZeroFraction(DataSet data) {
        return (net, layer) -> perUnit(activation(net, layer, data)).neq(0).castTo(DataType.DOUBLE).mean(0).toDoubleVector();
    }

    /** {@code L(without unit) - L(with unit)} on {@code data}, one forward pass per unit. */
    static UnitImportance lossChange(DataSet data) {
        return (net, layer) -> {
            MultiLayerNetwork copy = net.clone();
            double base = copy.score(toDataSet(data));
            int units = UnitMasks.units(UnitMasks.unitLayer(copy, layer));
            double[] scores = new double[units];
            for (int u = 0; u < units; u++) {
                UnitMasks.Saved saved = UnitMasks.zeroUnit(copy, layer, u);
                scores[u] = copy.score(toDataSet(data)) - base;
                saved.restore();
            }
            return scores;
        };
    }

    static UnitImportance random(long seed) {
        return (net, layer) -> {
            int units = UnitMasks.units(UnitMasks.unitLayer(net, layer));
            return new java.util.Random(seed * 31 + layer.hashCode()).doubles(units).toArray();
        };
    }

    private static org.nd4j.linalg.dataset.DataSet toDataSet(DataSet d) {
        return new org.nd4j.linalg.dataset.DataSet(d.getFeatures(), d.getLabels());
    }

    private static INDArray activation(MultiLayerNetwork net, String layer, DataSet data) {
        int index = PrunableLayers.index(net, layer);
        List<INDArray> acts = net.feedForward(data.getFeatures(), false);
        return acts.get(index + 1);
    }

    /** {@code [samples * positions, units]} from a dense {@code [n, units]} or conv {@code [n, units, h, w]} activation. */
    private static INDArray perUnit(INDArray a) {
        if (a.rank() == 2) {
            return a;
        }
        return a.permute(0, 2, 3, 1).dup('c').reshape(a.size(0) * a.size(2) * a.size(3), a.size(1));
    }
}
