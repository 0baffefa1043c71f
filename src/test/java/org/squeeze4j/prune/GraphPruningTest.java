package org.squeeze4j.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.models.Models;
import org.squeeze4j.models.Networks;

/** Unstructured pruning, its schedules and scans on ComputationGraphs (residual and depthwise). */
class GraphPruningTest {
    private static DataSet batch(long seed, int n) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, 784);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % 10, 1f);
        }
        return new DataSet(x, y);
    }

    @Test
    void prunableLayersOfAResNetAreItsConvolutionsAndTheClassifier() {
        ComputationGraph net = Models.resnet8(1, 1e-3, 4);
        assertEquals(java.util.Set.of("stem", "b1_conv1", "b1_conv2", "b2_conv1", "b2_conv2", "b2_proj", "b3_conv1",
                "b3_conv2", "b3_proj", "fc"), java.util.Set.copyOf(PrunableLayers.names(net)));
        assertEquals(10, PrunableLayers.names(net).size());
        // the view's weight is DL4J's live parameter: same values as the graph's param table
        assertEquals(net.getParam("b2_conv1_W"), PrunableLayers.weights(net, "b2_conv1"));
    }

    @Test
    void globalMagnitudePruningOfAGraphMatchesAThresholdComputedByHand() {
        ComputationGraph net = Models.resnet8(2, 1e-3, 4);
        List<String> names = PrunableLayers.names(net);
        // by hand: the 60th-percentile |w| over every prunable weight of the graph
        float[] all = Nd4j.toFlattened(names.stream().map(n -> PrunableLayers.weights(net, n).dup()).toList())
                .toFloatVector();
        float[] abs = new float[all.length];
        for (int i = 0; i < all.length; i++) {
            abs[i] = Math.abs(all[i]);
        }
        java.util.Arrays.sort(abs);
        float cut = abs[(int) Math.round(0.6 * abs.length) - 1];
        long expectedZeros = 0;
        for (float a : abs) {
            expectedZeros += a <= cut ? 1 : 0;
        }
        INDArray bnBefore = net.getParam("b1_conv1_bn_gamma").dup();

        Masks masks = Pruner.builder().sparsity(0.6).scope(Scope.GLOBAL).build().prune(net);

        assertEquals(names, List.copyOf(masks.layers()));
        assertEquals((double) expectedZeros / all.length, Pruner.sparsity(net), 1e-12);
        assertEquals(bnBefore, net.getParam("b1_conv1_bn_gamma"), "batch norm parameters are not pruned");
    }

    @Test
    void maskKeeperKeepsGraphWeightsZeroThroughTraining() {
        ComputationGraph net = Models.resnet8(3, 1e-2, 4);
        Masks masks = Pruner.builder().sparsity(0.8).build().prune(net);
        INDArray before = net.params().dup();
        net.addListeners(masks.keeper());
        DataSet ds = batch(1, 32);
        for (int i = 0; i < 3; i++) {
            net.fit(ds);
        }
        assertNotEquals(before, net.params(), "training moved the kept weights");
        for (String layer : masks.layers()) {
            INDArray w = PrunableLayers.weights(net, layer);
            INDArray pruned = masks.mask(layer).rsub(1).castTo(w.dataType());
            assertEquals(0.0, w.mul(pruned).norm1Number().doubleValue(), 0.0, layer + " kept its zeros");
        }
    }

    @Test
    void taylorImportanceOnAGraphIsWeightTimesTheLossGradient() {
        ComputationGraph net = Models.resnet8(4, 1e-3, 4);
        DataSet ds = batch(2, 16);
        INDArray scores = Importance.taylor(ds).scores(net, "b2_conv2");
        // the gradient by central finite differences on three weights, in double precision
        ComputationGraph d = Models.resnet8(4, 1e-3, 4);
        d = d.convertDataType(DataType.DOUBLE);
        d.setParams(net.params().castTo(DataType.DOUBLE));
        DataSet dd = new DataSet(ds.getFeatures().castTo(DataType.DOUBLE), ds.getLabels().castTo(DataType.DOUBLE));
        INDArray w = d.getParam("b2_conv2_W");
        for (long[] at : new long[][]{{0, 0, 0, 0}, {3, 2, 1, 1}, {7, 5, 2, 0}}) {
            double w0 = w.getDouble(at);
            double h = 1e-4;
            w.putScalar(at, w0 + h);
            double up = d.score(dd, true);
            w.putScalar(at, w0 - h);
            double down = d.score(dd, true);
            w.putScalar(at, w0);
            double expected = Math.abs(w0 * (up - down) / (2 * h));
            assertEquals(expected, scores.getDouble(at), 2e-3 * Math.max(1e-3, expected) + 1e-6,
                    "Taylor score at " + java.util.Arrays.toString(at));
        }
        assertEquals(Networks.output(net, ds.getFeatures()), Networks.output(Models.resnet8(4, 1e-3, 4), ds.getFeatures()),
                "the importance leaves the network untouched");
    }

    @Test
    void depthwiseWeightsPruneElementWiseButStructuredPruningOfThemIsRefused() {
        ComputationGraph net = Models.depthwiseNet(5, 1e-3, 4);
        Masks masks = Pruner.builder().layers("dw1", "pw1").sparsity(0.5).build().prune(net);
        assertEquals(0.5, masks.sparsity("dw1"), 0.5 / PrunableLayers.weights(net, "dw1").length() + 1e-9);
        INDArray before = net.params().dup();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pruner.builder()
                .layers("pw1", "dw2").granularity(Granularity.outputUnits(Granularity.Norm.L1)).sparsity(0.5).build().prune(net));
        assertTrue(e.getMessage().contains("'dw2' (DepthwiseConvolution2D)") && e.getMessage().contains("element-wise"),
                e.getMessage());
        assertEquals(before, net.params(), "nothing changed, not even the layer before the refused one");
    }

    @Test
    void sensitivityScanOfAGraphRestoresEveryLayer() {
        ComputationGraph net = Models.resnet8(6, 1e-3, 4);
        INDArray before = net.params().dup();
        DataSetIterator data = new TestDataSetIterator(batch(3, 20), 10);
        List<SensitivityPoint> points = SensitivityScan.run(net, List.of("b1_conv1", "b3_proj"), new double[]{0.5, 0.9},
                Importance.magnitude(), data);
        assertEquals(4, points.size());
        assertArrayEquals(before.toFloatVector(), net.params().toFloatVector(), 0f);
    }

    @Test
    void iterativePruningFineTunesAGraphAndKeepsItsMasks() {
        ComputationGraph net = Models.resnet8(7, 1e-2, 4);
        DataSetIterator data = new TestDataSetIterator(batch(4, 32), 16);
        IterativePruning.Result r = IterativePruning.builder().sparsities(0.5, 0.8).build().run(net, data, data);
        assertEquals(2, r.rounds().size());
        assertEquals(0.8, r.rounds().get(1).sparsity(), 1e-3);
        assertEquals(0.8, Pruner.sparsity(net), 1e-3);
    }
}
