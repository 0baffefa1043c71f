package org.squeeze4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.measure.Accuracy;
import org.squeeze4j.models.Models;
import org.squeeze4j.models.ReferenceModel;

/** Han et al.'s prune / retrain loop: exact per-round sparsities, nested masks, pruned weights stay zero. */
class IterativePruningTest {

    private static long zeros(INDArray a) {
        return a.eq(0).castTo(DataType.LONG).sumNumber().longValue();
    }

    @Test
    void roundsReachTheirSparsityExactlyAndPrunedWeightsStayZero() {
        DatasetSplits mnist = Datasets.mnist();
        MultiLayerNetwork net = ReferenceModel.LENET_300_100.pretrained();
        var test = mnist.test().head(500).iterator(500);
        // a spy on the importance: at the start of each round it sees the weights left by the previous round
        List<INDArray> fc1AtRoundStart = new ArrayList<>();
        Importance spy = (n, layer) -> {
            if (layer.equals("fc1")) {
                fc1AtRoundStart.add(PrunableLayers.weights(n, layer).dup());
            }
            return Importance.magnitude().scores(n, layer);
        };
        IterativePruning.Result result = IterativePruning.builder().sparsities(0.5, 0.75, 0.9).epochsPerRound(1)
                .layers("fc1", "fc2").importance(spy).learningRate(1e-3).build()
                .run(net, mnist.train().subset(1280, 3).shuffledIterator(128, 3), test);

        List<IterativePruning.Round> rounds = result.rounds();
        assertEquals(3, rounds.size());
        double[] targets = {0.5, 0.75, 0.9};
        for (int r = 0; r < 3; r++) {
            // the hidden layers only (90 % of the 1,000 output weights costs LeNet-300-100 a third of its accuracy);
            // 235,200 + 30,000 weights: s · n is an integer in both layers, so the sparsity is exact
            assertEquals(r + 1, rounds.get(r).round());
            assertEquals(targets[r], rounds.get(r).sparsity(), 1e-12, rounds.get(r).toString());
            assertTrue(rounds.get(r).accuracy() > 0.9, rounds.get(r).toString());
            assertTrue(rounds.get(r).prunedAccuracy() > 0 && rounds.get(r).prunedAccuracy() <= 1);
        }
        // at 90 % one-shot pruning costs accuracy (0.78 here); a single short retraining epoch recovers most of it (0.93)
        assertTrue(rounds.get(2).accuracy() > rounds.get(2).prunedAccuracy() + 0.05, rounds.get(2).toString());
        assertEquals(Accuracy.of(net, test), rounds.get(2).accuracy(), 0, "the last round's accuracy is the final network's");
        assertEquals(0, zeros(PrunableLayers.weights(net, "fc3")), "layers not named are not pruned");
        assertEquals(java.util.Set.of("fc1", "fc2"), result.masks().layers());

        // final masks: 90 % per layer, and exactly the masked weights are zero after fine-tuning
        for (String layer : List.of("fc1", "fc2")) {
            assertEquals(0.9, result.masks().sparsity(layer), 1e-12);
            INDArray w = PrunableLayers.weights(net, layer);
            assertEquals(w, w.mul(result.masks().mask(layer)), layer + ": every pruned weight is zero");
            assertEquals(zeros(result.masks().mask(layer)), zeros(w), layer + ": zero weights = pruned weights");
        }
        // masks only grow: a weight zero at the start of round r is still zero at the end
        INDArray finalFc1 = PrunableLayers.weights(net, "fc1");
        assertEquals(3, fc1AtRoundStart.size());
        assertEquals(0, zeros(fc1AtRoundStart.get(0)), "the pretrained network has no zero weights");
        assertEquals(Math.round(0.5 * 235_200), zeros(fc1AtRoundStart.get(1)));
        assertEquals(Math.round(0.75 * 235_200), zeros(fc1AtRoundStart.get(2)));
        for (INDArray before : fc1AtRoundStart) {
            INDArray revived = before.eq(0).castTo(DataType.FLOAT).mul(finalFc1.neq(0).castTo(DataType.FLOAT));
            assertEquals(0, revived.sumNumber().doubleValue(), 0, "a pruned weight came back");
        }
    }

    @Test
    void previouslyPrunedWeightsRankBelowEverything() {
        MultiLayerNetwork net = Models.mlp(1, 1e-3, 8);
        Masks first = Pruner.builder().layers("fc1").sparsity(0.5).importance(Importance.random(3)).build().prune(net);
        // magnitude alone would keep the random pruning's zeros at the bottom too; random scores would not
        Importance ranked = IterativePruning.keepingPruned(Importance.random(4), first);
        Masks second = Pruner.builder().layers("fc1").sparsity(0.75).importance(ranked).build().masks(net);
        INDArray m1 = first.mask("fc1");
        INDArray m2 = second.mask("fc1");
        assertEquals(0, m2.mul(m1.rsub(1)).sumNumber().doubleValue(), 0, "every weight pruned in round 1 is pruned in round 2");
        assertEquals(0.75, second.sparsity("fc1"), 1e-12);
    }

    @Test
    void badRequestsFailBeforeAnythingChanges() {
        assertThrows(IllegalArgumentException.class, () -> IterativePruning.builder().sparsities(0.5, 0.5));
        assertThrows(IllegalArgumentException.class, () -> IterativePruning.builder().sparsities(0.9, 0.5));
        assertThrows(IllegalArgumentException.class, () -> IterativePruning.builder().sparsities(0.5, 1.0));
        assertThrows(IllegalArgumentException.class, () -> IterativePruning.builder().build());
        MultiLayerNetwork net = Models.mlp(2, 1e-3, 8);
        INDArray params = net.params().dup();
        var data = Datasets.mnist().test().head(10).iterator(10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IterativePruning.builder()
                .sparsities(0.5).layers("fc1", "nope").build().run(net, data, data));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("fc1"), e.getMessage());
        assertEquals(params, net.params());
    }
}
