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
    void randomAndTaylorImportancesHaveTheWeightShape() {
        MultiLayerNetwork net = mlp();
        IdxDataset data = Datasets.mnist().test().head(64);
        DataSet batch = data.toDataSet();
        INDArray taylor = Importance.taylor(batch).scores(net, "fc2");
        assertEquals(40, taylor.size(0));
        assertEquals(20, taylor.size(1));
        assertTrue(taylor.minNumber().doubleValue() >= 0);
        assertEquals(Importance.random(1).scores(net, "fc1"), Importance.random(1).scores(net, "fc1"));
        // Taylor importance of a zero weight is zero
        PrunableLayers.weights(net, "fc2").putScalar(0, 0, 0f);
        assertEquals(0.0, Importance.taylor(batch).scores(net, "fc2").getDouble(0, 0), 0);
    }

    @Test
    void nanWeightsAreRefused() {
        MultiLayerNetwork net = mlp();
        PrunableLayers.weights(net, "fc2").putScalar(1, 1, Float.NaN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pruner.builder().sparsity(0.5).build().masks(net));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("fc2"), e.getMessage());
    }
}
