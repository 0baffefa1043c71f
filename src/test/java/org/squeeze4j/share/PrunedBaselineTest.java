package org.squeeze4j.share;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.measure.Accuracy;
import org.squeeze4j.prune.Pruner;

/** Deep Compression's shipped pruned LeNet-300-100 is what its provenance says. */
class PrunedBaselineTest {

    @Test
    void shippedModelHasThePapersLayerSparsityAndItsRecordedAccuracy() {
        Map<String, Object> info = PrunedBaseline.info();
        MultiLayerNetwork net = PrunedBaseline.lenet300100();
        @SuppressWarnings("unchecked")
        Map<String, Number> targets = (Map<String, Number>) info.get("targets");
        assertEquals(Map.of("fc1", 0.92, "fc2", 0.91, "fc3", 0.74), Map.of("fc1", targets.get("fc1").doubleValue(),
                "fc2", targets.get("fc2").doubleValue(), "fc3", targets.get("fc3").doubleValue()), "Deep Compression Table 1");
        for (var t : targets.entrySet()) {
            assertEquals(t.getValue().doubleValue(), Pruner.sparsity(net, t.getKey()), 0.005, t.getKey());
        }
        assertEquals(((Number) info.get("sparsity")).doubleValue(), Pruner.sparsity(net, "fc1", "fc2", "fc3"), 1e-9);
        assertEquals(((Number) info.get("testAccuracy")).doubleValue(), Accuracy.of(net, Datasets.mnist().test().iterator(1000)), 1e-9);
    }
}
