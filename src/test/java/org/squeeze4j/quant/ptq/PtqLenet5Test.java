package org.squeeze4j.quant.ptq;

import org.squeeze4j.lower.IntModelBuilder;
import org.squeeze4j.lower.FakeQuantSimulation;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.engine.IntModel;
import org.squeeze4j.engine.Kernels;
import org.squeeze4j.measure.Accuracy;
import org.squeeze4j.models.ReferenceModel;

/** W8A8 PTQ of the pretrained classic LeNet-5 (6-16-120-84, 98.90 %) on the full MNIST test set. */
class PtqLenet5Test {
    @Test
    void w8a8IsWithinATenthOfAPointAndTheEngineIsBitExact() {
        DatasetSplits mnist = Datasets.mnist();
        MultiLayerNetwork net = ReferenceModel.LENET_5.pretrained();
        List<INDArray> calibration = Ptq.batches(mnist.train().subset(500, 42).iterator(250));
        double fp32 = Accuracy.of(net, mnist.test().iterator(1000));
        PtqResult r = Ptq.quantize(net, PtqSpec.full(8, 8, true, Calibrator.MIN_MAX), calibration);
        double w8a8 = r.accuracy(mnist.test().iterator(1000));
        System.out.println("LeNet-5 fp32 " + fp32 + " W8A8 " + w8a8);
        assertTrue(w8a8 >= fp32 - 0.001, "W8A8 " + w8a8 + " vs fp32 " + fp32);
        IntModel m = IntModelBuilder.from(r, calibration.get(0));
        INDArray x = mnist.test().head(200).toDataSet().getFeatures();
        int[][] engine = m.outputCodes(x, Kernels.best());
        INDArray sim = new FakeQuantSimulation(m).outputCodes(x);
        for (int i = 0; i < engine.length; i++) {
            assertArrayEquals(sim.getRow(i).toIntVector(), engine[i], "row " + i);
        }
    }
}
