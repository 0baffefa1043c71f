package org.squeeze4j.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.engine.IntAdd;
import org.squeeze4j.engine.IntGlobalAvgPool;
import org.squeeze4j.engine.IntModel;
import org.squeeze4j.engine.IntRunner;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.Models;
import org.squeeze4j.models.NetworkView;
import org.squeeze4j.quant.ptq.BatchNormFolding;
import org.squeeze4j.quant.qat.QatConfig;
import org.squeeze4j.quant.qat.QatControl;
import org.squeeze4j.quant.qat.QatPreparation;

/** Quantization-aware training of a residual graph and its conversion to the integer engine. */
class GraphQatTest {

    private static ComputationGraph foldedResnet(long seed) {
        ComputationGraph net = Models.resnet8(seed, 1e-3, 4);
        Nd4j.getRandom().setSeed(seed);
        for (LayerNode n : NetworkView.of(net).nodes()) {
            if (n.kind() == LayerKind.BATCH_NORM) {
                Map<String, INDArray> p = n.layer().paramTable();
                p.get("gamma").assign(Nd4j.rand(DataType.FLOAT, p.get("gamma").shape()).addi(0.5));
                p.get("beta").assign(Nd4j.randn(DataType.FLOAT, p.get("beta").shape()).muli(0.3));
            }
        }
        return BatchNormFolding.fold(net);
    }

    private static DataSet batch(long seed, int n) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, 784);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % 10, 1);
        }
        return new DataSet(x, y);
    }

    @Test
    void aPreparedResNetQuantizesTheInputEveryReluAndThePoolingAndKeepsItsWeights() {
        ComputationGraph folded = foldedResnet(1);
        ComputationGraph q = QatPreparation.prepare(folded, QatConfig.of(8, 8));
        assertTrue(QatControl.isPrepared(q));
        assertFalse(QatControl.isPrepared(folded));
        NetworkView view = NetworkView.of(q);
        assertEquals(List.of(QatPreparation.INPUT_QUANTIZER), view.node("stem").inputs());
        assertEquals(List.of("pool-quant"), view.node("fc").inputs());
        // one quantizer per tensor the engine computes: input, 7 conv+ReLU, 2 projections, 3 conv2 (add inputs), 3 add+ReLU, pool, logits
        assertEquals(1 + 7 - 3 + 2 + 3 + 3 + 1 + 1, QatControl.activations(q).size());
        assertEquals(10, QatControl.weights(q).size());
        assertEquals(folded.getParam("b2_conv1_W"), q.getParam("b2_conv1_W"));
        var twice = assertThrows(IllegalArgumentException.class, () -> QatPreparation.prepare(q, QatConfig.of(8, 8)));
        assertTrue(twice.getMessage().contains("already prepared"), twice.getMessage());
        var bn = assertThrows(IllegalArgumentException.class, () -> QatPreparation.prepare(Models.resnet8(1, 1e-3, 4), QatConfig.of(8, 8)));
        assertTrue(bn.getMessage().contains("BatchNormFolding.fold(graph)"), bn.getMessage());
        var pact = assertThrows(IllegalArgumentException.class, () -> QatPreparation.prepare(folded, QatConfig.of(4, 4).withPact()));
        assertTrue(pact.getMessage().contains("PACT"), pact.getMessage());
    }

    @Test
    void aTrainedW8A8ResNetConvertsToTheEngineAndAgreesWithItsFakeQuantGraph() {
        ComputationGraph q = QatPreparation.prepare(foldedResnet(2), QatConfig.of(8, 8));
        QatControl.calibrate(q, batch(3, 64).getFeatures());
        for (int step = 0; step < 3; step++) {
            q.fit(batch(10 + step, 32));
        }
        IntModel engine = QatConversion.toIntModel(q);
        assertEquals(3, engine.layers().stream().filter(l -> l instanceof IntAdd).count());
        assertEquals(1, engine.layers().stream().filter(l -> l instanceof IntGlobalAvgPool).count());
        INDArray x = batch(20, 64).getFeatures();
        INDArray expected = q.outputSingle(x);
        IntRunner r = engine.runner(64);
        float[] logits = r.output(x.ravel().toFloatVector(), 64);
        int agree = 0;
        for (int i = 0; i < 64; i++) {
            int best = 0;
            for (int c = 1; c < 10; c++) {
                best = logits[i * 10 + c] > logits[i * 10 + best] ? c : best;
            }
            agree += best == expected.getRow(i).argMax().getInt(0) ? 1 : 0;
        }
        assertTrue(agree >= 62, agree + " of 64 argmaxes agree");
    }
}
