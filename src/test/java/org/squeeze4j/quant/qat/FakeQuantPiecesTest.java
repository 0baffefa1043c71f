package org.squeeze4j.quant.qat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.squeeze4j.quant.QParams;
import org.squeeze4j.quant.QuantSpec;
import org.squeeze4j.quant.Quantizer;
import org.squeeze4j.quant.Range;

/** The fake-quant ops, the weight hook and the activation against hand-computed and reference values. */
class FakeQuantPiecesTest {

    @Test
    void perTensorMatchesTheFloat64Reference() {
        INDArray x = Nd4j.linspace(-3.3, 7.1, 1001, DataType.DOUBLE).reshape(7, 143);
        QParams p = QParams.fromRange(QuantSpec.affine(4, false), -1.0, 5.0);
        INDArray ref = Quantizer.fakeQuantize(x, p, QuantSpec.affine(4, false));
        INDArray got = FakeQuant.perTensorInPlace(x.dup(), p.scale(), p.zeroPoint(), 0, 15);
        assertEquals(ref, got);
        assertEquals(16, got.dup().data().asDouble().length > 0 ? java.util.Arrays.stream(got.dup().data().asDouble()).distinct().count() : 0);
    }

    @Test
    void perChannelWeightsMatchALoop() {
        Nd4j.getRandom().setSeed(3);
        INDArray w = Nd4j.randn(DataType.DOUBLE, 9, 4).muli(0.1);
        FakeQuantWeightNoise n = new FakeQuantWeightNoise(3, true, WeightRange.MAX_ABS);
        double[] s = n.scales(w, 1);
        INDArray fq = n.fakeQuantize(w, 1);
        for (int o = 0; o < 4; o++) {
            double max = 0;
            for (int i = 0; i < 9; i++) {
                max = Math.max(max, Math.abs(w.getDouble(i, o)));
            }
            double so = (float) (max / 3);                       // qmax = 2^(3-1) - 1 = 3
            assertEquals(so, s[o], 0.0);
            for (int i = 0; i < 9; i++) {
                double q = Math.max(-3, Math.min(3, Math.rint(w.getDouble(i, o) / so)));
                assertEquals(q * so, fq.getDouble(i, o), 1e-15);
            }
        }
        // ACIQ: t = 2.83 mean|w| at 2 bits, ternary grid {-t, 0, t}
        FakeQuantWeightNoise t = new FakeQuantWeightNoise(2, false, WeightRange.MEAN_ABS);
        double expected = (float) (w.ameanNumber().doubleValue() * 2.83);
        assertEquals(expected, t.scales(w, 1)[2], 0.0);
        assertEquals(3, java.util.Arrays.stream(t.fakeQuantize(w, 1).dup().data().asDouble()).map(v -> v + 0.0).distinct().count());
    }

    @Test
    void weightHookQuantizesAtInferenceToo() {
        MultiLayerNetwork q = QatPreparation.prepare(SmallNets.mlp(DataType.DOUBLE), QatConfig.of(2, 8));
        QatControl.calibrate(q, SmallNets.features(40, 6, 1, DataType.DOUBLE));
        INDArray x = SmallNets.features(5, 6, 2, DataType.DOUBLE);
        INDArray h1 = q.feedForward(x, false).get(2);
        FakeQuantWeightNoise n = (FakeQuantWeightNoise) ((DenseLayer) q.getLayerWiseConfigurations().getConf(1).getLayer()).getWeightNoise();
        INDArray wq = n.fakeQuantize(q.getLayer(1).getParam("W"), 1);
        assertTrue(java.util.Arrays.stream(wq.dup().data().asDouble()).map(Math::abs).distinct().count() <= 6, "ternary per column");
        INDArray xin = q.feedForward(x, false).get(1);
        INDArray z = xin.mmul(wq).addiRowVector(q.getLayer(1).getParam("b"));
        FakeQuantActivation a = QatControl.activations(q).get(1);
        INDArray expected = FakeQuant.perTensorInPlace(org.nd4j.linalg.ops.transforms.Transforms.relu(z, true),
                a.qparams().scale(), a.qparams().zeroPoint(), 0, 255);
        assertEquals(expected, h1, "train=false uses the fake-quantized weights and activations");
    }

