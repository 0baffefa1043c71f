package org.squeeze4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.data.IdxDataset;
import org.squeeze4j.models.Models;

class PrunerTest {
    static MultiLayerNetwork mlp() {
        return Models.mlp(5, 1e-3, 40, 20);
    }

    @Test
    void perLayerSparsityIsExactAndFromScratchMagnitudePruningAgrees() {
        MultiLayerNetwork net = mlp();
        INDArray before = PrunableLayers.weights(net, "fc1").dup();
        Masks masks = Pruner.builder().sparsity(0.75).build().prune(net);
        assertEquals(List.of("fc1", "fc2", "fc3"), List.copyOf(masks.layers()));
        for (String layer : masks.layers()) {
            assertEquals(0.75, masks.sparsity(layer), 0.5 / PrunableLayers.weights(net, layer).length() + 1e-9, layer);
        }
        // from scratch: the kept fc1 weights are exactly those whose |w| is above the 75th percentile
        float[] abs = before.dup('c').reshape(before.length()).toFloatVector();
        float[] sorted = abs.clone();
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = Math.abs(sorted[i]);
        }
        java.util.Arrays.sort(sorted);
        float cut = sorted[(int) Math.round(0.75 * sorted.length) - 1];
        float[] after = PrunableLayers.weights(net, "fc1").dup('c').reshape(before.length()).toFloatVector();
        for (int i = 0; i < abs.length; i++) {
            assertEquals(Math.abs(abs[i]) > cut ? abs[i] : 0f, after[i], 0f);
        }
        assertEquals(0.75, Pruner.sparsity(net), 1e-3);
    }

    @Test
    void globalScopePrunesBigRedundantLayersMore() {
        MultiLayerNetwork net = Models.lenet300100(3, 1e-3);
        Masks masks = Pruner.builder().sparsity(0.9).scope(Scope.GLOBAL).build().prune(net);
        assertEquals(0.9, Pruner.sparsity(net), 1e-4);
        // Xavier/ReLU init gives fc1 (fan-in 784) the smallest weights, so it loses the most
        assertTrue(masks.sparsity("fc1") > masks.sparsity("fc2") && masks.sparsity("fc2") > masks.sparsity("fc3"),
                Pruner.report(masks).toString());
    }

    @Test
    void perLayerSelectionsOverrideTheDefault() {
        MultiLayerNetwork net = mlp();
        Masks masks = Pruner.builder().sparsity(0.5).selection("fc3", Selection.sparsity(0.1)).build().prune(net);
        assertEquals(0.5, masks.sparsity("fc1"), 1e-3);
        assertEquals(0.1, masks.sparsity("fc3"), 0.01);
    }

    @Test
    void invalidRequestsLeaveTheModelUnchanged() {
        MultiLayerNetwork net = mlp();
        INDArray params = net.params().dup();
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Pruner.builder().layers("fc1", "conv7").sparsity(0.5).build().prune(net));
        assertTrue(unknown.getMessage().contains("conv7") && unknown.getMessage().contains("[fc1, fc2, fc3]"), unknown.getMessage());
        // fc2 has 40 inputs, fc1 784: 3:8 on fc3 (20 inputs) does not divide
        IllegalArgumentException nm = assertThrows(IllegalArgumentException.class,
                () -> Pruner.builder().granularity(Granularity.nOfM(3, 8)).sparsity(0.5).build().prune(net));
        assertTrue(nm.getMessage().contains("multiple of 8"), nm.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pruner.builder().sparsity(1.0));
        assertThrows(IllegalArgumentException.class, () -> Pruner.builder().granularity(Granularity.nOfM(2, 4))
                .sparsity(0.5).scope(Scope.GLOBAL).build());
        assertEquals(params, net.params(), "a failed pruning request must not touch the weights");
    }

    @Test
    void taylorImportanceIsWeightTimesTheFiniteDifferenceGradient() {
        MultiLayerNetwork net = mlp().convertDataType(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        DataSet batch = Datasets.mnist().test().head(64).toDataSet();
        batch.setFeatures(batch.getFeatures().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE));
        batch.setLabels(batch.getLabels().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE));
        INDArray taylor = Importance.taylor(batch).scores(net, "fc2");
        assertEquals(List.of(40L, 20L), List.of(taylor.size(0), taylor.size(1)));
        INDArray w = PrunableLayers.weights(net, "fc2");
        // |w · dL/dw| with dL/dw by central differences of the mean batch loss, on weights spread over the layer
        double h = 1e-5;
        for (int k = 0; k < 12; k++) {
            int i = (k * 7) % 40;
            int j = (k * 11) % 20;
            double v = w.getDouble(i, j);
            w.putScalar(i, j, v + h);
            double up = net.score(batch);
            w.putScalar(i, j, v - h);
            double down = net.score(batch);
            w.putScalar(i, j, v);
            double expected = Math.abs(v * (up - down) / (2 * h));
            assertEquals(expected, taylor.getDouble(i, j), 1e-6 + 1e-4 * expected, "fc2[" + i + "][" + j + "]");
        }
        PrunableLayers.weights(net, "fc2").putScalar(0, 0, 0.0);
        assertEquals(0.0, Importance.taylor(batch).scores(net, "fc2").getDouble(0, 0), 0, "a zero weight costs nothing to remove");
    }

    @Test
    void randomImportanceIsSeededAndUniform() {
        MultiLayerNetwork net = mlp();
        INDArray a = Importance.random(1).scores(net, "fc1");
        assertEquals(a, Importance.random(1).scores(net, "fc1"));
        assertTrue(!a.equals(Importance.random(2).scores(net, "fc1")), "another seed, other scores");
        assertEquals(0.5, a.meanNumber().doubleValue(), 0.01);          // 31,360 uniform draws: sd of the mean 0.0016
        assertTrue(a.minNumber().doubleValue() >= 0 && a.maxNumber().doubleValue() < 1);
    }

    @Test
    void aSparsityBelowOneNeverEmptiesALayer() {
        // fc3 has 20 x 10 = 200 weights: (1 - 0.999) * 200 rounds to 0, and the whole layer used to be zeroed
        MultiLayerNetwork net = mlp();
        Masks masks = Pruner.builder().layers("fc3").sparsity(0.999).build().prune(net);
        assertEquals(1L, masks.mask("fc3").sumNumber().longValue());
        assertEquals(1L, Selection.kept(0.999, 200));
        assertEquals(0L, Selection.kept(0.5, 0));
        assertEquals(100L, Selection.kept(0.5, 200));
    }

    @Test
    void nanWeightsAreRefused() {
        MultiLayerNetwork net = mlp();
        PrunableLayers.weights(net, "fc2").putScalar(1, 1, Float.NaN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pruner.builder().sparsity(0.5).build().masks(net));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("fc2"), e.getMessage());
    }
}
