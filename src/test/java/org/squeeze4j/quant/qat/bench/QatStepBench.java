package org.squeeze4j.quant.qat.bench;

import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.models.ReferenceModel;
import org.squeeze4j.quant.qat.QatConfig;
import org.squeeze4j.quant.qat.QatControl;
import org.squeeze4j.quant.qat.QatPreparation;

/**
 * Harness (not a test): milliseconds per training step on a batch of 128 for the float LeNet-300-100 and for
 * QAT variants, to see where fake quantization costs. Run: see tutorials/05-qat.md.
 */
public final class QatStepBench {
    public static void main(String[] args) {
        DataSet batch = Datasets.mnist().train().subset(128, 1).toDataSet();
        MultiLayerNetwork fp = ReferenceModel.LENET_300_100.pretrained();
        MultiLayerNetwork ema = QatPreparation.prepare(fp, QatConfig.of(8, 8));
        MultiLayerNetwork pact = QatPreparation.prepare(fp, QatConfig.of(2, 2).withPact());
        MultiLayerNetwork noW = QatPreparation.prepare(fp, QatConfig.of(8, 8));
        MultiLayerNetwork noA = QatPreparation.prepare(fp, QatConfig.of(8, 8));
        for (MultiLayerNetwork q : new MultiLayerNetwork[] {ema, pact, noW, noA}) {
            QatControl.calibrate(q, batch.getFeatures());
        }
        MultiLayerNetwork off = QatPreparation.prepare(fp, QatConfig.of(8, 8));
        QatControl.calibrate(off, batch.getFeatures());
        QatControl.setFakeQuant(off, false);
        QatControl.setObserving(off, false);
        QatControl.weights(noW).forEach(w -> w.setEnabled(false));
        QatControl.activations(noA).forEach(a -> { a.setFakeQuant(false); a.setObserving(false); });
        for (int round = 0; round < 3; round++) {
            System.out.println(String.format(Locale.ROOT, "float %.2f  W8A8 %.2f  W2A2-PACT %.2f  acts only %.2f  weights only %.2f  all off %.2f ms/step",
                    time(fp, batch), time(ema, batch), time(pact, batch), time(noW, batch), time(noA, batch), time(off, batch)));
        }
    }

    private static double time(MultiLayerNetwork net, DataSet b) {
        for (int i = 0; i < 20; i++) {
            net.fit(b);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            net.fit(b);
        }
        return (System.nanoTime() - t0) / 1e6 / 100;
    }
}
