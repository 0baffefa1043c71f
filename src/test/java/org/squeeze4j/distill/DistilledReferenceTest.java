package org.squeeze4j.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.squeeze4j.measure.Accuracy;
import org.squeeze4j.measure.ModelMeasure;
import org.squeeze4j.models.Models;
import org.squeeze4j.models.NetworkView;

/**
 * The shipped distilled ResNet-8 student is what its provenance says: made by the current recipe,
 * the student architecture of the recipe, a plain softmax classifier, and its recorded accuracy
 * is what it scores on the test set now.
 */
class DistilledReferenceTest {

    @Test
    void shippedStudentMatchesItsProvenance() {
        DistilledReference ref = DistilledReference.RESNET8_HALF;
        DistillInfo info = ref.info();
        assertEquals(ref.recipe(), info.recipe(), "the shipped file was made by the current recipe; re-run " + ref.command());
        assertEquals(ref.dense().id(), info.teacher());
        ComputationGraph student = ref.pretrained();
        ComputationGraph architecture = Models.resnet8(1, 1e-3, ref.recipe().studentWidth());
        assertEquals(NetworkView.of(architecture).weightedNames(), NetworkView.of(student).weightedNames());
        assertEquals(architecture.numParams(), student.numParams());
        assertTrue(((OutputLayer) student.getLayer("fc").conf().getLayer()).getActivationFn() instanceof ActivationSoftmax);

        assertEquals(info.macs(), ModelMeasure.of(ref.id(), student).macs());
        assertEquals(info.teacherMacs(), ModelMeasure.of(ref.dense().id(), ref.dense().pretrained()).macs());
        assertTrue(info.macs() * 3 < info.teacherMacs(), info.macs() + " of " + info.teacherMacs() + " MACs");
        assertEquals(info.testAccuracy(), Accuracy.of(student, ref.dense().data().test().iterator(500)), 1e-9);
        assertEquals(ref.dense().pretrainedInfo().testAccuracy(), info.teacherAccuracy(), 1e-9);
    }

    @Test
    void onlyResnet8HasADistillationRecipe() {
        assertEquals(DistilledReference.RESNET8_HALF, DistilledReference.ofTeacher("resnet8"));
        String msg = assertThrows(IllegalArgumentException.class, () -> DistilledReference.ofTeacher("dwnet")).getMessage();
        assertTrue(msg.contains("dwnet") && msg.contains("[resnet8]"), msg);
    }
}
