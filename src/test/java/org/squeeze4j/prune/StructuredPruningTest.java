package org.squeeze4j.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.measure.ModelMeasure;
import org.squeeze4j.models.Models;

/** Removing units gives a smaller network with exactly the outputs of the masked one. */
class StructuredPruningTest {
    static final INDArray X = Datasets.mnist().test().features(0, 1, 2, 3, 4, 5, 6, 7);

    private static void assertSameOutputs(MultiLayerNetwork masked, MultiLayerNetwork smaller) {
        INDArray a = masked.output(X);
        INDArray b = smaller.output(X);
        assertTrue(a.equalsWithEps(b, 1e-5), "outputs differ:\n" + a + "\n" + b);
    }

    @Test
    void denseNeuronsAreRemovedPhysically() {
        MultiLayerNetwork net = Models.lenet300100(1, 1e-3);
        int[] keep = StructuredPruning.unitsToKeep(net, "fc1", UnitImportance.l1Norm(), 0.6);
        assertEquals(120, keep.length);
        MultiLayerNetwork smaller = UnitSurgery.keepUnits(net, "fc1", keep);
        MultiLayerNetwork masked = net.clone();
        UnitMasks.keepOnly(masked, "fc1", keep);
        assertSameOutputs(masked, smaller);
        assertEquals(784L * 120 + 120L * 100 + 1000, ModelMeasure.of("s", smaller).macs());
        assertEquals(300, net.getLayer(0).getParam("W").size(1), "the original is untouched");
    }

    @Test
    void convFiltersAreRemovedBeforeAConvAndBeforeTheFlatten() {
        MultiLayerNetwork net = Models.lenet5Caffe(2, 1e-3);
        int[] keep1 = StructuredPruning.unitsToKeep(net, "conv1", UnitImportance.l2Norm(), 0.5);
        MultiLayerNetwork s1 = UnitSurgery.keepUnits(net, "conv1", keep1);
        MultiLayerNetwork m1 = net.clone();
        UnitMasks.keepOnly(m1, "conv1", keep1);
        assertSameOutputs(m1, s1);

        int[] keep2 = StructuredPruning.unitsToKeep(s1, "conv2", UnitImportance.l1Norm(), 0.5);
        MultiLayerNetwork s2 = UnitSurgery.keepUnits(s1, "conv2", keep2);
        MultiLayerNetwork m2 = s1.clone();
        UnitMasks.keepOnly(m2, "conv2", keep2);
        assertSameOutputs(m2, s2);
        // conv2 now has 25 filters over 10 channels; fc1 sees 25*4*4 inputs
        assertArrayEquals(new long[] {25, 10, 5, 5}, s2.getLayer(2).getParam("W").shape());
        assertEquals(400, s2.getLayer(4).getParam("W").size(0));
    }

    @Test
    void surgeryRefusesWhatWouldBreakTheNetwork() {
        MultiLayerNetwork net = Models.lenet300100(1, 1e-3);
        INDArray params = net.params().dup();
        IllegalArgumentException out = assertThrows(IllegalArgumentException.class, () -> UnitSurgery.keepUnits(net, "fc3", new int[] {0, 1}));
        assertTrue(out.getMessage().contains("output layer"), out.getMessage());
        assertThrows(IllegalArgumentException.class, () -> UnitSurgery.keepUnits(net, "fc1", new int[0]));
        assertThrows(IllegalArgumentException.class, () -> UnitSurgery.keepUnits(net, "fc1", new int[] {3, 2}));
        assertThrows(IllegalArgumentException.class, () -> UnitSurgery.keepUnits(net, "fc1", new int[] {300}));
        assertThrows(IllegalArgumentException.class, () -> UnitSurgery.keepUnits(net, "pool1", new int[] {0}));
        assertEquals(params, net.params());
    }

    @Test
    void unitImportancesAgreeWithHandComputation() {
        MultiLayerNetwork net = Models.mlp(3, 1e-3, 8);
        INDArray w = net.getLayer(0).getParam("W");
        double l1 = 0;
        for (int i = 0; i < 784; i++) {
            l1 += Math.abs(w.getDouble(i, 5));
        }
        assertEquals(l1, UnitImportance.l1Norm().scores(net, "fc1")[5], 1e-3);

        DataSet batch = Datasets.mnist().test().head(100).toDataSet();
        INDArray act = net.feedForward(batch.getFeatures(), false).get(1);
        double firing = act.getColumn(2).neq(0).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).meanNumber().doubleValue();
        assertEquals(firing, UnitImportance.nonZeroFraction(batch).scores(net, "fc1")[2], 1e-12);
        assertEquals(act.getColumn(2).meanNumber().doubleValue(), UnitImportance.meanActivation(batch).scores(net, "fc1")[2], 1e-5);

        // loss change of a unit equals the score difference when it is zeroed by hand
        MultiLayerNetwork copy = net.clone();
        double base = copy.score(batch);
        UnitMasks.zeroUnit(copy, "fc1", 4);
        assertEquals(copy.score(batch) - base, UnitImportance.lossChange(batch).scores(net, "fc1")[4], 1e-6);
        assertTrue(net.getLayer(0).getParam("W").getColumn(4).norm1Number().doubleValue() > 0, "lossChange works on a copy");
    }

    @Test
    void aUnitOutsideTheLayerIsRefusedAndNothingElseIsWritten() {
        MultiLayerNetwork net = Models.mlp(1, 1e-3, 8, 6);
        net.getLayer(0).getParam("b").assign(0.5);       // DL4J starts biases at 0: make zeroing one visible
        INDArray before = net.params().dup();
        for (int u : new int[] {-1, 8, 1_000_000}) {
            String msg = assertThrows(IllegalArgumentException.class, () -> UnitMasks.zeroUnit(net, "fc1", u)).getMessage();
            assertTrue(msg.contains("unit " + u) && msg.contains("0-7"), msg);
        }
        String msg = assertThrows(IllegalArgumentException.class, () -> UnitMasks.keepOnly(net, "fc2", new int[] {0, 6})).getMessage();
        assertTrue(msg.contains("unit 6") && msg.contains("0-5"), msg);
        assertEquals(before, net.params(), "a refused call must not change any parameter");
        // and a unit inside zeroes exactly its column and bias
        UnitMasks.Saved saved = UnitMasks.zeroUnit(net, "fc1", 7);
        INDArray diff = net.params().sub(before).neq(0).castTo(org.nd4j.linalg.api.buffer.DataType.INT);
        assertEquals(784 + 1, diff.sumNumber().intValue());
        saved.restore();
        assertEquals(before, net.params());
    }
}