    @Test
    void weightHookOnAnUnsupportedLayerNamesIt() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new org.deeplearning4j.nn.conf.layers.Deconvolution2D.Builder(2, 2).name("upsample").nOut(2)
                        .activation(Activation.IDENTITY).weightNoise(new FakeQuantWeightNoise(4, true, WeightRange.MAX_ABS)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutionalFlat(4, 4, 1))
                .build());
        net.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.output(Nd4j.rand(2, 16)));
        assertTrue(e.getMessage().contains("upsample") && e.getMessage().contains("Deconvolution2D"), e.getMessage());
    }

    @Test
    void emaRangeFreezeAndSwitches() {
        FakeQuantActivation a = new FakeQuantActivation(new ActivationIdentity(), 8, false, 0.25, 3).named("act");
        a.getActivation(Nd4j.createFromArray(new double[][] {{-1, 2}}), true);          // first batch: [-1, 2]
        assertEquals(new Range(-1, 2), a.range());
        a.getActivation(Nd4j.createFromArray(new double[][] {{-5, 6}}), true);          // min += 0.25 (-5 + 1), max += 0.25 (6 - 2)
        assertEquals(new Range(-2, 3), a.range());
        a.getActivation(Nd4j.createFromArray(new double[][] {{100, 100}}), false);      // inference does not observe
        assertEquals(new Range(-2, 3), a.range());
        a.getActivation(Nd4j.createFromArray(new double[][] {{-2, 7}}), true);          // third step: max 3 + 0.25*4 = 4
        assertEquals(new Range(-2, 4), a.range());
        assertTrue(a.frozen());
        a.getActivation(Nd4j.createFromArray(new double[][] {{-50, 70}}), true);        // frozen after 3 steps
        assertEquals(new Range(-2, 4), a.range());
        assertEquals(3, a.steps());

        FakeQuantActivation b = new FakeQuantActivation(new ActivationIdentity(), 2, false, 1.0, -1);
        b.setObserving(false);
        b.setRange(new Range(0, 3));                                                    // s = 1, codes 0..3
        INDArray y = b.getActivation(Nd4j.createFromArray(new double[][] {{-1, 0.4, 1.6, 2.5, 9}}), true);
        assertEquals(Nd4j.createFromArray(new double[][] {{0, 0, 2, 2, 3}}), y, "rint half-to-even, clip to [0, 3]");
        assertEquals(new Range(0, 3), b.range(), "observer off");
        b.setFakeQuant(false);
        assertEquals(Nd4j.createFromArray(new double[][] {{-1, 0.4}}), b.getActivation(Nd4j.createFromArray(new double[][] {{-1, 0.4}}), true));
    }

    @Test
    void clippedSteBackprop() {
        FakeQuantActivation a = new FakeQuantActivation(new ActivationReLU(), 2, false, 1.0, -1);
        a.setRange(new Range(0, 3));
        INDArray in = Nd4j.createFromArray(new double[][] {{-1, 0.5, 2.9, 3.0, 3.2, 8}});
        INDArray eps = Nd4j.createFromArray(new double[][] {{1, 2, 3, 4, 5, 6}});
        INDArray g = a.backprop(in.dup(), eps.dup()).getFirst();
        assertEquals(Nd4j.createFromArray(new double[][] {{0, 2, 3, 4, 0, 0}}), g, "0 below (ReLU), pass inside, 0 above the range");
    }

    @Test
    void frozenObserverThatNeverSawDataNamesTheLayer() {
        MultiLayerNetwork q = QatPreparation.prepare(SmallNets.mlp(DataType.DOUBLE), QatConfig.of(8, 8).withFreezeAfter(0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> q.output(SmallNets.features(2, 6, 1, DataType.DOUBLE)));
        assertTrue(e.getMessage().contains(QatPreparation.INPUT_QUANTIZER) && e.getMessage().contains("saw no data")
                && e.getMessage().contains("frozen after 0 steps"), e.getMessage());
        MultiLayerNetwork q2 = QatPreparation.prepare(SmallNets.mlp(DataType.DOUBLE), QatConfig.of(8, 8));
        IllegalStateException e2 = assertThrows(IllegalStateException.class, () -> QatControl.freeze(q2));
        assertTrue(e2.getMessage().contains("saw no data"), e2.getMessage());
    }

    @Test
    void pactForwardAndAlphaGradientByHand() {
        MultiLayerNetwork q = QatPreparation.prepare(SmallNets.mlp(DataType.DOUBLE), QatConfig.of(8, 2).withPact());
        QatControl.calibrate(q, SmallNets.features(40, 6, 1, DataType.DOUBLE));
        q.initGradientsView();
        PactLayerImpl pact = (PactLayerImpl) QatControl.pactLayers(q).get(0).layer();
        pact.setParam(PactLayer.ALPHA, Nd4j.createFromArray(new double[][] {{1.5}}));  // s = 0.5, levels 0, .5, 1, 1.5
        INDArray x = Nd4j.createFromArray(new double[][] {{-1, 0.2, 0.3, 0.74, 1.49, 1.5, 4}});
        pact.setInput(x, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        INDArray y = pact.activate(true, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        assertEquals(Nd4j.createFromArray(new double[][] {{0, 0, 0.5, 0.5, 1.5, 1.5, 1.5}}), y);
        INDArray eps = Nd4j.createFromArray(new double[][] {{1, 2, 3, 4, 5, 6, 7}});
        var g = pact.backpropGradient(eps, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        assertEquals(6 + 7, g.getFirst().getGradientFor(PactLayer.ALPHA).getDouble(0), 0.0, "dL/dalpha = sum of eps where x >= alpha");
        assertEquals(Nd4j.createFromArray(new double[][] {{0, 2, 3, 4, 5, 0, 0}}), g.getSecond());
        assertEquals((float) 0.5, pact.scale(), 0.0);
    }

    @Test
    void preparedNetworkWithFakeQuantOffIsTheFloatNetwork() {
        MultiLayerNetwork fp = SmallNets.mlp(DataType.DOUBLE);
        MultiLayerNetwork q = QatPreparation.prepare(fp, QatConfig.of(4, 4));
        QatControl.calibrate(q, SmallNets.features(40, 6, 1, DataType.DOUBLE));
        INDArray x = SmallNets.features(20, 6, 5, DataType.DOUBLE);
        INDArray qOn = q.output(x);
        QatControl.setFakeQuant(q, false);
        assertEquals(fp.output(x), q.output(x));
        assertFalse(fp.output(x).equalsWithEps(qOn, 1e-6), "fake quantization changes the outputs");
        assertEquals(4, fp.getnLayers() + 1, "one input quantizer added");
    }
}
