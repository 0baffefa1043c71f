package org.squeeze4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.squeeze4j.models.Models;

/** Folding a linear hidden layer into its successor: W' = W1 W2, b' = b1 W2 + b2; ReLU layers are refused. */
class LayerRemovalTest {

    /** 2 -> lin (2, identity) -> fc (3, relu) -> out (2, softmax). */
    private static MultiLayerNetwork tiny() {
        var conf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new DenseLayer.Builder().name("lin").nIn(2).nOut(2).activation(Activation.IDENTITY).build())
                .layer(new DenseLayer.Builder().name("fc").nIn(2).nOut(3).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(3).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.getLayer(0).setParam("W", Nd4j.create(new float[][] {{1, 2}, {3, 4}}));
        net.getLayer(0).setParam("b", Nd4j.create(new float[][] {{1, -1}}));
        net.getLayer(1).setParam("W", Nd4j.create(new float[][] {{1, 0, 2}, {0, 1, -1}}));
        net.getLayer(1).setParam("b", Nd4j.create(new float[][] {{0.5f, 0, 0}}));
        return net;
    }

    @Test
    void foldsALinearLayerExactly() {
        MultiLayerNetwork net = tiny();
        INDArray before = net.params().dup();
        MultiLayerNetwork folded = LayerRemoval.removeDenseLayer(net, "lin");
        assertEquals(before, net.params(), "the original is not modified");
        assertEquals(2, folded.getnLayers());
        assertEquals("fc", folded.getLayer(0).conf().getLayer().getLayerName());
        // W1 W2 = [[1,2],[3,4]] [[1,0,2],[0,1,-1]] = [[1,2,0],[3,4,2]]
        assertEquals(Nd4j.create(new float[][] {{1, 2, 0}, {3, 4, 2}}), folded.getLayer(0).getParam("W"));
        // b1 W2 + b2 = [1,-1] W2 + [0.5,0,0] = [1,-1,3] + [0.5,0,0]
        assertEquals(Nd4j.create(new float[][] {{1.5f, -1, 3}}), folded.getLayer(0).getParam("b").reshape(1, 3));
        assertEquals(net.getLayer(2).getParam("W"), folded.getLayer(1).getParam("W"));
        assertEquals(net.params().length() - (4 + 2 + 6 + 3) + (6 + 3), folded.params().length());

        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 2).subi(0.5).muli(4);
        INDArray expected = net.output(x);
        INDArray actual = folded.output(x);
        assertTrue(expected.equalsWithEps(actual, 1e-5), expected + "\n" + actual);
    }

    @Test
    void foldsIntoTheOutputLayer() {
        var conf = new NeuralNetConfiguration.Builder().seed(2).list()
                .layer(new DenseLayer.Builder().name("bottleneck").nIn(784).nOut(16).activation(Activation.IDENTITY).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(16).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        MultiLayerNetwork folded = LayerRemoval.removeDenseLayer(net, "bottleneck");
        assertEquals(1, folded.getnLayers());
        assertEquals(784 * 10 + 10, folded.numParams());
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 784);
        assertTrue(net.output(x).equalsWithEps(folded.output(x), 1e-5));
    }

    @Test
    void refusesNonLinearAndOutputLayersAndLeavesTheNetworkUnchanged() {
        MultiLayerNetwork net = Models.mlp(3, 1e-3, 16, 16);
        INDArray params = net.params().dup();
        IllegalArgumentException relu = assertThrows(IllegalArgumentException.class, () -> LayerRemoval.removeDenseLayer(net, "fc1"));
        assertTrue(relu.getMessage().contains("identity") && relu.getMessage().contains("fc1"), relu.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LayerRemoval.removeDenseLayer(net, "fc3"));
        assertThrows(IllegalArgumentException.class, () -> LayerRemoval.removeDenseLayer(net, "nope"));
        assertEquals(params, net.params());
        assertEquals(3, net.getnLayers());
    }
}
