package org.squeeze4j.quant.qat;

import org.squeeze4j.lower.QatConversion;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.misc.ElementWiseMultiplicationLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Bad input: clear errors naming the layer. */
class QatErrorsTest {

    @Test
    void prepareRejectsLayersItCannotQuantize() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new ElementWiseMultiplicationLayer.Builder().name("gate").nIn(4).nOut(4).activation(Activation.IDENTITY).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(2).activation(Activation.IDENTITY).build())
                .build());
        net.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QatPreparation.prepare(net, QatConfig.of(8, 8)));
        assertTrue(e.getMessage().contains("layer 0 'gate' is a ElementWiseMultiplicationLayer"), e.getMessage());   // the network view's refusal
    }

    @Test
    void prepareAsksToFoldBatchNormFirst() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QatPreparation.prepare(SmallNets.convBn(DataType.DOUBLE, new Adam(1e-3)), QatConfig.of(8, 8)));
        assertTrue(e.getMessage().contains("bn") && e.getMessage().contains("BatchNormFolding.fold"), e.getMessage());
    }

    @Test
    void preparingTwiceIsRejected() {
        MultiLayerNetwork q = QatPreparation.prepare(SmallNets.mlp(DataType.FLOAT), QatConfig.of(8, 8));
        assertThrows(IllegalArgumentException.class, () -> QatPreparation.prepare(q, QatConfig.of(8, 8)));
    }

    @Test
    void convertingAFloatNetworkNamesTheLayer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QatConversion.toIntModel(SmallNets.mlp(DataType.FLOAT)));
        assertTrue(e.getMessage().contains("not prepared for QAT") && e.getMessage().contains("h1"), e.getMessage());
        IllegalArgumentException c = assertThrows(IllegalArgumentException.class, () -> QatControl.calibrate(SmallNets.mlp(DataType.FLOAT),
                SmallNets.features(3, 6, 1, DataType.FLOAT)));
        assertTrue(c.getMessage().contains("QatPreparation.prepare"), c.getMessage());
    }

    @Test
    void convertingWithAStrippedWeightHookNamesTheLayer() {
        MultiLayerNetwork q = QatPreparation.prepare(SmallNets.mlp(DataType.FLOAT), QatConfig.of(8, 8));
        QatControl.calibrate(q, SmallNets.features(10, 6, 1, DataType.FLOAT));
        ((org.deeplearning4j.nn.conf.layers.BaseLayer) q.getLayerWiseConfigurations().getConf(2).getLayer()).setWeightNoise(null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QatConversion.toIntModel(q));
        assertTrue(e.getMessage().contains("'h2' (DenseLayer)") && e.getMessage().contains("FakeQuantWeightNoise"), e.getMessage());
    }

    @Test
    void badConfigValues() {
        assertThrows(IllegalArgumentException.class, () -> QatConfig.of(1, 4));
        assertThrows(IllegalArgumentException.class, () -> QatConfig.of(4, 9));
        assertThrows(IllegalArgumentException.class, () -> new PactLayer("p", 4, -1));
        assertThrows(IllegalArgumentException.class, () -> QatConfig.of(4, 4).withAveragingConstant(0));
    }
}
