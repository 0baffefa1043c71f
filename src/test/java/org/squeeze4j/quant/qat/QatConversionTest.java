package org.squeeze4j.quant.qat;

import org.squeeze4j.quant.ptq.BatchNormFolding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.engine.FakeQuantSimulation;
import org.squeeze4j.engine.IntModel;
import org.squeeze4j.models.ReferenceModel;

/** Conversion of QAT networks to the integer engine: outputs match the fake-quant network. */
class QatConversionTest {
    private static final DatasetSplits MNIST = Datasets.mnist();

    /** Argmax agreement and logit differences (in output steps) between the engine and the fake-quant network. */
    private static double[] compare(MultiLayerNetwork q, IntModel m, INDArray x) {
        INDArray fq = QatControl.logits(q, x).castTo(DataType.DOUBLE);
        INDArray engine = m.output(x).castTo(DataType.DOUBLE);
        INDArray sim = new FakeQuantSimulation(m).logits(x).castTo(DataType.DOUBLE);
        assertEquals(sim, engine.castTo(DataType.FLOAT).castTo(DataType.DOUBLE), "engine == its own ND4J simulation, bit for bit");
        double agree = fq.argMax(1).eq(engine.argMax(1)).castTo(DataType.INT32).sumNumber().doubleValue() / x.size(0);
        INDArray diff = Transforms.abs(fq.sub(engine)).divi(m.outScale());
        return new double[] {agree, diff.maxNumber().doubleValue(), diff.meanNumber().doubleValue()};
    }

    @Test
    void w8a8LeNetConvertsToAnEngineModelThatMatchesTheFakeQuantNetwork() {
        MultiLayerNetwork q = QatPreparation.prepare(ReferenceModel.LENET_300_100.pretrained(), QatConfig.of(8, 8));
        QatControl.calibrate(q, MNIST.train().subset(1000, 42).toDataSet().getFeatures());
        q.fit(MNIST.train().subset(512, 3).shuffledIterator(128, 1));     // a few QAT steps: ranges and weights move
        IntModel m = QatConversion.toIntModel(q);
        INDArray x = MNIST.test().subset(2000, 5).toDataSet().getFeatures();
        double[] c = compare(q, m, x);
        System.out.println("W8A8 agreement " + c[0] + ", max |diff| " + c[1] + " steps, mean " + c[2]);
        assertTrue(c[0] >= 0.999, "argmax agreement " + c[0]);
        assertTrue(c[1] <= 2.0, "logits within 2 output steps, max " + c[1]);
        assertTrue(c[2] <= 0.25, "mean logit difference " + c[2] + " steps");
    }

    @Test
    void fourBitWeightsAndPactConvert() {
        MultiLayerNetwork q = QatPreparation.prepare(ReferenceModel.LENET_300_100.pretrained(), QatConfig.of(4, 8).withPact());
        QatControl.calibrate(q, MNIST.train().subset(1000, 42).toDataSet().getFeatures());
        IntModel m = QatConversion.toIntModel(q);
        INDArray x = MNIST.test().subset(2000, 6).toDataSet().getFeatures();
        double[] c = compare(q, m, x);
        System.out.println("W4A8-PACT agreement " + c[0] + ", max |diff| " + c[1] + " steps, mean " + c[2]);
        assertTrue(c[0] >= 0.999, "argmax agreement " + c[0]);
        assertTrue(c[1] <= 2.0, "max " + c[1]);
        // 4-bit weights: every code in [-7, 7]
        byte[] w = ((org.squeeze4j.engine.IntDense) m.layers().get(0)).weights();
        for (byte b : w) {
            assertTrue(b >= -7 && b <= 7);
        }
    }

    @Test
    void batchNormFoldingKeepsOutputsAndTheFoldedConvNetConverts() {
        MultiLayerNetwork net = SmallNets.convBn(DataType.DOUBLE, new Adam(1e-2));
        INDArray x = SmallNets.features(64, 64, 1, DataType.DOUBLE);
        INDArray y = SmallNets.labels(64, 3, 2, DataType.DOUBLE);
        for (int i = 0; i < 20; i++) {
            net.fit(x, y);                                   // moves BN's running mean / variance and gamma / beta
        }
        MultiLayerNetwork folded = BatchNormFolding.fold(net);
        assertEquals(net.getnLayers() - 2, folded.getnLayers(), "BN and the ReLU layer fused into the conv");
        INDArray t = SmallNets.features(16, 64, 3, DataType.DOUBLE);
        assertTrue(net.output(t, false).equalsWithEps(folded.output(t, false), 1e-10), "folding keeps the inference function");

        MultiLayerNetwork q = QatPreparation.prepare(folded, QatConfig.of(8, 8));
        QatControl.calibrate(q, x);
        for (int i = 0; i < 5; i++) {
            q.fit(x, y);                                     // QAT steps on the folded conv net
        }
        IntModel m = QatConversion.toIntModel(q);
        assertTrue(m.layers().get(0) instanceof org.squeeze4j.engine.IntConv2d);
        double[] c = compare(q, m, t);
        System.out.println("conv W8A8 agreement " + c[0] + ", max |diff| " + c[1] + " steps, mean " + c[2]);
        assertTrue(c[0] >= 0.99 && c[1] <= 2.0, java.util.Arrays.toString(c));
    }

    @Test
    void foldingRejectsBatchNormAfterANonLinearLayer() {
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().list()
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().name("d").nIn(4).nOut(3)
                        .activation(org.nd4j.linalg.activations.Activation.RELU).build())
                .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().name("bn").nOut(3).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nIn(3).nOut(2).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BatchNormFolding.fold(net));
        assertTrue(e.getMessage().contains("layer 1 (bn") && e.getMessage().contains("identity"), e.getMessage());
    }
}
