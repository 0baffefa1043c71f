package org.squeeze4j.quant.qat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.quant.Range;

/**
 * GradientCheckUtil (double precision) for every custom piece, JSON configuration round trips and
 * ModelSerializer round trips with identical outputs.
 *
 * <p>Gradient checks run with rounding off: the rounded forward pass is a step function whose
 * numerical derivative is 0 almost everywhere, while the straight-through estimator is by
 * definition the exact derivative of the surrogate with {@code rint(u) -> u}, i.e. of the
 * clipping alone. So the checks verify the clipped-STE masks, PACT's alpha gradient and the
 * quantized-logits path exactly; ranges are set narrower than the data so that clipping happens.
 */
class QatGradientAndRoundTripTest {
    static {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static MultiLayerNetwork prepared(boolean pact) {
        MultiLayerNetwork q = QatPreparation.prepare(SmallNets.mlp(DataType.DOUBLE), pact ? QatConfig.of(8, 4).withPact() : QatConfig.of(8, 4));
        QatControl.calibrate(q, SmallNets.features(50, 6, 1, DataType.DOUBLE));
        return q;
    }

    private static boolean check(MultiLayerNetwork net, INDArray x, INDArray y) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9).print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
    }

    @Test
    void emaActivationsAndWeightNoisePassGradientCheckWithClipping() {
        MultiLayerNetwork q = prepared(false);
        QatControl.setObserving(q, false);
        QatControl.setRounding(q, false);
        // narrow the hidden ranges so that the clipped STE masks are exercised
        var acts = QatControl.activations(q);
        INDArray x = SmallNets.features(10, 6, 3, DataType.DOUBLE);
        java.util.List<INDArray> ff = q.feedForward(x, false);
        acts.get(1).setRange(new Range(0, ff.get(2).maxNumber().doubleValue() * 0.6));
        acts.get(2).setRange(new Range(0, ff.get(3).maxNumber().doubleValue() * 0.6));
        INDArray clipped = q.feedForward(x, false).get(2);
        assertTrue(clipped.eq(clipped.maxNumber()).castTo(DataType.INT32).sumNumber().intValue() >= 2, "some units are clipped");
        assertTrue(check(q, x, SmallNets.labels(10, 3, 4, DataType.DOUBLE)));
    }

    @Test
    void pactPassesGradientCheckIncludingAlpha() {
        MultiLayerNetwork q = prepared(true);
        QatControl.setObserving(q, false);
        QatControl.setRounding(q, false);
        INDArray x = SmallNets.features(10, 6, 5, DataType.DOUBLE);
        for (org.squeeze4j.models.LayerNode n : QatControl.pactLayers(q)) {
            INDArray in = q.feedForward(x, false).get(n.index());      // the input of layer n
            n.layer().setParam(PactLayer.ALPHA, Nd4j.create(new double[][] {{in.maxNumber().doubleValue() * 0.5}}));
        }
        assertTrue(check(q, x, SmallNets.labels(10, 3, 6, DataType.DOUBLE)));
    }

    @Test
    void jsonRoundTripKeepsEveryQatPiece() {
        for (boolean pact : new boolean[] {false, true}) {
            MultiLayerNetwork q = prepared(pact);
            MultiLayerConfiguration conf = q.getLayerWiseConfigurations();
            String json = conf.toJson();
            MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
            assertEquals(conf, back, "JSON round trip (pact=" + pact + ")");
            assertEquals(json, back.toJson());
            assertTrue(json.contains("FakeQuantWeightNoise") && json.contains("FakeQuantActivation"));
            assertEquals(pact, json.contains("PactLayer"));
        }
        FakeQuantActivation a = new FakeQuantActivation(new org.nd4j.linalg.activations.impl.ActivationReLU(), 4, false, 0.1, 7);
        FakeQuantActivation b = new FakeQuantActivation(new org.nd4j.linalg.activations.impl.ActivationReLU(), 4, false, 0.1, 7);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        b.setRange(new Range(0, 1));
        assertNotEquals(a, b, "the observed range is part of the configuration");
        assertEquals(new FakeQuantWeightNoise(4, true, WeightRange.MEAN_ABS), new FakeQuantWeightNoise(4, true, WeightRange.MEAN_ABS));
        assertNotEquals(new FakeQuantWeightNoise(4, true, WeightRange.MEAN_ABS), new FakeQuantWeightNoise(4, false, WeightRange.MEAN_ABS));
        assertEquals(new PactLayer("p", 4, 2.0), new PactLayer("p", 4, 2.0));
        assertNotEquals(new PactLayer("p", 4, 2.0), new PactLayer("p", 3, 2.0));
    }

    @Test
    void modelSerializerRoundTripGivesIdenticalOutputs(@TempDir Path dir) throws Exception {
        for (boolean pact : new boolean[] {false, true}) {
            MultiLayerNetwork q = prepared(pact);
            q.setListeners(java.util.List.of());
            q.fit(SmallNets.features(20, 6, 8, DataType.DOUBLE), SmallNets.labels(20, 3, 9, DataType.DOUBLE));
            File f = dir.resolve("qat-" + pact + ".zip").toFile();
            ModelSerializer.writeModel(q, f, true);
            MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(f, true);
            assertEquals(q.getLayerWiseConfigurations(), back.getLayerWiseConfigurations());
            INDArray x = SmallNets.features(30, 6, 10, DataType.DOUBLE);
            assertEquals(q.output(x, false), back.output(x, false), "identical outputs after reload (pact=" + pact + ")");
            assertEquals(q.params(), back.params());
        }
    }
}
