package org.squeeze4j.prune.structured;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.squeeze4j.measure.ModelMeasure;
import org.squeeze4j.models.LayerKind;
import org.squeeze4j.models.LayerNode;
import org.squeeze4j.models.Models;
import org.squeeze4j.models.NetworkView;
import org.squeeze4j.prune.UnitSurgery;

/** Dependency groups of residual, depthwise and plain networks; removal equals masking; refusals. */
class ChannelPruningTest {

    /** Batch norm with non-trivial running statistics, so that folding and masking are really exercised. */
    private static <M extends Model> M withRandomBatchNorm(M net, long seed) {
        Nd4j.getRandom().setSeed(seed);
        for (LayerNode n : NetworkView.of(net).nodes()) {
            if (n.kind() == LayerKind.BATCH_NORM) {
                Map<String, INDArray> p = n.layer().paramTable();
                p.get("gamma").assign(Nd4j.rand(DataType.FLOAT, p.get("gamma").shape()).addi(0.5));
                p.get("beta").assign(Nd4j.randn(DataType.FLOAT, p.get("beta").shape()).muli(0.3));
                p.get("mean").assign(Nd4j.randn(DataType.FLOAT, p.get("mean").shape()).muli(0.2));
                INDArray var = Nd4j.rand(DataType.FLOAT, p.get("mean").shape()).addi(0.3);
                p.get("log10stdev").assign(org.nd4j.linalg.ops.transforms.Transforms.log(var, 10.0, true).muli(0.5));
            }
        }
        return net;
    }

