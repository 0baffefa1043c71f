package org.squeeze4j.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.squeeze4j.models.Models;

class DistillationLossTest {
    private static final int K = 4;

    /** Slow reference: the formula written with plain loops over doubles. */
    private static double reference(double[] y, double[] zT, double[] zS, double t, double alpha) {
        double[] p = softmax(zS, 1);
        double[] pst = softmax(zS, t);
        double[] ptt = softmax(zT, t);
        double hard = 0;
        double kl = 0;
        for (int j = 0; j < y.length; j++) {
            hard -= y[j] * Math.log(p[j]);
            kl += ptt[j] * Math.log(ptt[j] / pst[j]);
        }
        return (1 - alpha) * hard + alpha * t * t * kl;
    }

    private static double[] softmax(double[] z, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v / t);
        }
        double sum = 0;
        double[] e = new double[z.length];
        for (int j = 0; j < z.length; j++) {
            e[j] = Math.exp(z[j] / t - max);
            sum += e[j];
        }
        for (int j = 0; j < z.length; j++) {
            e[j] /= sum;
        }
        return e;
    }

    private static INDArray labels(int n, long seed) {
        Random r = new Random(seed);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, 2 * K);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, r.nextInt(K), 1.0);
            for (int j = 0; j < K; j++) {
                y.putScalar(i, K + j, 6 * r.nextGaussian());
            }
        }
        return y;
    }

    @Test
    void scoreMatchesLoopReference() {
        INDArray labels = labels(5, 1);
        INDArray z = Nd4j.rand(DataType.DOUBLE, 5, K).muli(8).subi(4);
        for (double[] ta : new double[][] {{1, 0}, {4, 0.5}, {2, 1}, {8, 0.9}}) {
            DistillationLoss loss = new DistillationLoss(ta[0], ta[1]);
            INDArray scores = loss.computeScoreArray(labels, z, new ActivationIdentity(), null);
            double sum = 0;
            for (int i = 0; i < 5; i++) {
                double[] row = labels.getRow(i).toDoubleVector();
                double expected = reference(java.util.Arrays.copyOf(row, K), java.util.Arrays.copyOfRange(row, K, 2 * K),
                        z.getRow(i).toDoubleVector(), ta[0], ta[1]);
                assertEquals(expected, scores.getDouble(i, 0), 1e-9, "example " + i + " at T=" + ta[0] + ", alpha=" + ta[1]);
                sum += expected;
            }
            assertEquals(sum / 5, loss.computeScore(labels, z, new ActivationIdentity(), null, true), 1e-9);
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesOfScore() {
        INDArray labels = labels(3, 2);
        INDArray z = Nd4j.rand(DataType.DOUBLE, 3, K).muli(6).subi(3);
        DistillationLoss loss = new DistillationLoss(3, 0.7);
        INDArray g = loss.computeGradient(labels, z, new ActivationIdentity(), null);
        double eps = 1e-6;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < K; j++) {
                INDArray plus = z.dup();
                plus.putScalar(i, j, z.getDouble(i, j) + eps);
                INDArray minus = z.dup();
                minus.putScalar(i, j, z.getDouble(i, j) - eps);
                double numeric = (loss.computeScore(labels, plus, new ActivationIdentity(), null, false)
                        - loss.computeScore(labels, minus, new ActivationIdentity(), null, false)) / (2 * eps);
                assertEquals(numeric, g.getDouble(i, j), 1e-6, "dL/dz[" + i + "," + j + "]");
            }
        }
    }

    private static MultiLayerNetwork tinyStudent(DistillationLoss loss) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE)
                .updater(new NoOp()).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(5).nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(loss).nIn(6).nOut(K).activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void gradientCheckThroughANetwork() {
        DataType before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            gradientChecks();
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
    }

    private static void gradientChecks() {
        for (double[] ta : new double[][] {{1, 0}, {4, 0.5}, {2, 1}}) {
            MultiLayerNetwork net = tinyStudent(new DistillationLoss(ta[0], ta[1]));
            INDArray x = Nd4j.rand(DataType.DOUBLE, 8, 5).subi(0.5);
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(labels(8, 3))
                    .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8));
            assertTrue(ok, "gradient check at T=" + ta[0] + ", alpha=" + ta[1]);
        }
    }

    @Test
    void jsonRoundTripKeepsTheLoss() {
        MultiLayerNetwork net = tinyStudent(new DistillationLoss(4, 0.9));
        String json = net.getLayerWiseConfigurations().toJson();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(net.getLayerWiseConfigurations(), back);
        OutputLayer out = (OutputLayer) back.getConf(1).getLayer();
        assertEquals(new DistillationLoss(4, 0.9), out.getLossFn());
        assertTrue(json.contains("\"temperature\" : 4.0"), json);
    }

    @Test
    void modelSerializerRoundTripGivesIdenticalOutputsAndScore() throws Exception {
        MultiLayerNetwork net = tinyStudent(new DistillationLoss(3, 0.6));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 5);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertEquals(net.output(x), back.output(x));
        INDArray y = labels(4, 5);
        assertEquals(net.score(new org.nd4j.linalg.dataset.DataSet(x, y)), back.score(new org.nd4j.linalg.dataset.DataSet(x, y)), 0);
    }

    @Test
    void alphaZeroIsPlainCrossEntropy() {
        INDArray labels = labels(6, 4);
        INDArray z = Nd4j.rand(DataType.DOUBLE, 6, K).muli(4);
        INDArray oneHot = labels.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, K));
        double mcxent = new org.nd4j.linalg.lossfunctions.impl.LossMCXENT().computeScore(oneHot, z.dup(), new ActivationSoftmax(), null, true);
        assertEquals(mcxent, DistillationLoss.hardLabels().computeScore(labels, z, new ActivationIdentity(), null, true), 1e-9);
    }

    @Test
    void softTermVanishesWhenStudentEqualsTeacher() {
        INDArray labels = labels(3, 6);
        INDArray z = labels.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(K, 2 * K)).dup();
        DistillationLoss teacherOnly = new DistillationLoss(5, 1);
        assertEquals(0, teacherOnly.computeScore(labels, z, new ActivationIdentity(), null, true), 1e-9);
        assertEquals(0, teacherOnly.computeGradient(labels, z, new ActivationIdentity(), null).norm2Number().doubleValue(), 1e-9);
    }

    @Test
    void maskZeroesExamples() {
        INDArray labels = labels(4, 8);
        INDArray z = Nd4j.rand(DataType.DOUBLE, 4, K);
        INDArray mask = Nd4j.createFromArray(new double[] {1, 0, 1, 0}).reshape(4, 1);
        DistillationLoss loss = new DistillationLoss(2, 0.5);
        INDArray s = loss.computeScoreArray(labels, z, new ActivationIdentity(), mask);
        assertEquals(0, s.getDouble(1, 0));
        assertTrue(s.getDouble(0, 0) > 0);
        INDArray g = loss.computeGradient(labels, z, new ActivationIdentity(), mask);
        assertEquals(0, g.getRow(3).norm2Number().doubleValue());
        assertTrue(g.getRow(2).norm2Number().doubleValue() > 0);
    }

    @Test
    void badSettingsAreRejectedWithAClearMessage() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(0, 0.5)).getMessage().contains("temperature"));
        assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(-2, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(Double.NaN, 0.5));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(4, 1.5)).getMessage().contains("alpha"));
        assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(4, -0.1));
    }

    @Test
    void badLabelsAreRejectedWithAClearMessage() {
        DistillationLoss loss = new DistillationLoss(4, 0.5);
        INDArray z = Nd4j.rand(DataType.DOUBLE, 3, K);
        INDArray oneHotOnly = Nd4j.eye(K).getRows(0, 1, 2).castTo(DataType.DOUBLE);
        String noTeacher = assertThrows(IllegalArgumentException.class,
                () -> loss.computeScore(oneHotOnly, z, new ActivationIdentity(), null, true)).getMessage();
        assertTrue(noTeacher.contains("teacher logits"), noTeacher);
        INDArray otherTeacher = Nd4j.zeros(DataType.DOUBLE, 3, K + 6);
        String sizes = assertThrows(IllegalArgumentException.class,
                () -> loss.computeGradient(otherTeacher, z, new ActivationIdentity(), null)).getMessage();
        assertTrue(sizes.contains("same number of outputs") && sizes.contains("5 outputs"), sizes);
        String softmax = assertThrows(IllegalArgumentException.class,
                () -> loss.computeScore(labels(3, 1), z, new ActivationSoftmax(), null, true)).getMessage();
        assertTrue(softmax.contains("IDENTITY"), softmax);
    }

    @Test
    void teacherAndStudentWithDifferentOutputSizesAreRejected() {
        MultiLayerNetwork teacher = Models.mlp(1, 1e-3, 8);
        MultiLayerNetwork student = tinyStudent(DistillationLoss.hardLabels());
        String msg = assertThrows(IllegalArgumentException.class, () -> Distillation.checkCompatible(teacher, student)).getMessage();
        assertTrue(msg.contains("10 outputs") && msg.contains("4"), msg);
        Distillation.checkCompatible(teacher, Models.mlp(2, 1e-3, 4));
    }
}
