package org.squeeze4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.lowrank.LowRank;
import org.squeeze4j.prune.StructuredPruning;
import org.squeeze4j.prune.UnitImportance;
import org.squeeze4j.prune.UnitMasks;
import org.squeeze4j.prune.UnitSurgery;

/**
 * Depthwise convolutions extend DL4J's ConvolutionLayer with another weight layout
 * ({@code [kH, kW, nIn, multiplier]}): techniques that read axis 0 as the output channel must
 * refuse them by name instead of silently computing on the wrong axis.
 */
class DepthwiseRefusalsTest {
    private static MultiLayerNetwork convThenDepthwise(boolean batchNormBetween) {
        var list = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv").nOut(4).activation(Activation.RELU).build());
        if (batchNormBetween) {
            list.layer(new BatchNormalization.Builder().name("bn").build());
        }
        list.layer(new DepthwiseConvolution2D.Builder(3, 3).name("dw").depthMultiplier(1).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder().name("out").nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 1));
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return net;
    }

    @Test
    void lowRankRefusesADepthwiseLayer() {
        MultiLayerNetwork net = convThenDepthwise(false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LowRank.factorize(net, Map.of("dw", 1)));
        assertTrue(e.getMessage().contains("'dw' (DepthwiseConvolution2D)"), e.getMessage());
        assertEquals(4 * 9, LowRank.matrix(net, "conv").length(), "the plain convolution still factorises");
    }

    @Test
    void unitSurgeryRefusesToShrinkTheInputOfADepthwiseLayer() {
        MultiLayerNetwork net = convThenDepthwise(false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UnitSurgery.keepUnits(net, "conv", new int[]{0, 1}));
        assertTrue(e.getMessage().contains("'dw' (DepthwiseConvolution2D)"), e.getMessage());
    }

    @Test
    void unitSurgeryRefusesBatchNormBetweenLayers() {
        MultiLayerNetwork net = convThenDepthwise(true);
        INDArray before = net.params().dup();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UnitSurgery.keepUnits(net, "conv", new int[]{0, 1}));
        assertTrue(e.getMessage().contains("'bn' (BatchNormalization)"), e.getMessage());
        assertEquals(before, net.params());
    }

    @Test
    void theDepthwiseOutputAxisComesFromTheView() {
        MultiLayerNetwork net = convThenDepthwise(false);
        assertEquals(2, LayerNode.outputAxisOf(net.getLayer(1).conf().getLayer()));
        assertEquals(0, LayerNode.outputAxisOf(net.getLayer(0).conf().getLayer()));
        assertEquals(1, LayerNode.outputAxisOf(net.getLayer(2).conf().getLayer()));
    }

    @Test
    void unitScoresAndMasksRefuseADepthwiseLayerInsteadOfReadingItsKernelRows() {
        MultiLayerNetwork net = convThenDepthwise(false);
        INDArray before = net.params().dup();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UnitImportance.l1Norm().scores(net, "dw"));
        assertTrue(e.getMessage().contains("'dw' (DepthwiseConvolution2D)") && e.getMessage().contains("ChannelPruning"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> UnitMasks.zeroUnit(net, "dw", 0));
        assertThrows(IllegalArgumentException.class, () -> StructuredPruning.units(net, "dw"));
        assertEquals(before, net.params());
        assertEquals(4, StructuredPruning.units(net, "conv"));
    }
}
