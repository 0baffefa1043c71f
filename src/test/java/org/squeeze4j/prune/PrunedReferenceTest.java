package org.squeeze4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.measure.Accuracy;
import org.squeeze4j.models.ReferenceModel;

/**
 * The shipped pruned LeNet-300-100 is what its provenance says: at least 92 % zeros (Han et al.'s
 * 12x), the recorded test accuracy, within 0.1 points of the dense baseline (issue 3's target).
 */
class PrunedReferenceTest {

    @Test
    void shippedPrunedLenet300100MatchesItsProvenance() {
        PrunedReference ref = PrunedReference.LENET_300_100;
        PrunedInfo info = ref.info();
        MultiLayerNetwork net = ref.pretrained();

        assertEquals(ref.recipe(), info.recipe(), "the shipped file was made by the current recipe; re-run " + ref.command());
        double sparsity = Pruner.sparsity(net, "fc1", "fc2", "fc3");
        assertEquals(info.sparsity(), sparsity, 1e-9);
        assertTrue(sparsity >= 0.92, "sparsity " + sparsity);
        Masks zeros = Masks.ofZeros(net);
        for (LayerSparsity layer : Pruner.report(zeros)) {
            assertEquals(info.keepRatios().get(layer.layer()), layer.keepRatio(), 1e-9, layer.layer());
        }

        double accuracy = Accuracy.of(net, Datasets.mnist().test().iterator(1000));
        assertEquals(info.testAccuracy(), accuracy, 1e-9);
        assertEquals(ReferenceModel.LENET_300_100.pretrainedInfo().testAccuracy(), info.denseAccuracy(), 1e-9);
        assertTrue(info.denseAccuracy() - accuracy <= 0.001 + 1e-9,
                "pruned " + accuracy + " vs dense " + info.denseAccuracy());
    }

    @Test
    void noRecipeForModelsWithoutOne() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> PrunedReference.of(ReferenceModel.LENET_5_CAFFE));
        assertTrue(e.getMessage().contains("lenet-300-100"), e.getMessage());
    }
}
