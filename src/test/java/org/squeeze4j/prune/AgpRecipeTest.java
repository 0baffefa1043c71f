package org.squeeze4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.models.Models;
import org.squeeze4j.models.Trainer;

/** The AGP recipe: validation, per-layer scaling, and a short real run that ends exactly at the targets. */
class AgpRecipeTest {

    @Test
    void rejectsRecipesThatCannotBeRun() {
        AgpRecipe r = AgpRecipe.LENET_300_100;
        assertThrows(IllegalArgumentException.class, () -> r.withTarget(1.0));
        assertThrows(IllegalArgumentException.class, () -> r.withTarget(0));
        var tooHard = assertThrows(IllegalArgumentException.class, () -> r.withTarget(0.995)); // fc1: 1.01 x 0.995 >= 1
        assertTrue(tooHard.getMessage().contains("fc1"), tooHard.getMessage());
        assertThrows(IllegalArgumentException.class, () -> r.withEpochs(5, 4));
        assertThrows(IllegalArgumentException.class, () -> r.withEpochs(0, 4));
        assertThrows(IllegalArgumentException.class,
                () -> new AgpRecipe(0.9, Map.of(), 1, 2, 20, 128, 1e-3, 1));
    }

    @Test
    void scheduleEndsAtTheTargetAfterThePruningEpochs() {
        AgpRecipe r = AgpRecipe.LENET_300_100;
        PruningSchedule s = r.schedule(100);
        assertEquals(0.0, s.sparsityAt(0), 1e-12);
        assertEquals(r.targetSparsity(), s.sparsityAt(r.pruneEpochs() * 100), 1e-12);
        assertEquals(r.targetSparsity(), s.sparsityAt(r.totalEpochs() * 100), 1e-12);
        // cubic: half-way through, 1 - (1/2)^3 = 7/8 of the target
        assertEquals(0.875 * r.targetSparsity(), s.sparsityAt(r.pruneEpochs() * 50), 1e-12);
    }

    @Test
    void aShortRunReachesEachLayersScaledTargetAndLeavesTheDenseNetworkAlone() {
        DatasetSplits full = Datasets.mnist();
        DatasetSplits small = new DatasetSplits("mnist-2k", full.train().subset(2048, 3), full.test().subset(1000, 3),
                full.classNames());
        MultiLayerNetwork dense = Models.lenet300100(5, 1e-3);
        var before = dense.params().dup();
        AgpRecipe recipe = AgpRecipe.LENET_300_100.withTarget(0.8).withEpochs(1, 2);
        AgpRun<MultiLayerNetwork> run = recipe.run(dense, small, Trainer.builder().progress(null));

        assertEquals(before, dense.params(), "the input network must not change");
        assertEquals(2, run.history().epochs().size());
        for (LayerSparsity layer : Pruner.report(run.masks())) {
            double expected = recipe.layerScales().get(layer.layer()) * 0.8;
            assertEquals(expected, layer.sparsity(), 0.002, layer.layer());
            assertEquals(expected, Pruner.sparsity(run.net(), layer.layer()), 0.002, layer.layer() + " weights");
        }
        assertTrue(run.net().getListeners().isEmpty(), "no listeners left behind");
    }
}
