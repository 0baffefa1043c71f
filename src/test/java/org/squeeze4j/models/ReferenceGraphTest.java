package org.squeeze4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.measure.Accuracy;

/** The shipped graph baselines reach their targets on Fashion-MNIST and match their provenance files. */
class ReferenceGraphTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(ReferenceGraph.class)
    void shippedBaselineMatchesItsProvenance(ReferenceGraph ref) {
        ComputationGraph net = ref.pretrained();
        DatasetSplits data = ref.data();
        double accuracy = Accuracy.of(net, data.test().iterator(1000));
        PretrainedInfo info = ref.pretrainedInfo();
        assertEquals(info.testAccuracy(), accuracy, 1e-9, "the provenance file records the shipped model's accuracy");
        assertEquals("fashion-mnist", info.dataset());
        assertEquals(ref.id(), info.model());
        assertEquals(ref.recipe(), info.recipe());
        assertTrue(info.command().startsWith("./s4j pretrain " + ref.id()));
        // the shipped file has the architecture the zoo builds today
        ComputationGraph fresh = ref.create();
        assertEquals(describe(fresh), describe(net));
        assertEquals(fresh.numParams(), net.numParams());
    }

    private static java.util.List<String> describe(ComputationGraph g) {
        return NetworkView.of(g).nodes().stream().map(n -> n.name() + ":" + n.kind() + "<-" + n.inputs()).toList();
    }

    @Test
    void resnetMeetsTheIssueTarget() {
        assertTrue(ReferenceGraph.RESNET8.pretrainedInfo().testAccuracy() >= 0.90,
                "ResNet-8 target: at least 0.90 on the Fashion-MNIST test set");
    }

    @Test
    void graphsRoundTripThroughModelFiles() {
        ComputationGraph net = ReferenceGraph.DWNET.create();
        Path file = dir.resolve("dw.zip");
        ModelFiles.save(net, file);
        ComputationGraph back = ModelFiles.loadGraph(file);
        assertEquals(net.params(), back.params());
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.load(file));
        assertTrue(e.getMessage().contains("MultiLayerNetwork"), e.getMessage());
    }

    @Test
    void referencesAreFoundById() {
        assertEquals(ReferenceGraph.RESNET8, Reference.byId("ResNet8"));
        assertEquals(ReferenceModel.LENET_5, Reference.byId("lenet-5"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reference.byId("vgg16"));
        assertTrue(e.getMessage().contains("resnet8") && e.getMessage().contains("lenet-300-100"), e.getMessage());
    }
}
