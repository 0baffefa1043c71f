package org.squeeze4j.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.models.Models;

/** Parameter and MAC counts checked against values computed by hand from the architectures. */
class ModelMeasureTest {

    @Test
    void lenet300100CountsMatchHandComputation() {
        ModelStats s = ModelMeasure.of("LeNet-300-100", Models.lenet300100(1, 1e-3));
        // (784*300 + 300) + (300*100 + 100) + (100*10 + 10)
        assertEquals(235_500 + 30_100 + 1_010, s.params());
        assertEquals(784 * 300 + 300 * 100 + 100 * 10, s.macs());
        assertEquals(List.of("fc1", "fc2", "fc3"), s.layers().stream().map(LayerStats::name).toList());
        assertEquals("300", s.layer("fc1").outputShape());
        assertEquals(4L * 266_610, s.float32Bytes());
        // the ModelSerializer zip deflates float32 parameters a little and adds the JSON configuration
        double ratio = (double) s.serializedBytes() / s.float32Bytes();
        assertTrue(ratio > 0.85 && ratio < 1.05, "serialized/raw = " + ratio);
    }

    @Test
    void caffeLenet5CountsMatchHandComputation() {
        ModelStats s = ModelMeasure.of("LeNet-5 Caffe", Models.lenet5Caffe(1, 1e-3));
        // conv1 20*(5*5*1)+20, conv2 50*(5*5*20)+50, fc1 800*500+500, fc2 500*10+10
        assertEquals(520 + 25_050 + 400_500 + 5_010, s.params());
        // conv1: 24*24 outputs * 25 * 1 * 20; conv2: 8*8 * 25 * 20 * 50; fc1 800*500; fc2 500*10
        assertEquals(288_000L + 1_600_000L + 400_000L + 5_000L, s.macs());
        assertEquals("20x24x24", s.layer("conv1").outputShape());
        assertEquals(0, s.layer("pool1").macs());
        assertEquals(0, s.layer("pool1").params());
    }

    @Test
    void classicLenet5CountsMatchHandComputation() {
        ModelStats s = ModelMeasure.of("LeNet-5", Models.lenet5(1, 1e-3));
        assertEquals(156 + 2_416 + 48_120 + 10_164 + 850, s.params());
        // conv1 same padding: 28*28 * 25 * 6; conv2: 10*10 * 25*6*16; fc 400*120, 120*84, 84*10
        assertEquals(117_600L + 240_000L + 48_000L + 10_080L + 840L, s.macs());
    }

    @Test
    void residualGraphCountsMatchHandComputation() {
        int w = 4;
        ModelStats s = ModelMeasure.of("resnet8", org.squeeze4j.models.Models.resnet8(1, 1e-3, w));
        long hw28 = 28 * 28;
        long hw14 = 14 * 14;
        long hw7 = 7 * 7;
        long expected = 9 * w * hw28                                              // stem 3x3, 1 -> w
                + 2 * 9L * w * w * hw28                                          // block 1
                + 9L * w * 2 * w * hw14 + 9L * 2 * w * 2 * w * hw14 + (long) w * 2 * w * hw14     // block 2 + 1x1 projection
                + 9L * 2 * w * 4 * w * hw7 + 9L * 4 * w * 4 * w * hw7 + 2L * w * 4 * w * hw7     // block 3 + projection
                + 4L * w * 10;                                                   // fc after global average pooling
        assertEquals(expected, s.macs());
        assertEquals(0, s.layer("b1_add").macs());
        assertEquals("ElementWiseVertex(Add)", s.layer("b2_add").type());
        assertEquals("16x7x7", s.layer("b3_relu").outputShape());
        assertEquals(4 * w * 4, s.layer("b3_proj_bn").params(), "gamma, beta, mean, var per channel");
    }

    @Test
    void depthwiseConvolutionCostsOneInputChannelPerOutput() {
        int w = 4;
        ModelStats s = ModelMeasure.of("dwnet", org.squeeze4j.models.Models.depthwiseNet(1, 1e-3, w));
        assertEquals(9L * w * 14 * 14, s.layer("dw1").macs(), "3x3 x 4 channels x 14x14, not x 4 again");
        assertEquals(9L * w, s.layer("dw1").params());
        assertEquals((long) w * 2 * w * 14 * 14, s.layer("pw1").macs());
    }

    @Test
    void nonZerosCountZeroedWeights() {
        MultiLayerNetwork net = Models.lenet300100(1, 1e-3);
        INDArray w = net.getLayer(0).getParam("W");
        w.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 100), org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(0);
        ModelStats s = ModelMeasure.of("pruned", net);
        LayerStats fc1 = s.layer("fc1");
        // biases start at zero in DL4J, so all 300 are zero as well
        assertEquals(235_500 - 100 * 300 - 300, fc1.nonZeroParams());
        assertEquals((100.0 * 300 + 300) / 235_500, fc1.sparsity(), 1e-12);
    }

    @Test
    void unknownLayerNameListsTheKnownOnes() {
        ModelStats s = ModelMeasure.of("m", Models.mlp(1, 1e-3, 8));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.layer("conv9"));
        assertTrue(e.getMessage().contains("[fc1, fc2]"), e.getMessage());
    }
}
