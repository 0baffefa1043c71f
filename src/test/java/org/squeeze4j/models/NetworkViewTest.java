package org.squeeze4j.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class NetworkViewTest {

    @Test
    void chainOfTheCaffeLeNet() {
        MultiLayerNetwork net = Models.lenet5Caffe(1, 1e-3);
        NetworkView view = NetworkView.of(net);
        assertEquals(List.of("conv1", "pool1", "conv2", "pool2", "fc1", "fc2"), view.nodes().stream().map(LayerNode::name).toList());
        assertEquals(List.of(LayerKind.CONV, LayerKind.POOL, LayerKind.CONV, LayerKind.POOL, LayerKind.DENSE, LayerKind.OUTPUT),
                view.nodes().stream().map(LayerNode::kind).toList());
        assertEquals(List.of("conv1", "conv2", "fc1", "fc2"), view.weightedNames());
        assertEquals(List.of(NetworkView.INPUT), view.node("conv1").inputs());
        assertEquals(List.of("pool2"), view.node("fc1").inputs());
        assertEquals(List.of("fc2"), view.outputs());
        assertEquals(0, view.node("conv2").outputAxis());
        assertEquals(1, view.node("fc1").outputAxis());
        assertEquals(List.of(20L, 50L, 500L, 10L), view.weighted().stream().map(LayerNode::outputChannels).toList());
        assertTrue(view.node("fc1").preprocessor() instanceof CnnToFeedForwardPreProcessor);
        assertEquals(4, view.node("fc1").index());
        assertTrue(!view.isGraph());
    }

    @Test
    void weightViewsAreLive() {
        MultiLayerNetwork net = Models.lenet300100(1, 1e-3);
        LayerNode fc2 = NetworkView.of(net).node("fc2");
        fc2.weight().putScalar(3, 7, 42.0);
        assertEquals(42.0, net.getLayer(1).getParam("W").getDouble(3, 7), 0.0);
        net.setParams(net.params().mul(0));
        assertEquals(0.0, fc2.weight().getDouble(3, 7), 0.0, "read from the layer at each call");
        assertNotNull(fc2.bias());
    }

    @Test
    void residualGraphWithProjectionShortcuts() {
        ComputationGraph g = Models.resnet8(1, 1e-3, 4);
        NetworkView view = NetworkView.of(g);
        assertTrue(view.isGraph());
        assertEquals(List.of("input"), view.inputs());
        assertEquals(List.of("fc"), view.outputs());
        assertEquals(LayerKind.ADD, view.node("b1_add").kind());
        assertEquals(List.of("b1_bn2", "stem_relu"), view.node("b1_add").inputs());
        assertEquals(List.of("b2_bn2", "b2_proj_bn"), view.node("b2_add").inputs());
        assertEquals(List.of("b1_conv1", "b1_add"), view.consumers("stem_relu").stream().map(LayerNode::name).toList());
        assertEquals(java.util.Set.of("stem", "b1_conv1", "b1_conv2", "b2_conv1", "b2_conv2", "b2_proj", "b3_conv1", "b3_conv2",
                "b3_proj", "fc"), java.util.Set.copyOf(view.weightedNames()));
        assertEquals(10, view.weightedNames().size());
        assertEquals(LayerKind.BATCH_NORM, view.node("stem_bn").kind());
        assertEquals(LayerKind.ACTIVATION, view.node("b3_relu").kind());
        assertEquals(LayerKind.GLOBAL_POOL, view.node("pool").kind());
        assertNull(view.node("stem").bias(), "the convolutions are bias-free; batch norm carries the shift");
        assertEquals(16L, view.node("b3_proj").outputChannels());
        for (int i = 0; i < view.nodes().size(); i++) {
            LayerNode n = view.nodes().get(i);
            assertEquals(i, n.index());
            for (String in : n.inputs()) {
                assertTrue(view.inputs().contains(in) || view.node(in).index() < i, n.name() + " reads " + in + " before it is computed");
            }
        }
        assertArrayEquals(new long[] {2, 10}, g.outputSingle(Nd4j.rand(DataType.FLOAT, 2, 784)).shape());
    }

    @Test
    void depthwiseWeightsAndTheirOutputAxis() {
        NetworkView view = NetworkView.of(Models.depthwiseNet(1, 1e-3, 4));
        LayerNode dw = view.node("dw1");
        assertEquals(LayerKind.DEPTHWISE, dw.kind());
        assertArrayEquals(new long[] {3, 3, 4, 1}, dw.weight().shape());
        assertEquals(2, dw.outputAxis());
        assertEquals(4L, dw.outputChannels());
        assertEquals(LayerKind.CONV, view.node("pw1").kind());
        assertEquals(8L, view.node("pw1").outputChannels());
        assertTrue(dw.kind().convolutional() && !LayerKind.BATCH_NORM.convolutional());
    }

    @Test
    void separableConvolutionHasNoSingleOutputAxis() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new SeparableConvolution2D.Builder(3, 3).name("sep").nOut(6).build())
                .layer(new OutputLayer.Builder().name("out").nOut(3).build())
                .setInputType(InputType.convolutional(8, 8, 2)).build());
        net.init();
        LayerNode sep = NetworkView.of(net).node("sep");
        assertEquals(LayerKind.SEPARABLE, sep.kind());
        assertEquals(6L, sep.outputChannels());
        assertArrayEquals(new long[] {6, 2, 1, 1}, sep.pointwiseWeight().shape());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, sep::outputAxis);
        assertTrue(e.getMessage().contains("pointwiseWeight"), e.getMessage());
    }

    @Test
    void unsupportedLayersAndVerticesAreNamed() {
        MultiLayerNetwork rnn = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new LSTM.Builder().name("lstm1").nIn(3).nOut(4).build())
                .layer(new org.deeplearning4j.nn.conf.layers.RnnOutputLayer.Builder().name("out").nIn(4).nOut(2).build())
                .build());
        rnn.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkView.of(rnn));
        assertTrue(e.getMessage().contains("'lstm1'") && e.getMessage().contains("LSTM"), e.getMessage());

        ComputationGraph product = graphWith(new ElementWiseVertex(ElementWiseVertex.Op.Product));
        e = assertThrows(IllegalArgumentException.class, () -> NetworkView.of(product));
        assertTrue(e.getMessage().contains("'join'") && e.getMessage().contains("Product"), e.getMessage());

        ComputationGraph scale = new ComputationGraph(new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("a", new DenseLayer.Builder().nIn(3).nOut(3).build(), "in")
                .addVertex("half", new ScaleVertex(0.5), "a")
                .addLayer("out", new OutputLayer.Builder().nIn(3).nOut(2).build(), "half")
                .setOutputs("out").build());
        scale.init();
        e = assertThrows(IllegalArgumentException.class, () -> NetworkView.of(scale));
        assertTrue(e.getMessage().contains("'half'") && e.getMessage().contains("ScaleVertex"), e.getMessage());
    }

    @Test
    void unknownNamesListWhatExists() {
        NetworkView view = NetworkView.of(Models.lenet300100(1, 1e-3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> view.node("fc9"));
        assertTrue(e.getMessage().contains("[fc1, fc2, fc3]"), e.getMessage());
        NetworkView cnn = NetworkView.of(Models.lenet5(1, 1e-3));
        e = assertThrows(IllegalArgumentException.class, () -> cnn.weightedNode("pool1"));
        assertTrue(e.getMessage().contains("has no weights") && e.getMessage().contains("conv1"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> cnn.node("pool1").weight());
    }

    private static ComputationGraph graphWith(ElementWiseVertex join) {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("a", new DenseLayer.Builder().nIn(3).nOut(3).build(), "in")
                .addLayer("b", new DenseLayer.Builder().nIn(3).nOut(3).build(), "in")
                .addVertex("join", join, "a", "b")
                .addLayer("out", new OutputLayer.Builder().nIn(3).nOut(2).build(), "join")
                .setOutputs("out").build());
        g.init();
        return g;
    }
}
