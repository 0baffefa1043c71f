package org.squeeze4j.quant.qat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.squeeze4j.lower.QatConversion;
import org.squeeze4j.measure.Accuracy;

/**
 * The shipped W4A4 ResNet-8 is what its provenance says, loads with its fake quantizers, and in
 * the integer engine stays within 3 points of the float baseline. (The residual-networks issue
 * aims at 1 point; the shipped recipe does not reach it, and this bound only guards against
 * regressions.)
 */
class QatReferenceTest {

    @Test
    void shippedW4a4ResnetMatchesItsProvenanceAndTheTarget() {
        QatReference ref = QatReference.RESNET8_W4A4;
        QatInfo info = ref.info();
        assertEquals(ref.recipe(), info.recipe(), "the shipped file was made by the current recipe; re-run " + ref.command());
        ComputationGraph q = ref.pretrained();
        assertTrue(QatControl.isPrepared(q));
        assertEquals(4, QatControl.weights(q).get(0).bits());
        var test = ref.dense().data().test().iterator(500);
        assertEquals(info.testAccuracy(), Accuracy.of(q, test), 1e-9);
        double engine = Accuracy.of(QatConversion.toIntModel(q), test);
        assertEquals(info.engineAccuracy(), engine, 1e-9);
        assertEquals(ref.dense().pretrainedInfo().testAccuracy(), info.denseAccuracy(), 1e-9);
        assertTrue(info.denseAccuracy() - engine <= 0.03 + 1e-9, "W4A4 " + engine + " vs float " + info.denseAccuracy());
        assertTrue(info.ptqAccuracy() < engine, "QAT should beat PTQ at 4 bits: " + info.ptqAccuracy() + " vs " + engine);
    }

    @Test
    void modelsWithoutARecipeAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> QatReference.ofDense("dwnet"));
        assertTrue(e.getMessage().contains("resnet8"), e.getMessage());
    }
}
