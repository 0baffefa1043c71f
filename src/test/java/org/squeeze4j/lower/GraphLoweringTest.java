package org.squeeze4j.lower;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
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
}
