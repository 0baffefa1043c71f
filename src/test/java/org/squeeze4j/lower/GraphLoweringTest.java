package org.squeeze4j.lower;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.engine.IntAdd;
import org.squeeze4j.engine.IntDepthwiseConv2d;
import org.squeeze4j.engine.IntGlobalAvgPool;
import org.squeeze4j.engine.IntModel;
import org.squeeze4j.engine.IntModelFile;
import org.squeeze4j.engine.IntRunner;
import org.squeeze4j.engine.Kernels;
import org.squeeze4j.measure.Accuracy;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.NetworkView;
import org.squeeze4j.models.Networks;
import org.squeeze4j.models.ReferenceGraph;
import org.squeeze4j.quant.ptq.BatchNormFolding;
import org.squeeze4j.quant.ptq.CrossLayerEqualization;

/** The shipped residual and depthwise nets through BN folding and the one lowering: bit-exact, accurate, storable. */
class GraphLoweringTest {
    private static DatasetSplits data;
    private static INDArray calibration;
    private static INDArray test;

    @BeforeAll
    static void load() {
        data = ReferenceGraph.RESNET8.data();
        calibration = data.train().subset(500, 42).toDataSet().getFeatures();
        test = data.test().head(200).toDataSet().getFeatures();
    }

    @Test
    void foldingBatchNormKeepsTheGraphsFunction() {
        for (ReferenceGraph ref : ReferenceGraph.values()) {
            ComputationGraph net = ref.pretrained();
            ComputationGraph folded = BatchNormFolding.fold(net);
            NetworkView view = NetworkView.of(folded);
            assertTrue(view.nodes().stream().noneMatch(n -> n.kind() == LayerKind.BATCH_NORM), ref + ": no batch norm left");
            assertEquals(NetworkView.of(net).nodes().stream().filter(n -> n.kind() != LayerKind.BATCH_NORM).map(n -> n.name()).sorted()
                    .toList(), view.nodes().stream().map(n -> n.name()).sorted().toList(), ref + ": every other node keeps its name");
            INDArray a = Networks.output(net, test);
            INDArray b = Networks.output(folded, test);
            assertTrue(a.sub(b).amaxNumber().doubleValue() < 1e-4, ref + ": max |softmax difference| "
                    + a.sub(b).amaxNumber());
            assertTrue(Networks.output(net, test).equalsWithEps(a, 0), "the original graph is untouched");
        }
    }

    @Test
    void residualNetLowersBitExactly() {
        IntModel m = IntModelBuilder.build(ReferenceGraph.RESNET8.pretrained(), calibration);
        assertEquals(3, m.layers().stream().filter(l -> l instanceof IntAdd).count(), "one add per basic block");
        assertEquals(1, m.layers().stream().filter(l -> l instanceof IntGlobalAvgPool).count());
        assertFalse(m.isChain());
        assertMatchesSimulation(m);
    }

    @Test
    void depthwiseNetLowersBitExactly() {
        for (boolean perChannel : new boolean[] {true, false}) {
            IntModel m = IntModelBuilder.of(ReferenceGraph.DWNET.pretrained()).weights(8, perChannel).build(calibration);
            assertEquals(4, m.layers().stream().filter(l -> l instanceof IntDepthwiseConv2d).count());
            assertMatchesSimulation(m);
        }
    }

