package org.squeeze4j.quant.qat.bench;

import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.models.ReferenceModel;
import org.squeeze4j.quant.qat.QatConfig;
import org.squeeze4j.quant.qat.QatControl;
import org.squeeze4j.quant.qat.QatPreparation;

/** Time per training step on one batch of 128: float, QAT with fake quant off, QAT on (harness, not a test). */
public final class QatStepBench {
    public static void main(String[] args) {
        DataSet batch = Datasets.mnist().train().subset(128, 1).toDataSet();
        MultiLayerNetwork fp = ReferenceModel.LENET_300_100.pretrained();
        MultiLayerNetwork q = QatPreparation.prepare(fp, args.length > 0 && args[0].equals("pact") ? QatConfig.of(4, 4).withPact() : QatConfig.of(4, 4));
        QatControl.calibrate(q, batch.getFeatures());
        for (int round = 0; round < 3; round++) {
            System.out.println(String.format(Locale.ROOT, "float %.2f ms  qat %.2f ms", time(fp, batch), time(q, batch)));
        }
    }

    private static double time(MultiLayerNetwork net, DataSet b) {
        for (int i = 0; i < 20; i++) net.fit(b);
        long t0 = System.nanoTime();
        for (int i = 0; i < 200; i++) net.fit(b);
        return (System.nanoTime() - t0) / 1e6 / 200;
    }
}
