package org.squeeze4j.quant.ptq;

import org.squeeze4j.lower.IntModelBuilder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** BN folding, cross-layer equalization, the fake-quant activation and bad input, on small random nets. */
class PtqTransformsTest {

    /**
     * conv(no bias) - BN - maxpool - conv - BN - dense - BN - output, with non-trivial BN statistics. The BN
     * builders ask for ReLU, which DL4J's BN layer ignores (checked below), so the convs carry no ReLU either.
     */
    static MultiLayerNetwork bnNet(boolean logStd) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).hasBias(false).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().useLogStd(logStd).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(5).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().useLogStd(logStd).build())
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().useLogStd(logStd).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(10, 10, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(3);
        for (int i : new int[] {1, 4, 6}) {
            var p = net.getLayer(i).paramTable();
            p.get("gamma").assign(Nd4j.rand(DataType.FLOAT, p.get("gamma").shape()).addi(0.5));
            p.get("beta").assign(Nd4j.randn(DataType.FLOAT, p.get("beta").shape()).muli(0.3));
            p.get("mean").assign(Nd4j.randn(DataType.FLOAT, p.get("mean").shape()).muli(0.2));
            INDArray var = Nd4j.rand(DataType.FLOAT, p.get("mean").shape()).addi(0.3);
            if (logStd) {
                p.get("log10stdev").assign(org.nd4j.linalg.ops.transforms.Transforms.log(var, 10.0, true).muli(0.5));
            } else {
                p.get("var").assign(var);
            }
        }
        return net;
    }

    static MultiLayerNetwork mlp(long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT).list()
                .layer(new DenseLayer.Builder().nIn(12).nOut(16).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        // very unequal channel ranges, the case CLE is for
        INDArray w = net.getLayer(0).getParam("W");
        for (int c = 0; c < 16; c++) {
            w.getColumn(c).muli(Math.pow(2, c % 5 - 2));
        }
        return net;
    }

    @Test
    void foldedBatchNormComputesTheSameOutputs() {
        for (boolean logStd : new boolean[] {false, true}) {
            MultiLayerNetwork net = bnNet(logStd);
            MultiLayerNetwork folded = BatchNormFolding.fold(net);
            assertEquals(5, folded.getnLayers(), "three BN layers removed");
            assertFalse(folded.getLayerWiseConfigurations().toJson().contains("BatchNormalization"));
            INDArray x = Nd4j.rand(DataType.FLOAT, 16, 100);
            INDArray a = net.output(x, false);
            INDArray b = folded.output(x, false);
            assertTrue(a.equalsWithEps(b, 1e-5), "logStd=" + logStd + ": max diff " + a.sub(b).amaxNumber());
            // pre-softmax too: compare the last hidden activations
            INDArray ha = net.feedForward(x, false).get(7);
            INDArray hb = folded.feedForward(x, false).get(4);
            assertTrue(ha.equalsWithEps(hb, 1e-4), "hidden max diff " + ha.sub(hb).amaxNumber());
            assertTrue(ha.minNumber().doubleValue() < 0, "DL4J's BN ignores its activation: negative outputs remain");
        }
    }

    @Test
    void foldingRejectsBatchNormAfterANonLinearity() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.RELU).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BatchNormFolding.fold(net));
        assertTrue(e.getMessage().contains("identity"), e.getMessage());
    }

    @Test
    void equalizationKeepsOutputsAndEqualizesRanges() {
        MultiLayerNetwork net = mlp(5);
        INDArray x = Nd4j.rand(DataType.FLOAT, 32, 12);
        INDArray before = net.output(x, false);
        INDArray w0 = net.getLayer(0).getParam("W").dup();
        CrossLayerEqualization.Result r = CrossLayerEqualization.equalize(net);
        assertEquals(2, r.pairs().size());
        INDArray after = r.network().output(x, false);
        assertTrue(before.equalsWithEps(after, 1e-5), "max diff " + before.sub(after).amaxNumber());
        assertEquals(w0, net.getLayer(0).getParam("W"), "original untouched");
        for (int[] p : r.pairs()) {
            double[][] ranges = CrossLayerEqualization.ranges(r.network(), p[0], p[1]);
            for (int c = 0; c < ranges[0].length; c++) {
                assertEquals(ranges[0][c], ranges[1][c], 1e-4 * ranges[0][c], "pair " + p[0] + "-" + p[1] + " channel " + c);
            }
        }
        double[][] orig = CrossLayerEqualization.ranges(net, 0, 1);
        double spreadBefore = spread(orig[0]);
        double spreadAfter = spread(CrossLayerEqualization.ranges(r.network(), 0, 1)[0]);
        assertTrue(spreadAfter < spreadBefore / 2, "channel ranges of layer 0 should be closer: " + spreadBefore + " -> " + spreadAfter);
    }

    @Test
    void equalizationOfConvPairsThroughPoolingAndFlatten() {
        MultiLayerNetwork net = BatchNormFolding.fold(bnNet(false));
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 100);
        CrossLayerEqualization.Result r = CrossLayerEqualization.equalize(net);
        assertEquals(3, r.pairs().size(), "conv-pool-conv, conv-dense (flatten), dense-output");
        assertTrue(net.output(x, false).equalsWithEps(r.network().output(x, false), 1e-5));
        double[][] ranges = CrossLayerEqualization.ranges(r.network(), 2, 3);
        for (int c = 0; c < ranges[0].length; c++) {
            assertEquals(ranges[0][c], ranges[1][c], 1e-4 * ranges[0][c]);
        }
    }

    private static double spread(double[] r) {
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (double v : r) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        return hi / lo;
    }

    @Test
    void fakeQuantNetworkRoundTripsThroughJsonAndModelSerializer(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = mlp(9);
        List<INDArray> calib = List.of(Nd4j.rand(DataType.FLOAT, 64, 12), Nd4j.rand(DataType.FLOAT, 64, 12));
        PtqResult r = Ptq.quantize(net, PtqSpec.full(4, 6, true, Calibrator.KL), calib);
        MultiLayerNetwork q = r.network();
        assertTrue(q.getLayerWiseConfigurations().toJson().contains("ActivationFakeQuant"));
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(q.getLayerWiseConfigurations().toJson());
        assertEquals(q.getLayerWiseConfigurations(), back);
        File f = dir.resolve("q.zip").toFile();
        ModelSerializer.writeModel(q, f, false);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(f);
        INDArray x = Nd4j.rand(DataType.FLOAT, 10, 12);
        assertEquals(q.output(x, false), restored.output(x, false));
        // activations really are on a 6-bit grid: layer 0 outputs take at most 64 distinct values
        INDArray h = q.feedForward(x, false).get(1);
        assertTrue(java.util.Arrays.stream(h.ravel().toDoubleVector()).distinct().count() <= 64);
    }

    @Test
    void fakeQuantActivationHandComputed() {
        // s = 0.5, z = 2, uint3 codes [0, 7]: values -1 .. 2.5
        ActivationFakeQuant a = new ActivationFakeQuant(Activation.IDENTITY.getActivationFunction(), 3,
                org.squeeze4j.quant.QParams.perTensor(0.5, 2), false);
        INDArray in = Nd4j.createFromArray(new float[] {-3f, -0.8f, 0.26f, 0.74f, 1.25f, 9f});
        INDArray out = a.getActivation(in.dup(), false);
        // -3 -> code -4 clipped 0 -> -1; -0.8 -> -1.6+2=0.4 -> 0 -> -1; 0.26 -> 2.52 -> 3 -> 0.5;
        // 0.74 -> 3.48 -> 3 -> 0.5; 1.25 -> 4.5 -> 4 (half to even) -> 1.0; 9 -> 7 -> 2.5
        assertEquals(Nd4j.createFromArray(new float[] {-1f, -1f, 0.5f, 0.5f, 1.0f, 2.5f}), out);
        assertThrows(UnsupportedOperationException.class, () -> a.backprop(in, in));
    }

    @Test
    void badInputGetsClearErrors() {
        MultiLayerNetwork net = mlp(1);
        List<INDArray> calib = List.of(Nd4j.rand(DataType.FLOAT, 8, 12));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ptq.quantize(net, PtqSpec.full(8, 8, true, Calibrator.MIN_MAX), List.of()));
        assertTrue(e.getMessage().contains("calibration set is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PtqSpec.full(1, 8, true, Calibrator.MIN_MAX));
        assertTrue(e.getMessage().contains("2..8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PtqSpec.full(8, 9, true, Calibrator.MIN_MAX));
        assertTrue(e.getMessage().contains("activation bits"), e.getMessage());
        MultiLayerNetwork broken = mlp(1);
        broken.getLayer(1).getParam("W").putScalar(3, Double.NaN);
        e = assertThrows(IllegalArgumentException.class, () -> Ptq.quantize(broken, PtqSpec.weightOnly(8, true), calib));
        assertTrue(e.getMessage().contains("'layer1'") && e.getMessage().contains("NaN"), e.getMessage());
        List<INDArray> nanCalib = List.of(Nd4j.valueArrayOf(new long[] {2, 12}, Double.NaN, DataType.FLOAT));
        assertThrows(IllegalArgumentException.class, () -> Ptq.quantize(net, PtqSpec.full(8, 8, true, Calibrator.MIN_MAX), nanCalib));

        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).build())
                .layer(new DropoutLayer.Builder(0.5).name("drop").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork withDropout = new MultiLayerNetwork(conf);
        withDropout.init();
        e = assertThrows(IllegalArgumentException.class, () -> Ptq.quantize(withDropout, PtqSpec.weightOnly(8, true), calib));
        assertTrue(e.getMessage().contains("layer 1 (drop, DropoutLayer)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ptq.quantize(bnNet(false), PtqSpec.weightOnly(8, true), calib));
        assertTrue(e.getMessage().contains("BatchNormFolding.fold"), e.getMessage());

        PtqResult weightOnly = Ptq.quantize(net, PtqSpec.weightOnly(8, true), calib);
        e = assertThrows(IllegalArgumentException.class, () -> IntModelBuilder.from(weightOnly, calib.get(0)));
        assertTrue(e.getMessage().contains("uint8 activations"), e.getMessage());
    }
}
