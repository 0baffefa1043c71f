package org.squeeze4j.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.squeeze4j.models.Models;
import org.squeeze4j.models.NetworkView;

/** Weight sharing, codebook fine-tuning and the Deep Compression file on a ResNet ({@code ComputationGraph}). */
class GraphSharingTest {

    @Test
    void everyConvolutionOfAResNetIsSharedWithItsBitsAndTheFileRestoresTheGraphExactly() {
        ComputationGraph net = Models.resnet8(1, 1e-3, 4);
        SharedWeights shared = WeightSharing.builder().convBits(4).denseBits(3).build().apply(net);
        NetworkView view = NetworkView.of(net);
        assertEquals(view.weightedNames(), java.util.List.copyOf(shared.layers().keySet()));
        assertTrue(shared.layers().containsKey("b2_proj"), "projection shortcuts are shared too");
        for (String name : view.weightedNames()) {
            int bits = view.weightedNode(name).kind().convolutional() ? 4 : 3;
            long distinct = Arrays.stream(view.weightedNode(name).weight().dup('c').reshape(-1).toDoubleVector())
                    .filter(x -> x != 0).distinct().count();
            assertTrue(distinct <= (1 << bits) - 1, name + ": " + distinct + " values at " + bits + " bits");
            assertEquals(shared.layer(name).weights().castTo(DataType.FLOAT), view.weightedNode(name).weight().dup('c'));
        }

        CompressedModel compressed = CompressedModel.of("resnet8", net, shared);
        CompressedModel back = CompressedModel.fromBytes(compressed.toBytes(), "test");
        ComputationGraph decoded = Models.resnet8(9, 1e-3, 4);                  // other random weights
        back.applyTo(decoded);
        assertEquals(net.params(), decoded.params());                            // batch norm statistics included
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 784);
        assertEquals(net.outputSingle(false, x), decoded.outputSingle(false, x));
        assertEquals(compressed.toBytes().length, compressed.summary().fileBytes());
        assertTrue(compressed.summary().fileBytes() < compressed.summary().denseBytes() / 3,
                compressed.summary().fileBytes() + " of " + compressed.summary().denseBytes() + " bytes");
    }

    @Test
    void codebookFineTuningOnAGraphMovesEachCentroidByTheSumOfItsWeightsGradients() {
        ComputationGraph net = Models.resnet8(2, 1e-3, 2);
        SharedWeights shared = WeightSharing.builder().layers("b1_conv1").convBits(2).build().apply(net);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 8, 10);
        for (int i = 0; i < 8; i++) {
            labels.putScalar(i, i % 10, 1f);
        }
        DataSet ds = new DataSet(Nd4j.rand(DataType.FLOAT, 8, 784), labels);
        ComputationGraph reference = net.clone();
        reference.setInputs(ds.getFeatures());
        reference.setLabels(ds.getLabels());
        reference.computeGradientAndScore();
        float[] g = reference.gradient().getGradientFor("b1_conv1_W").dup('c').reshape(-1).toFloatVector();
        SharedLayer before = shared.layer("b1_conv1");
        double[] expected = new double[before.codebook().size()];
        for (int k = 1; k <= expected.length; k++) {
            double sum = 0;
            for (int p = 0; p < g.length; p++) {
                sum += before.symbols()[p] == k ? g[p] : 0;
            }
            expected[k - 1] = before.codebook().centroids()[k - 1] - 0.5 * sum;   // one SGD step, lr 0.5
        }
        CodebookFineTuning tuning = new CodebookFineTuning(shared, new Sgd(0.5));
        net.setListeners(tuning);
        net.fit(ds);
        SharedLayer after = tuning.shared().layer("b1_conv1");
        double[] tuned = new double[expected.length];
        for (int p = 0; p < before.symbols().length; p++) {
            tuned[before.symbols()[p] - 1] = after.codebook().value(after.symbols()[p]);   // no zeros: nothing is pruned
        }
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], tuned[k], 1e-5 + 1e-4 * Math.abs(expected[k]), "centroid " + k);
        }
        assertEquals(after.weights().castTo(DataType.FLOAT), net.getLayer("b1_conv1").getParam("W").dup('c'));
    }
}
