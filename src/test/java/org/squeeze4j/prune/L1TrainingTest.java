package org.squeeze4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.data.IdxDataset;
import org.squeeze4j.models.Models;

/** L1 on an existing, already trained network drives weights towards zero; a threshold then prunes them. */
class L1TrainingTest {

    @Test
    void l1SetOnATrainedNetworkMakesFarMoreWeightsNearZero() {
        IdxDataset train = Datasets.mnist().train().subset(1280, 5);
        MultiLayerNetwork base = Models.mlp(7, 1e-3, 32);
        base.fit(train.shuffledIterator(64, 1)); // the updater exists before L1 is set: the change must still take effect
        MultiLayerNetwork plain = base.clone();
        MultiLayerNetwork l1 = base.clone();
        double t = 1e-2;

        plain.fit(train.shuffledIterator(64, 2));
        plain.fit(train.shuffledIterator(64, 3));
        L1Training.Result r = L1Training.train(l1, 1e-3, 2, train.shuffledIterator(64, 2), t, "fc1", "fc2");

        double without = L1Training.fractionBelow(plain, t, "fc1", "fc2");
        assertEquals(L1Training.fractionBelow(l1, t, "fc1", "fc2"), r.nearZeroFraction(), 0);
        assertEquals(L1Training.fractionBelow(base, t, "fc1", "fc2"), r.nearZeroFractionBefore(), 0);
        assertTrue(r.nearZeroFraction() > without + 0.1, "with L1 " + r.nearZeroFraction() + ", without " + without);
        assertEquals(0, L1Training.l1Of(l1, "fc1"), 0, "the penalty is removed after training");

        // then prune them: a threshold on |w| removes exactly the near-zero weights
        Pruner.builder().layers("fc1", "fc2").selection(Selection.threshold(t)).build().prune(l1);
        assertEquals(r.nearZeroFraction(), Pruner.sparsity(l1, "fc1", "fc2"), 1e-12);
    }

    @Test
    void setL1KeepsOtherRegularizationAndChecksNamesFirst() {
        MultiLayerNetwork net = Models.mlp(1, 1e-3, 8);
        BaseLayer fc1 = (BaseLayer) net.getLayer(0).conf().getLayer();
        fc1.setRegularization(new java.util.ArrayList<>(List.of(new L2Regularization(1e-4))));
        L1Training.setL1(net, 1e-3, "fc1");
        assertEquals(1e-3, L1Training.l1Of(net, "fc1"), 1e-15);
        assertEquals(2, fc1.getRegularization().size());
        L1Training.setL1(net, 2e-3, "fc1");
        assertEquals(2e-3, L1Training.l1Of(net, "fc1"), 1e-15, "replaced, not added");
        L1Training.setL1(net, 0, "fc1");
        assertEquals(List.of(new L2Regularization(1e-4)), fc1.getRegularization());

        assertThrows(IllegalArgumentException.class, () -> L1Training.setL1(net, 1e-3, "fc2", "nope"));
        assertEquals(0, L1Training.l1Of(net, "fc2"), 0, "fc2 untouched after the refused call");
        assertThrows(IllegalArgumentException.class, () -> L1Training.setL1(net, -1, "fc1"));
        assertThrows(IllegalArgumentException.class, () -> L1Training.setL1(net, 1e-3));
    }

    @Test
    void fractionBelowCountsByHand() {
        MultiLayerNetwork net = Models.mlp(1, 1e-3, 2);
        INDArray w = net.getLayer(1).getParam("W"); // [2, 10]
        w.assign(Nd4j.linspace(-1, 1, 20).reshape(2, 10));
        // linspace(-1, 1, 20): values ±(1/19), ±(3/19), ...; |w| < 0.2 holds for ±1/19 and ±3/19 -> 4 of 20
        assertEquals(4 / 20.0, L1Training.fractionBelow(net, 0.2, "fc2"), 1e-12);
    }
}
