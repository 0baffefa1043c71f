package org.squeeze4j.engine;

import org.squeeze4j.lower.FakeQuantSimulation;
import org.squeeze4j.lower.IntModelBuilder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.data.DatasetSplits;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.data.IdxDataset;
import org.squeeze4j.models.Models;
import org.squeeze4j.models.ReferenceModel;

/**
 * The engine on real MNIST: bit-exact against {@link FakeQuantSimulation} for LeNet-300-100
 * (pretrained) and two convolutional LeNet-5s, the int8 accuracy, and vector == scalar on whole models.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IntModelMnistTest {
    DatasetSplits mnist;
    MultiLayerNetwork lenet;
    IntModel intLenet;
    INDArray testFeatures;
    int[] testLabels;

    static int[] all(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    @BeforeAll
    void setUp() {
        mnist = Datasets.mnist();
        lenet = ReferenceModel.LENET_300_100.pretrained();
        intLenet = IntModelBuilder.build(lenet, mnist.train().subset(1000, 42).features(all(1000)));
        IdxDataset test = mnist.test();
        testFeatures = test.features(all(test.size()));
        testLabels = new int[test.size()];
        for (int i = 0; i < testLabels.length; i++) {
            testLabels[i] = test.label(i);
        }
    }

    /** Every layer's codes from the engine (given kernel) for {@code x}, flattened per layer. */
    static int[][] engineLayerCodes(IntModel model, INDArray x, Int8Kernel kernel) {
        return engineLayerCodes(model, x, kernel, 1);
    }

    /** As above on a runner with {@code threads} lanes. */
    static int[][] engineLayerCodes(IntModel model, INDArray x, Int8Kernel kernel, int threads) {
        int n = (int) x.size(0);
        IntRunner r = model.runner(n, kernel, threads);
        r.runCodes(r.quantize(x.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).ravel().toFloatVector(), n), n);
        int[][] out = new int[model.layers().size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = r.layerCodes(i, n);
        }
        return out;
    }

    static void assertBitExact(IntModel model, INDArray x) {
        List<INDArray> sim = new FakeQuantSimulation(model).layerCodes(x);
        for (Int8Kernel k : List.of(Kernels.scalar(), Kernels.best())) {
            for (int threads : new int[] {1, 3}) {
                int[][] eng = engineLayerCodes(model, x, k, threads);
                for (int i = 0; i < eng.length; i++) {
                    int[] expected = sim.get(i).ravel().toIntVector();
                    assertArrayEquals(expected, eng[i], "layer " + i + " (" + model.layers().get(i).describe() + "), kernel "
                            + k.name() + ", " + threads + " threads");
                }
            }
        }
    }

    @Test
    void lenet300100IsBitExactWithTheSimulation() {
        assertEquals(List.of("dense 784->300 relu", "dense 300->100 relu", "dense 100->10"),
                intLenet.layers().stream().map(IntLayer::describe).toList());
        assertBitExact(intLenet, testFeatures.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2000)));
    }

    @Test
    void int8AccuracyIsCloseToFloat() {
        int[] pred = intLenet.predict(testFeatures);
        int correct = 0;
        for (int i = 0; i < pred.length; i++) {
            correct += pred[i] == testLabels[i] ? 1 : 0;
        }
        double int8 = correct / (double) pred.length;
        INDArray fp = lenet.output(testFeatures);
        int fpCorrect = 0;
        int agree = 0;
        for (int i = 0; i < pred.length; i++) {
            int a = Nd4j.argMax(fp.getRow(i)).getInt(0);
            fpCorrect += a == testLabels[i] ? 1 : 0;
            agree += a == pred[i] ? 1 : 0;
        }
        double fp32 = fpCorrect / (double) pred.length;
        System.out.printf("LeNet-300-100 MNIST test accuracy: fp32 %.4f, int8 engine %.4f (min-max calibration on 1000 train"
                + " images), top-1 agreement %.4f, file %d bytes%n", fp32, int8, agree / (double) pred.length, intLenet.sizeInBytes());
        assertEquals(0.9829, fp32, 1e-9);
        assertTrue(Math.abs(int8 - fp32) <= 0.005, "int8 " + int8 + " vs fp32 " + fp32);
        // dequantized logits track the float logits (pre-softmax)
        INDArray logits = intLenet.output(testFeatures.getRows(0, 1, 2, 3));
        INDArray pre = lenet.feedForward(testFeatures.getRows(0, 1, 2, 3), false).get(2).mmul(lenet.getLayer(2).getParam("W"))
                .addRowVector(lenet.getLayer(2).getParam("b"));
        double tol = 0.1 * pre.amaxNumber().doubleValue();
        assertTrue(logits.sub(pre).amaxNumber().doubleValue() < tol, "logits " + logits + " vs " + pre);
    }

    @Test
    void vectorAndScalarGiveIdenticalOutputs() {
        INDArray x = testFeatures.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1000));
        int[][] s = intLenet.outputCodes(x, Kernels.scalar());
        int[][] v = intLenet.outputCodes(x, Kernels.best());
        assertTrue(Kernels.best().name().startsWith("vector"));
        for (int i = 0; i < s.length; i++) {
            assertArrayEquals(s[i], v[i], "sample " + i);
        }
    }

    @Test
    void badInputsGiveClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> intLenet.output(Nd4j.zeros(2, 783)));
        assertTrue(e.getMessage().contains("784"), e.getMessage());
        INDArray nan = testFeatures.getRows(0, 1).dup();
        nan.putScalar(1, 17, Double.NaN);
        e = assertThrows(IllegalArgumentException.class, () -> intLenet.output(nan));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("sample 1") && e.getMessage().contains("feature 17"),
                e.getMessage());
        IntRunner r = intLenet.runner(1);
        e = assertThrows(IllegalArgumentException.class, () -> r.output(new float[784 * 2], 2));
        assertTrue(e.getMessage().contains("batch size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> r.output(new float[100], 1));
        assertTrue(e.getMessage().contains("784"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> IntModelBuilder.build(lenet, nan));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void threadedRunnersGiveTheSameCodesAndLogitsForEveryBatchSize() {
        float[] x = testFeatures.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 128)).ravel().toFloatVector();
        IntRunner serial = intLenet.runner(128, Kernels.best());
        assertEquals(16, (int) Math.ceil(IntRunner.MIN_PARALLEL_MACS / (double) intLenet.macsPerSample()),
                "batches of 16 and more are split for LeNet-300-100 (266,200 MACs a sample)");
        assertEquals(266_200, intLenet.macsPerSample());
        for (int threads : new int[] {2, 3, 7}) {
            IntRunner r = intLenet.runner(128, Kernels.best(), threads);
            assertEquals(threads, r.threads());
            for (int m : new int[] {1, 15, 16, 17, 100, 128}) {
                float[] expected = serial.output(x, m).clone();
                float[] got = r.output(x, m);
                assertArrayEquals(java.util.Arrays.copyOf(expected, m * 10), java.util.Arrays.copyOf(got, m * 10), 0f,
                        threads + " threads, batch " + m);
                byte[] codes = serial.quantize(x, m).clone();
                byte[] out = serial.runCodes(codes, m).clone();
                assertArrayEquals(java.util.Arrays.copyOf(out, m * 10), java.util.Arrays.copyOf(r.runCodes(codes, m), m * 10),
                        threads + " threads, batch " + m + " (codes)");
                for (int layer = 0; layer < 3; layer++) {
                    serial.runCodes(codes, m);
                    assertArrayEquals(serial.layerCodes(layer, m), r.layerCodes(layer, m), "layer " + layer + ", batch " + m);
                }
            }
        }
    }

    @Test
    void aBadSampleInAnotherThreadsSliceIsReportedWithItsIndex() {
        float[] x = testFeatures.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 64)).ravel().toFloatVector();
        x[60 * 784 + 5] = Float.POSITIVE_INFINITY;
        IntRunner r = intLenet.runner(64, Kernels.best(), 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.output(x, 64));
        assertTrue(e.getMessage().contains("Infinity at sample 60, feature 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> intLenet.runner(8, Kernels.best(), 0));
        assertTrue(e.getMessage().contains("threads must be positive"), e.getMessage());
        IllegalStateException notRun = assertThrows(IllegalStateException.class, () -> intLenet.runner(8).layerCodes(0, 1));
        assertTrue(notRun.getMessage().contains("no run yet"), notRun.getMessage());
    }

    @Test
    void batchOneRunnerEqualsBatchedOutput() {
        IntRunner one = intLenet.runner(1);
        INDArray x = testFeatures.getRows(0, 1, 2, 3, 4);
        INDArray batched = intLenet.output(x);
        for (int i = 0; i < 5; i++) {
            float[] y = one.output(x.getRow(i).toFloatVector(), 1);
            assertArrayEquals(batched.getRow(i).toFloatVector(), java.util.Arrays.copyOf(y, 10), 0f);
        }
    }

    @Test
    void lenet5SamePaddingTrained12StepsIsBitExact() {
        MultiLayerNetwork net = Models.lenet5(7, 1e-3);
        var it = mnist.train().shuffledIterator(32, 7);
        for (int i = 0; i < 12 && it.hasNext(); i++) {
            DataSet b = it.next();
            net.fit(b);
        }
        IntModel m = IntModelBuilder.build(net, mnist.train().subset(256, 1).features(all(256)));
        assertEquals(7, m.layers().size(), m.toString());
        IntConv2d conv1 = (IntConv2d) m.layers().get(0);
        assertEquals(2, conv1.padTop());
        assertEquals(28, conv1.outHeight());
        INDArray x = testFeatures.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 100));
        assertBitExact(m, x);
        // layout check against DL4J's float conv1: dequantized codes within a few output steps
        INDArray act = net.feedForward(x, false).get(1);
        int[][] codes = engineLayerCodes(m, x, Kernels.best());
        INDArray deq = Nd4j.createFromArray(codes[0]).castTo(act.dataType()).reshape(act.shape())
                .subi(conv1.outZeroPoint()).muli(conv1.outScale());
        double err = deq.sub(act).amaxNumber().doubleValue();
        assertTrue(err < 4 * conv1.outScale() + 0.05 * act.amaxNumber().doubleValue(), "conv1 error " + err);
    }

    @Test
    void untrainedCaffeLenet5IsBitExact() {
        MultiLayerNetwork net = Models.lenet5Caffe(3, 1e-3);
        IntModel m = IntModelBuilder.build(net, mnist.train().subset(128, 2).features(all(128)));
        assertEquals(List.of("conv 1x28x28 -> 20x24x24 (5x5, stride 1, pad 0/0) relu", "maxpool 20x24x24 -> 20x12x12 (2x2, stride 2)",
                "conv 20x12x12 -> 50x8x8 (5x5, stride 1, pad 0/0) relu", "maxpool 50x8x8 -> 50x4x4 (2x2, stride 2)",
                "dense 800->500 relu", "dense 500->10"), m.layers().stream().map(IntLayer::describe).toList());
        assertBitExact(m, testFeatures.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 64)));
    }
}
