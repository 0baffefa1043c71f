package org.squeeze4j.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import java.util.function.Supplier;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.squeeze4j.models.Models;

/**
 * The native convolution path is really taken, and computes what DL4J's own path computes: the
 * same network built with helpers on and off, with the same parameters, gives the same outputs,
 * gradients and parameters after training steps within float tolerance, and passes DL4J's
 * numerical gradient check.
 */
class OneDnnTest {

    @Test
    void referenceConvNetsTrainThroughTheNativeHelpers() {
        MultiLayerNetwork net = Models.lenet5Caffe(1, 1e-3);
        assertEquals("MKLDNNConvHelper", OneDnn.path(net.getLayer("conv1")));
        assertEquals("MKLDNNSubsamplingHelper", OneDnn.path(net.getLayer("pool1")));
        assertEquals("MKLDNNConvHelper", OneDnn.path(net.getLayer("conv2")));
        assertEquals("DL4J", OneDnn.path(net.getLayer("fc1")));
    }

    @Test
    void linuxX86NativesAreBuiltWithOneDnn() {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux")
                && System.getProperty("os.arch").equals("amd64"), "the oneDNN natives are pulled for linux-x86_64 here");
        assertTrue(OneDnn.compiledIn(), "pom.xml should pull nd4j-native linux-x86_64-onednn and org.bytedeco:dnnl");
    }

    @Test
    void enableKeepsAnExplicitChoice() {
        String saved = System.getProperty(OneDnn.HELPERS_DISABLED);
        try {
            System.clearProperty(OneDnn.HELPERS_DISABLED);
            OneDnn.enable();
            assertEquals("false", System.getProperty(OneDnn.HELPERS_DISABLED));
            System.setProperty(OneDnn.HELPERS_DISABLED, "true");
            OneDnn.enable();
            assertEquals("true", System.getProperty(OneDnn.HELPERS_DISABLED));
        } finally {
            restore(saved);
        }
    }

    @Test
    void nativeAndDl4jPathsAgreeOnOutputsGradientsAndTraining() {
        MultiLayerNetwork fast = built(DataType.FLOAT, true);
        MultiLayerNetwork slow = built(DataType.FLOAT, false);
        assertEquals("MKLDNNConvHelper", OneDnn.path(fast.getLayer(0)));
        assertEquals("MKLDNNBatchNormHelper", OneDnn.path(fast.getLayer(1)));
        assertEquals("MKLDNNSubsamplingHelper", OneDnn.path(fast.getLayer(2)));
        assertEquals("DL4J", OneDnn.path(slow.getLayer(0)));
        slow.setParams(fast.params().dup());

        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 1, 12, 12);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 5);
        for (int i = 0; i < 16; i++) {
            y.putScalar(i, i % 5, 1.0);
        }
        assertClose("output", slow.output(x), fast.output(x), 1e-5);

        fast.setInput(x);
        fast.setLabels(y);
        slow.setInput(x);
        slow.setLabels(y);
        fast.computeGradientAndScore();
        slow.computeGradientAndScore();
        assertEquals(slow.score(), fast.score(), 1e-5);
        Gradient gf = fast.gradient();
        Gradient gs = slow.gradient();
        for (Map.Entry<String, INDArray> e : gs.gradientForVariable().entrySet()) {
            assertClose("gradient " + e.getKey(), e.getValue(), gf.getGradientFor(e.getKey()), 1e-4);
        }

        DataSet ds = new DataSet(x, y);
        for (int i = 0; i < 10; i++) {
            fast.fit(ds);
            slow.fit(ds);
        }
        assertClose("parameters after 10 Adam steps", slow.params(), fast.params(), 1e-4);
    }

    @Test
    void gradientCheckWithHelpersOn() {
        DataType savedType = Nd4j.dataType();
        DataType savedFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            MultiLayerNetwork net = built(DataType.DOUBLE, true);
            assertEquals("MKLDNNConvHelper", OneDnn.path(net.getLayer(0)));
            Nd4j.getRandom().setSeed(3);
            INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 1, 12, 12);
            INDArray y = Nd4j.zeros(DataType.DOUBLE, 2, 5);
            y.putScalar(0, 1, 1.0);
            y.putScalar(1, 3, 1.0);
            assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                    .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)
                    .excludeParams(java.util.Set.of("1_mean", "1_var", "1_log10stdev"))   // running statistics, not trained
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false)));
        } finally {
            Nd4j.setDefaultDataTypes(savedType, savedFloat);
        }
    }

    /**
     * Same-mode and strided convolutions, batch norm, max and average pooling. Tanh rather than
     * ReLU before the max pool: ReLU's exact zeros tie inside a window, and the two paths may send
     * the gradient of a tie to different (equally valid) positions.
     */
    private static MultiLayerConfiguration conf(DataType type, org.nd4j.linalg.learning.config.IUpdater updater) {
        return new NeuralNetConfiguration.Builder().seed(11).dataType(type).updater(updater).weightInit(WeightInit.XAVIER)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(6).stride(2, 2).activation(Activation.TANH).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(1, 1).build())
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(12, 12, 1))
                .build();
    }

    private static MultiLayerNetwork built(DataType type, boolean helpers) {
        String saved = System.getProperty(OneDnn.HELPERS_DISABLED);
        try {
            System.setProperty(OneDnn.HELPERS_DISABLED, Boolean.toString(!helpers));
            Supplier<MultiLayerNetwork> make = () -> {
                MultiLayerNetwork n = new MultiLayerNetwork(conf(type, type == DataType.DOUBLE ? new NoOp() : new Adam(1e-2)));
                n.init();
                return n;
            };
            return make.get();
        } finally {
            restore(saved);
        }
    }

    private static void restore(String saved) {
        if (saved == null) {
            System.clearProperty(OneDnn.HELPERS_DISABLED);
        } else {
            System.setProperty(OneDnn.HELPERS_DISABLED, saved);
        }
    }

    private static void assertClose(String what, INDArray expected, INDArray actual, double tolerance) {
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance * scale, what + ": max |difference| " + diff + " exceeds " + tolerance + " x " + scale);
    }
}
