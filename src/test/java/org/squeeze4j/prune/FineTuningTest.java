package org.squeeze4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.data.IdxDataset;
import org.squeeze4j.models.Models;

/** Masks survive fine-tuning only with a keeper; schedules follow Zhu & Gupta's cubic formula. */
class FineTuningTest {
    static IdxDataset train;

    @BeforeAll
    static void load() {
        train = Datasets.mnist().train().subset(1280, 9);
    }

    private static long revived(MultiLayerNetwork net, Masks masks) {
        long count = 0;
        for (String layer : masks.layers()) {
            INDArray pruned = masks.mask(layer).rsub(1); // 1 where pruned
            count += PrunableLayers.weights(net, layer).mul(pruned).neq(0).castTo(org.nd4j.linalg.api.buffer.DataType.LONG)
                    .sumNumber().longValue();
        }
        return count;
    }

    @Test
    void adamRevivesPrunedWeightsUnlessTheMaskKeeperReappliesThem() {
        MultiLayerNetwork without = Models.mlp(4, 1e-3, 32);
        Masks masks = Pruner.builder().sparsity(0.8).build().prune(without);
        MultiLayerNetwork with = without.clone();
        without.fit(train.shuffledIterator(128, 1));
        assertTrue(revived(without, masks) > 1000, "Adam should move pruned weights: " + revived(without, masks));

        with.addListeners(masks.keeper());
        with.fit(train.shuffledIterator(128, 1));
        assertEquals(0, revived(with, masks));
        assertEquals(0.8, Pruner.sparsity(with), 1e-3);
    }

    @Test
    void agpFollowsTheCubicFormula() {
        PruningSchedule agp = PruningSchedule.agp(0.0, 0.8, 0, 10);
        assertEquals(0.0, agp.sparsityAt(0), 1e-12);
        // s(5) = 0.8 + (0 - 0.8) (1 - 0.5)^3 = 0.8 - 0.1
        assertEquals(0.7, agp.sparsityAt(5), 1e-12);
        // s(2) = 0.8 - 0.8 * 0.8^3 = 0.3904
        assertEquals(0.3904, agp.sparsityAt(2), 1e-12);
        assertEquals(0.8, agp.sparsityAt(10), 1e-12);
        assertEquals(0.8, agp.sparsityAt(99), 1e-12);
        assertEquals(0.5, PruningSchedule.oneShot(0.5).sparsityAt(7), 0);
        assertThrows(IllegalArgumentException.class, () -> PruningSchedule.agp(0, 1.0, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> PruningSchedule.agp(0, 0.5, 10, 10));
    }

    @Test
    void gradualPruningReachesItsTargetDuringTraining() {
        MultiLayerNetwork net = Models.mlp(6, 1e-3, 32);
        GradualPruning agp = new GradualPruning(PruningSchedule.agp(0, 0.9, 0, 16), 4,
                s -> Pruner.builder().sparsity(s).scope(Scope.GLOBAL).build());
        net.addListeners(agp);
        net.fit(train.shuffledIterator(64, 2)); // 20 iterations
        assertEquals(20, agp.step());
        assertEquals(0.9, agp.currentTarget(), 1e-12);
        assertEquals(0.9, Pruner.sparsity(net), 1e-3);
    }

    @Test
    void sensitivityScanRestoresEveryLayer() {
        MultiLayerNetwork net = Models.mlp(6, 1e-3, 16);
        INDArray params = net.params().dup();
        List<SensitivityPoint> points = SensitivityScan.run(net, List.of("fc1", "fc2"), new double[] {0.0, 0.5, 0.95},
                Importance.magnitude(), Datasets.mnist().test().head(200).iterator(200));
        assertEquals(6, points.size());
        assertEquals(params, net.params());
        assertEquals(points.get(0).accuracy(), points.get(3).accuracy(), 1e-12, "sparsity 0 is the unpruned network");
    }
}