    private static INDArray images(long seed, int n) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, n, 784);
    }

    private static Map<String, ChannelGroup> byName(ChannelGroups groups) {
        return groups.all().stream().collect(Collectors.toMap(ChannelGroup::name, g -> g));
    }

    @Test
    void aResNetsGroupsTieEachAddsInputsAndTheIdentityShortcutToTheStem() {
        ChannelGroups groups = ChannelGroups.of(Models.resnet8(1, 1e-3, 4));
        Map<String, ChannelGroup> g = byName(groups);
        // named after their first producer in DL4J's topological order, which visits a projection before conv1
        assertEquals(List.of("stem", "b1_conv1", "b2_proj", "b2_conv1", "b3_conv1", "b3_proj", "fc"),
                groups.all().stream().map(ChannelGroup::name).toList());
        ChannelGroup stem = g.get("stem");
        assertEquals(List.of("stem", "b1_conv2"), stem.producers());
        assertEquals(List.of("stem_bn", "b1_bn2"), stem.carriers());
        assertEquals(List.of("b1_add"), stem.joins());
        assertEquals(List.of("b1_conv1", "b2_proj", "b2_conv1"), stem.readers().stream().map(ChannelGroup.Reader::layer).toList());
        assertEquals(4, stem.channels());
        assertEquals(java.util.Set.of("b2_conv2", "b2_proj"), java.util.Set.copyOf(g.get("b2_proj").producers()));
        assertEquals(java.util.Set.of("b3_conv2", "b3_proj"), java.util.Set.copyOf(g.get("b3_proj").producers()));
        assertEquals(List.of(new ChannelGroup.Reader("fc", 1)), g.get("b3_proj").readers());
        assertFalse(g.get("b1_conv1").coupled());
        assertEquals(List.of("b1_conv2"), g.get("b1_conv1").readers().stream().map(ChannelGroup.Reader::layer).toList());
        assertFalse(g.get("fc").prunable());
        assertTrue(g.get("fc").refusal().contains("network output 'fc'"), g.get("fc").refusal());
        assertEquals(6, groups.prunable().size());
        assertEquals(stem, groups.of("b1_bn2"));
    }

    @Test
    void removingAResNetsChannelsGivesTheMaskedNetworksOutputsWithFewerMacs() {
        ComputationGraph net = withRandomBatchNorm(Models.resnet8(2, 1e-3, 8), 3);
        ChannelPlan plan = ChannelPlan.uniform(ChannelGroups.of(net), GroupImportance.foldedL1(), 0.5);
        assertEquals(6, plan.cuts().size());
        ComputationGraph masked = ChannelPruning.mask(net, plan);
        ComputationGraph smaller = ChannelPruning.remove(net, plan);
        INDArray x = images(4, 16);
        INDArray expected = masked.outputSingle(x);
        assertTrue(expected.sub(net.outputSingle(x)).amaxNumber().doubleValue() > 1e-3, "masking must change the network");
        assertEquals(0, expected.sub(smaller.outputSingle(x)).amaxNumber().doubleValue(), 1e-5);
        // every width halves: 8 -> 4, 16 -> 8, 32 -> 16
        assertEquals(4, NetworkView.of(smaller).node("stem").outputChannels());
        assertEquals(8, NetworkView.of(smaller).node("b2_proj").outputChannels());
        assertEquals(16, NetworkView.of(smaller).node("b3_conv2").outputChannels());
        long before = ModelMeasure.of("dense", net).macs();
        long after = ModelMeasure.of("pruned", smaller).macs();
        assertTrue(after < 0.3 * before, before + " -> " + after + " MACs");
        // the original is untouched, and the smaller graph trains (its configuration is consistent)
        assertEquals(8, NetworkView.of(net).node("stem").outputChannels());
        INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 10);
        for (int i = 0; i < 16; i++) {
            y.putScalar(i, i % 10, 1);
        }
        smaller.fit(new DataSet(x, y));
        assertTrue(Double.isFinite(smaller.score()));
    }

    @Test
    void aDepthwiseNetsGroupsRunThroughTheDepthwiseLayersAndRemovalEqualsMasking() {
        ComputationGraph net = withRandomBatchNorm(Models.depthwiseNet(5, 1e-3, 4), 6);
        ChannelGroups groups = ChannelGroups.of(net);
        ChannelGroup stem = groups.of("stem");
        assertEquals(List.of("stem_bn", "dw1", "dw1_bn"), stem.carriers());
        assertEquals(List.of("pw1"), stem.readers().stream().map(ChannelGroup.Reader::layer).toList());
        assertEquals(stem, groups.of("dw1"));
        ChannelPlan plan = ChannelPlan.uniform(groups, GroupImportance.foldedL1(), 0.25);
        INDArray x = images(7, 8);
        assertEquals(0, ChannelPruning.mask(net, plan).outputSingle(x).sub(ChannelPruning.remove(net, plan).outputSingle(x))
                .amaxNumber().doubleValue(), 1e-5);
    }

    @Test
    void onAChainTheGroupsAreTheLayersAndRemovalMatchesUnitSurgery() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(8).dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("c1").nOut(6).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().name("d1").nOut(5).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(10, 10, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        ChannelGroups groups = ChannelGroups.of(net);
        assertEquals(List.of(new ChannelGroup.Reader("d1", 16)), groups.of("c1").readers());   // 4x4 map per channel
        int[] keep = {0, 2, 5};
        MultiLayerNetwork viaGroups = ChannelPruning.remove(net, ChannelPlan.layer(groups, "c1", keep));
        MultiLayerNetwork viaSurgery = UnitSurgery.keepUnits(net, "c1", keep);
        assertEquals(viaSurgery.params(), viaGroups.params());
        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 100);
        assertEquals(0, ChannelPruning.mask(net, ChannelPlan.layer(groups, "c1", keep)).output(x).sub(viaGroups.output(x))
                .amaxNumber().doubleValue(), 1e-6);
    }

    @Test
    void foldedL1IsTheFilterNormTimesTheBatchNormScaleSummedOverTheGroup() {
        ComputationGraph net = withRandomBatchNorm(Models.resnet8(10, 1e-3, 4), 11);
        NetworkView view = NetworkView.of(net);
        ChannelGroup stem = ChannelGroups.of(view).of("stem");
        double[] scores = GroupImportance.foldedL1().scores(view, stem);
        double[] byHand = new double[4];
        for (String[] convBn : new String[][] {{"stem", "stem_bn"}, {"b1_conv2", "b1_bn2"}}) {
            INDArray w = net.getLayer(convBn[0]).getParam("W");          // [out, in, kH, kW]
            var bn = net.getLayer(convBn[1]).paramTable();
            for (int c = 0; c < 4; c++) {
                double l1 = 0;
                for (int i = 0; i < w.size(1); i++) {
                    for (int kh = 0; kh < 3; kh++) {
                        for (int kw = 0; kw < 3; kw++) {
                            l1 += Math.abs(w.getDouble(c, i, kh, kw));
                        }
                    }
                }
                double std = Math.pow(10, bn.get("log10stdev").getDouble(c));
                double k = bn.get("gamma").getDouble(c) / Math.sqrt(std * std + 1e-5);
                byHand[c] += Math.abs(k) * l1;
            }
        }
        assertArrayEquals(byHand, scores, 1e-4);
        double[] raw = GroupImportance.l1().scores(view, stem);
        assertFalse(java.util.Arrays.equals(raw, scores));
        double[] gamma = GroupImportance.batchNormGamma().scores(view, stem);
        for (int c = 0; c < 4; c++) {
            assertEquals(Math.abs(net.getLayer("stem_bn").getParam("gamma").getDouble(c))
                    + Math.abs(net.getLayer("b1_bn2").getParam("gamma").getDouble(c)), gamma[c], 1e-6);
        }
    }

    @Test
    void pruningOneSideOfAShortcutIsRefusedNamingTheGroup() {
        ChannelGroups groups = ChannelGroups.of(Models.resnet8(1, 1e-3, 4));
        var e = assertThrows(IllegalArgumentException.class, () -> ChannelPlan.layer(groups, "b1_conv2", new int[] {0, 1}));
        assertTrue(e.getMessage().contains("break the shortcut b1_add") && e.getMessage().contains("stem + b1_conv2"), e.getMessage());
        assertEquals(1, ChannelPlan.group(groups, "b1_conv2", new int[] {0, 1}).cuts().size());
        var carrier = assertThrows(IllegalArgumentException.class, () -> ChannelPlan.layer(groups, "stem_bn", new int[] {0}));
        assertTrue(carrier.getMessage().contains("carries"), carrier.getMessage());
        var output = assertThrows(IllegalArgumentException.class, () -> ChannelPlan.group(groups, "fc", new int[] {0}));
        assertTrue(output.getMessage().contains("network output"), output.getMessage());
        var none = assertThrows(IllegalArgumentException.class, () -> ChannelPlan.group(groups, "stem", new int[0]));
        assertTrue(none.getMessage().contains("disconnect"), none.getMessage());
        var range = assertThrows(IllegalArgumentException.class, () -> ChannelPlan.group(groups, "stem", new int[] {1, 4}));
        assertTrue(range.getMessage().contains("[0, 4)"), range.getMessage());
        var pool = assertThrows(IllegalArgumentException.class, () -> groups.of("pool"));
        assertTrue(pool.getMessage().contains("neither produces nor carries"), pool.getMessage());
        ComputationGraph other = Models.resnet8(2, 1e-3, 4);
        var foreign = assertThrows(IllegalArgumentException.class,
                () -> ChannelPruning.remove(other, ChannelPlan.group(groups, "stem", new int[] {0})));
        assertTrue(foreign.getMessage().contains("another network"), foreign.getMessage());
    }

    @Test
    void concatenatedAndSigmoidChannelsAreRefusedWithTheReason() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(6, 6, 2))
                .addLayer("a", conv(3, Activation.RELU), "in")
                .addLayer("b", conv(3, Activation.RELU), "in")
                .addVertex("cat", new MergeVertex(), "a", "b")
                .addLayer("c", conv(4, Activation.SIGMOID), "cat")
                .addLayer("d", conv(4, Activation.RELU), "c")
                .addLayer("bn", new BatchNormalization.Builder().build(), "d")
                .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "bn", "in2")
                .addLayer("in2", conv(4, Activation.IDENTITY), "in")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "sum")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        ChannelGroups groups = ChannelGroups.of(net);
        assertTrue(groups.of("a").refusal().contains("concatenated by 'cat' (MergeVertex)"), groups.of("a").refusal());
        assertTrue(groups.of("c").refusal().contains("maps 0 to 0.5"), groups.of("c").refusal());
        ChannelGroup sum = groups.of("d");
        assertEquals(java.util.Set.of("d", "in2"), java.util.Set.copyOf(sum.producers()));
        assertTrue(sum.prunable(), sum.refusal());
        var e = assertThrows(IllegalArgumentException.class, () -> ChannelPlan.group(groups, "a", new int[] {0}));
        assertTrue(e.getMessage().startsWith("channels of a cannot be removed"), e.getMessage());
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 2, 6, 6);
        ChannelPlan plan = ChannelPlan.group(groups, "in2", new int[] {1, 3});
        assertEquals(0, ChannelPruning.mask(net, plan).outputSingle(x).sub(ChannelPruning.remove(net, plan).outputSingle(x))
                .amaxNumber().doubleValue(), 1e-6);
    }

    /**
     * A channel whose filter is zero outputs the constant ReLU(beta - k mu) of its batch norm:
     * plain removal loses that constant, mean replacement moves it into the reader exactly
     * (the reader is 1x1, so no zero-padded border spoils it), into a bias or a batch norm's mean.
     */
    @Test
    void meanReplacementRemovesAConstantChannelExactly() {
        for (boolean readerHasBias : new boolean[] {false, true}) {
            ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                    .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(6, 6, 2))
                    .addLayer("a", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same).hasBias(false)
                            .activation(Activation.IDENTITY).build(), "in")
                    .addLayer("a_bn", new BatchNormalization.Builder().build(), "a")
                    .addLayer("a_relu", new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder().activation(Activation.RELU).build(), "a_bn")
                    .addLayer("b", new ConvolutionLayer.Builder(1, 1).nOut(3).hasBias(readerHasBias)
                            .activation(readerHasBias ? Activation.RELU : Activation.IDENTITY).build(), "a_relu");
            String last = "b";
            if (!readerHasBias) {
                b.addLayer("b_bn", new BatchNormalization.Builder().build(), "b");
                last = "b_bn";
            }
            ComputationGraph net = new ComputationGraph(b
                    .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), last)
                    .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build(), "pool")
                    .setOutputs("out").build());
            net.init();
            withRandomBatchNorm(net, 4);
            INDArray w = net.getLayer("a").getParam("W");
            w.get(org.nd4j.linalg.indexing.NDArrayIndex.point(2)).assign(0);
            net.getLayer("a_bn").getParam("beta").putScalar(2, 0.7);
            if (readerHasBias) {
                net.getLayer("b").getParam("b").assign(Nd4j.randn(DataType.FLOAT, 1, 3));
            }
            Nd4j.getRandom().setSeed(5);
            INDArray x = Nd4j.rand(DataType.FLOAT, 5, 2, 6, 6);
            ChannelPlan plan = ChannelPlan.group(ChannelGroups.of(net), "a", new int[] {0, 1, 3});
            INDArray expected = net.outputSingle(x);
            double plain = expected.sub(ChannelPruning.remove(net, plan).outputSingle(x)).amaxNumber().doubleValue();
            double replaced = expected.sub(ChannelPruning.remove(net, plan, x).outputSingle(x)).amaxNumber().doubleValue();
            double masked = expected.sub(ChannelPruning.mask(net, plan, x).outputSingle(x)).amaxNumber().doubleValue();
            assertTrue(plain > 1e-3, "plain removal should lose the constant, differs by " + plain);
            assertEquals(0, replaced, 1e-5, "reader has bias: " + readerHasBias);
            assertEquals(0, masked, 1e-5);
        }
    }

    @Test
    void meanReplacementNeedsSamplesAndATarget() {
        ComputationGraph net = Models.resnet8(1, 1e-3, 4);
        ChannelPlan plan = ChannelPlan.group(ChannelGroups.of(net), "b1_conv1", new int[] {0, 1});
        var empty = assertThrows(IllegalArgumentException.class, () -> ChannelPruning.remove(net, plan, Nd4j.zeros(DataType.FLOAT, 0, 784)));
        assertTrue(empty.getMessage().contains("non-empty sample"), empty.getMessage());
        ComputationGraph noTarget = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT)
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(6, 6, 2))
                .addLayer("a", conv(4, Activation.RELU), "in")
                .addLayer("b", new ConvolutionLayer.Builder(3, 3).nOut(3).convolutionMode(ConvolutionMode.Same).hasBias(false)
                        .activation(Activation.RELU).build(), "a")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "b")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out").build());
        noTarget.init();
        ChannelPlan cut = ChannelPlan.group(ChannelGroups.of(noTarget), "a", new int[] {0, 1});
        var e = assertThrows(IllegalArgumentException.class, () -> ChannelPruning.remove(noTarget, cut, Nd4j.rand(DataType.FLOAT, 2, 2, 6, 6)));
        assertTrue(e.getMessage().contains("in 'b' (ConvolutionLayer): it has no bias"), e.getMessage());
        ChannelPruning.remove(noTarget, cut);   // plain removal needs no target
    }

    private static ConvolutionLayer conv(int out, Activation a) {
        return new ConvolutionLayer.Builder(3, 3).nOut(out).convolutionMode(ConvolutionMode.Same).activation(a).build();
    }

    @Test
    void aPlanIsAPreview() {
        ComputationGraph net = Models.resnet8(3, 1e-3, 4);
        INDArray before = net.params().dup();
        ChannelPlan plan = ChannelPlan.uniform(ChannelGroups.of(net), GroupImportance.random(1), 0.5);
        assertEquals(2 + 2 + 4 + 4 + 8 + 8, plan.removedChannels());
        ChannelPruning.mask(net, plan);
        ChannelPruning.remove(net, plan);
        assertEquals(before, net.params());
        assertThrows(IllegalArgumentException.class, () -> ChannelPlan.uniform(ChannelGroups.of(net), GroupImportance.l1(), 1.0));
        ChannelPlan nothing = ChannelPlan.uniform(ChannelGroups.of(net), GroupImportance.l1(), 0.0);
        assertEquals(0, nothing.cuts().size());
        INDArray x = images(1, 4);
        assertTrue(ChannelPruning.remove(net, nothing, x) != net && ChannelPruning.mask(net, nothing, x) != net);
    }
}