    private static void assertMatchesSimulation(IntModel m) {
        List<INDArray> sim = new FakeQuantSimulation(m).layerCodes(test);
        int n = (int) test.size(0);
        float[] x = test.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).ravel().toFloatVector();
        for (int threads : new int[] {1, 2}) {
            for (var kernel : List.of(Kernels.scalar(), Kernels.best())) {
                IntRunner r = m.runner(n, kernel, threads);
                r.runCodes(r.quantize(x, n), n);
                for (int i = 0; i < m.layers().size(); i++) {
                    int[] expected = sim.get(i).castTo(org.nd4j.linalg.api.buffer.DataType.INT32).ravel().toIntVector();
                    assertArrayEquals(expected, r.layerCodes(i, n), "layer " + i + " (" + m.layers().get(i).describe() + "), "
                            + kernel.name() + ", " + threads + " thread(s)");
                }
            }
        }
    }

    @Test
    void graphModelsKeepTheirAccuracyAndRoundTripThroughTheFile(@TempDir Path dir) {
        for (ReferenceGraph ref : ReferenceGraph.values()) {
            ComputationGraph net = ref.pretrained();
            IntModel m = IntModelBuilder.build(net, calibration);
            double fp32 = Accuracy.of(net, data.test().head(2000).iterator(500));
            double int8 = Accuracy.of(m, data.test().head(2000).iterator(500));
            System.out.printf("%s fp32 %.4f W8A8 %.4f (2000 test images), %d bytes%n", ref.id(), fp32, int8, m.sizeInBytes());
            assertTrue(Math.abs(fp32 - int8) <= 0.01, ref + ": W8A8 " + int8 + " vs fp32 " + fp32);
            Path f = dir.resolve(ref.id() + ".s4ji");
            IntModelFile.write(m, f);
            assertEquals(m.sizeInBytes(), f.toFile().length());
            IntModel back = IntModelFile.read(f);
            assertTrue(back.sameAs(m));
            assertEquals(3, IntModelFile.versionFor(back), "a graph needs version 3");
            assertArrayEquals(m.output(test).ravel().toFloatVector(), back.output(test).ravel().toFloatVector(), 0f);
        }
    }

    @Test
    void equalizationRaisesPerTensorInt8OnTheDepthwiseNet() {
        ComputationGraph folded = BatchNormFolding.fold(ReferenceGraph.DWNET.pretrained());
        CrossLayerEqualization.GraphResult cle = CrossLayerEqualization.equalize(folded);
        assertEquals(List.of("stem", "dw1"), cle.pairs().get(0), "the stem feeds the first depthwise layer");
        assertTrue(cle.pairs().contains(List.of("dw1", "pw1")) && cle.pairs().contains(List.of("pw1", "dw2")), cle.pairs().toString());
        assertEquals(8, cle.pairs().size(), "stem-dw1, then dwK-pwK and pwK-dw(K+1)");
        INDArray a = Networks.output(folded, test);
        INDArray b = Networks.output(cle.network(), test);
        assertTrue(a.sub(b).amaxNumber().doubleValue() < 1e-4, "equalization keeps the function: " + a.sub(b).amaxNumber());
        NetworkView view = NetworkView.of(cle.network());
        double[][] r = CrossLayerEqualization.ranges(view.node("dw1"), view.node("pw1"));
        for (int c = 0; c < r[0].length; c++) {
            assertEquals(r[0][c], r[1][c], 1e-5 * r[0][c], "channel " + c + ": both ranges equal sqrt(r1 r2)");
        }
        double before = Accuracy.of(IntModelBuilder.of(folded).weights(8, false).build(calibration), data.test().head(2000).iterator(500));
        double after = Accuracy.of(IntModelBuilder.of(cle.network()).weights(8, false).build(calibration),
                data.test().head(2000).iterator(500));
        System.out.printf("dwnet per-tensor W8A8: %.4f before CLE, %.4f after (2000 test images)%n", before, after);
        assertTrue(after > before, "CLE raises per-tensor int8 accuracy: " + before + " -> " + after);
    }

    /** input -> conv "a" -> (conv "b", conv "c") -> join -> global pool -> output; join is a merge or an add. */
    private static ComputationGraph smallGraph(boolean merge, boolean bnAfterA) {
        var g = new NeuralNetConfiguration.Builder().seed(1).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutionalFlat(8, 8, 1))
                .addLayer("a", conv(4, bnAfterA ? Activation.IDENTITY : Activation.RELU), "in");
        String a = "a";
        if (bnAfterA) {
            g.addLayer("a_bn", new BatchNormalization.Builder().build(), "a");
            a = "a_bn";
        }
        g.addLayer("b", conv(4, Activation.RELU), a).addLayer("c", conv(4, Activation.RELU), bnAfterA ? "a" : a)
                .addVertex("join", merge ? new MergeVertex() : new ElementWiseVertex(ElementWiseVertex.Op.Add), "b", "c")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "join")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build(),
                        "pool")
                .setOutputs("out");
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        return net;
    }

    private static ConvolutionLayer conv(int out, Activation activation) {
        return new ConvolutionLayer.Builder(3, 3).nOut(out).convolutionMode(ConvolutionMode.Same).activation(activation).build();
    }

    @Test
    void whatTheEngineCannotRunIsRefusedByName() {
        INDArray x = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 6, 64);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IntModelBuilder.build(smallGraph(true, false), x));
        assertTrue(e.getMessage().contains("'join' (MergeVertex)") && e.getMessage().contains("concatenates"), e.getMessage());
        // a batch norm whose convolution also feeds another branch cannot absorb the scale
        e = assertThrows(IllegalArgumentException.class, () -> BatchNormFolding.fold(smallGraph(false, true)));
        assertTrue(e.getMessage().contains("'a_bn'") && e.getMessage().contains("read elsewhere"), e.getMessage());
        // the add graph itself lowers, with the branches' ReLUs fused into their convolutions
        IntModel m = IntModelBuilder.build(smallGraph(false, false), x);
        assertEquals(1, m.layers().stream().filter(l -> l instanceof IntAdd).count());
        List<INDArray> sim = new FakeQuantSimulation(m).layerCodes(x);
        assertArrayEquals(sim.get(sim.size() - 1).castTo(org.nd4j.linalg.api.buffer.DataType.INT32).ravel().toIntVector(),
                java.util.Arrays.stream(m.outputCodes(x, Kernels.best())).flatMapToInt(java.util.Arrays::stream).toArray());
    }
}
