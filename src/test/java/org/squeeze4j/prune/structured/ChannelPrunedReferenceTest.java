package org.squeeze4j.prune.structured;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.squeeze4j.measure.Accuracy;
import org.squeeze4j.measure.ModelMeasure;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.NetworkView;

/**
 * The shipped channel-pruned ResNet-8 is what its provenance says: made by the current recipe,
 * with the widths the recipe's plan gives the shipped baseline, at most half its MACs and within
 * 1 point of its accuracy (the residual-networks issue's target).
 */
class ChannelPrunedReferenceTest {

    private static Map<String, Long> widths(ComputationGraph net) {
        Map<String, Long> w = new LinkedHashMap<>();
        for (LayerNode n : NetworkView.of(net).weighted()) {
            w.put(n.name(), n.outputChannels());
        }
        return w;
    }

    @Test
    void shippedChannelPrunedResnetMatchesItsProvenanceAndTheTarget() {
        ChannelPrunedReference ref = ChannelPrunedReference.RESNET8;
        ChannelPrunedInfo info = ref.info();
        assertEquals(ref.recipe(), info.recipe(), "the shipped file was made by the current recipe; re-run " + ref.command());
        ComputationGraph dense = ref.dense().pretrained();
        ComputationGraph shipped = ref.pretrained();
        ChannelPlan plan = ref.recipe().plan(dense);
        assertEquals(widths(ChannelPruning.remove(dense, plan)), widths(shipped));
        assertEquals(info.channels(), widths(shipped));

        long macs = ModelMeasure.of(ref.id(), shipped).macs();
        long denseMacs = ModelMeasure.of(ref.dense().id(), dense).macs();
        assertEquals(info.macs(), macs);
        assertEquals(info.denseMacs(), denseMacs);
        assertTrue(macs <= denseMacs / 2, macs + " of " + denseMacs + " MACs");

        double accuracy = Accuracy.of(shipped, ref.dense().data().test().iterator(500));
        assertEquals(info.testAccuracy(), accuracy, 1e-9);
        assertEquals(ref.dense().pretrainedInfo().testAccuracy(), info.denseAccuracy(), 1e-9);
        assertTrue(info.denseAccuracy() - accuracy <= 0.01 + 1e-9, "pruned " + accuracy + " vs dense " + info.denseAccuracy());
    }

    @Test
    void onlyResnet8HasAChannelRecipe() {
        assertEquals(ChannelPrunedReference.RESNET8, ChannelPrunedReference.ofDense("resnet8"));
        assertEquals(null, ChannelPrunedReference.ofDense("lenet-300-100"));
    }
}
