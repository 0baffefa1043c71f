package org.squeeze4j.quant.ptq;

import org.squeeze4j.lower.IntModelBuilder;
import org.squeeze4j.lower.FakeQuantSimulation;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.engine.IntModel;
import org.squeeze4j.engine.Kernels;
import org.squeeze4j.measure.Accuracy;
import org.squeeze4j.models.ReferenceModel;

/**
 * PTQ of the pretrained LeNet-300-100 on real MNIST (1000 calibration images from the training set,
 * the full 10,000-image test set): the accuracy targets, the engine conversion and the
 * exact properties of bias and variance correction.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PtqMnistTest {
    DatasetSplits mnist;
    MultiLayerNetwork net;
    List<INDArray> calibration;
    double fp32;

    @BeforeAll
    void setUp() {
        mnist = Datasets.mnist();
        net = ReferenceModel.LENET_300_100.pretrained();
        calibration = Ptq.batches(mnist.train().subset(1000, 42).iterator(250));
        fp32 = Accuracy.of(net, mnist.test().iterator(1000));
    }

    double accuracy(PtqSpec spec) {
        return Ptq.quantize(net, spec, calibration).accuracy(mnist.test().iterator(1000));
    }

    @Test
    void w8a8MinMaxPerChannelIsWithinATenthOfAPoint() {
        INDArray before = net.params().dup();
        double acc = accuracy(PtqSpec.full(8, 8, true, Calibrator.MIN_MAX));
        assertTrue(acc >= fp32 - 0.001, "W8A8 " + acc + " vs fp32 " + fp32);
        assertEquals(before, net.params(), "PTQ must not modify the original network");
    }

    @Test
    void w4a8PerChannelBestObserverIsWithinOnePoint() {
        double best = 0;
        for (Calibrator c : List.of(Calibrator.MIN_MAX, Calibrator.MSE)) {
            best = Math.max(best, accuracy(PtqSpec.full(4, 8, true, Calibrator.MIN_MAX).withWeightCalibrator(c).withBiasCorrection(true)));
        }
        assertTrue(best >= fp32 - 0.01, "W4A8 best " + best + " vs fp32 " + fp32);
    }

    @Test
    void biasCorrectionZeroesTheMeanOutputErrorOnTheCalibrationSet() {
        PtqSpec spec = PtqSpec.weightOnly(3, false).withBiasCorrection(true);
        PtqResult r = Ptq.quantize(net, spec, calibration);
        // first layer: input is the raw calibration data in both networks, so E[x W + b] must agree per channel
        INDArray x = calibration.get(0);
        for (INDArray b : calibration.subList(1, calibration.size())) {
            x = org.nd4j.linalg.factory.Nd4j.vstack(x, b);
        }
        INDArray fl = Layers.channelMean(Layers.preOutput(net, 0, x));
        INDArray q = Layers.channelMean(Layers.preOutput(r.network(), 0, x));
        assertTrue(fl.sub(q).amaxNumber().doubleValue() < 1e-5, "mean error after correction " + fl.sub(q).amaxNumber());
        PtqResult plain = Ptq.quantize(net, PtqSpec.weightOnly(3, false), calibration);
        INDArray q0 = Layers.channelMean(Layers.preOutput(plain.network(), 0, x));
        assertTrue(fl.sub(q0).amaxNumber().doubleValue() > 1e-3, "3-bit weights should bias the output before correction");
        assertTrue(r.layers().get(0).biasShift() > 0);
    }

    @Test
    void varianceCorrectionRestoresPerChannelCentredNorm() {
        PtqResult r = Ptq.quantize(net, PtqSpec.weightOnly(3, true).withVarianceCorrection(true), calibration);
        PtqResult plain = Ptq.quantize(net, PtqSpec.weightOnly(3, true), calibration);
        INDArray w = net.getLayer(1).getParam("W").castTo(DataType.DOUBLE);
        INDArray h = r.network().getLayer(1).getParam("W").castTo(DataType.DOUBLE);
        INDArray q = plain.network().getLayer(1).getParam("W").castTo(DataType.DOUBLE);
        for (int c = 0; c < w.size(1); c += 17) {
            INDArray wc = w.getColumn(c).dup();
            INDArray hc = h.getColumn(c).dup();
            INDArray qc = q.getColumn(c).dup();
            // w <- zeta (w_hat + u): centred norm becomes ||w - E w||, the mean zeta E(w)
            double zeta = wc.sub(wc.meanNumber()).norm2Number().doubleValue() / qc.sub(qc.meanNumber()).norm2Number().doubleValue();
            assertEquals(zeta * wc.meanNumber().doubleValue(), hc.meanNumber().doubleValue(), 1e-6, "mean of channel " + c);
            assertEquals(wc.sub(wc.meanNumber()).norm2Number().doubleValue(), hc.sub(hc.meanNumber()).norm2Number().doubleValue(),
                    1e-5, "centred norm of channel " + c);
        }
    }

    @Test
    void engineModelIsBitExactAndAsAccurate() {
        PtqResult r = Ptq.quantize(net, PtqSpec.full(8, 8, true, Calibrator.MIN_MAX).withBiasCorrection(true), calibration);
        IntModel m = IntModelBuilder.from(r, calibration.get(0));
        INDArray x = mnist.test().head(500).toDataSet().getFeatures();
        int[][] engine = m.outputCodes(x, Kernels.best());
        INDArray sim = new FakeQuantSimulation(m).outputCodes(x);
        for (int i = 0; i < engine.length; i++) {
            assertArrayEquals(sim.getRow(i).toIntVector(), engine[i], "row " + i);
        }
        int[] pred = m.predict(mnist.test().toDataSet().getFeatures());
        int correct = 0;
        for (int i = 0; i < pred.length; i++) {
            correct += pred[i] == mnist.test().label(i) ? 1 : 0;
        }
        double engineAcc = correct / (double) pred.length;
        assertTrue(engineAcc >= fp32 - 0.002, "engine " + engineAcc + " vs fp32 " + fp32);
    }
}
