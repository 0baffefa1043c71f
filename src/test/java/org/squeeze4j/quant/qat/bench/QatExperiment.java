package org.squeeze4j.quant.qat.bench;

import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.measure.Accuracy;
import org.squeeze4j.models.Models;
import org.squeeze4j.models.ReferenceModel;
import org.squeeze4j.quant.qat.QatConfig;
import org.squeeze4j.quant.qat.QatControl;
import org.squeeze4j.quant.qat.QatPreparation;
import org.squeeze4j.quant.qat.WeightRange;

/** Exploration harness: PTQ vs QAT on LeNet-300-100 (args: wBits aBits pact|ema lr epochs trainSubset). */
public final class QatExperiment {
    public static void main(String[] args) {
        int wb = Integer.parseInt(args[0]);
        int ab = Integer.parseInt(args[1]);
        boolean pact = args[2].equals("pact");
        double lr = Double.parseDouble(args[3]);
        int epochs = Integer.parseInt(args[4]);
        int subset = Integer.parseInt(args[5]);
        WeightRange wr = args.length > 6 ? WeightRange.valueOf(args[6]) : null;
        boolean perTensor = args.length > 7 && args[7].equals("pt");
        DatasetSplits mnist = Datasets.mnist();
        MultiLayerNetwork fp = ReferenceModel.LENET_300_100.pretrained();
        INDArray calib = mnist.train().subset(1000, 42).toDataSet().getFeatures();
        QatConfig cfg = QatConfig.of(wb, ab);
        if (pact) cfg = cfg.withPact();
        if (wr != null) cfg = cfg.withWeightRange(wr);
        if (perTensor) cfg = cfg.withPerChannel(false);
        MultiLayerNetwork q = QatPreparation.prepare(fp, cfg);
        QatControl.calibrate(q, calib);
        double ptq = Accuracy.of(q, mnist.test().iterator(1000));
        System.out.println(String.format(Locale.ROOT, "%s PTQ %.4f", cfg, ptq));
        Models.restartLearningRate(q, lr);
        var train = subset > 0 ? mnist.train().subset(subset, 7) : mnist.train();
        for (int e = 0; e < epochs; e++) {
            long t0 = System.nanoTime();
            q.fit(train.shuffledIterator(128, 42 + e));
            double secs = (System.nanoTime() - t0) / 1e9;
            double acc = Accuracy.of(q, mnist.test().iterator(1000));
            System.out.println(String.format(Locale.ROOT, "epoch %d QAT %.4f  %.1f s  %s", e + 1, acc, secs,
                    QatControl.activations(q)));
        }
        MultiLayerNetwork f2 = ReferenceModel.LENET_300_100.pretrained();
        Models.restartLearningRate(f2, lr);
        long t0 = System.nanoTime();
        f2.fit(train.shuffledIterator(128, 42));
        System.out.println(String.format(Locale.ROOT, "float epoch %.1f s", (System.nanoTime() - t0) / 1e9));
    }
}
