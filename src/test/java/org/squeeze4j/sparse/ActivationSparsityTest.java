package org.squeeze4j.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.models.Models;
import org.squeeze4j.prune.Pruner;

/** The CSC kernel against CSR and ND4J, the β rule, and zero counting by hand. */
class ActivationSparsityTest {

    /** A [nIn, nOut] matrix with about {@code sparsity} exact zeros. */
    private static INDArray randomSparse(Random random, int nIn, int nOut, double sparsity) {
        float[][] w = new float[nIn][nOut];
        for (float[] row : w) {
            for (int j = 0; j < nOut; j++) {
                row[j] = random.nextDouble() < sparsity ? 0f : (float) random.nextGaussian();
            }
        }
        return Nd4j.create(w);
    }

    @Test
    void cscEqualsCsrAndNd4jOnRandomLayers() {
        Random random = new Random(11);
        for (boolean relu : new boolean[] {false, true}) {
            for (double sparsity : new double[] {0.0, 0.5, 0.95}) {
                INDArray w = randomSparse(random, 37, 23, sparsity);
                INDArray b = Nd4j.rand(DataType.FLOAT, 1, 23).subi(0.5);
                CscDense csc = CscDense.of(w, b, relu);
                SparseDense csr = SparseDense.of(w, b, relu);
                assertEquals(csr.nonZeros(), csc.nonZeros());
                for (int trial = 0; trial < 5; trial++) {
                    INDArray xs = randomSparse(random, 1, 37, trial * 0.2); // inputs with 0 % to 80 % zeros
                    INDArray ref = xs.mmul(w).addi(b);
                    if (relu) {
                        ref = org.nd4j.linalg.ops.transforms.Transforms.relu(ref);
                    }
                    float[] x = xs.toFloatVector();
                    float[] yCsc = new float[23];
                    float[] yCsr = new float[23];
                    csc.forward(x, yCsc);
                    csr.forward(x, yCsr);
                    assertArrayEquals(ref.toFloatVector(), yCsc, 1e-4f);
                    assertArrayEquals(yCsr, yCsc, 1e-4f);
                }
            }
        }
        // 4 bytes per value and per row index, 4 per column start (nIn + 1) and per bias
        INDArray w = Nd4j.create(new float[][] {{1, 0}, {0, 0}, {2, 3}});
        CscDense small = CscDense.of(w, Nd4j.zeros(DataType.FLOAT, 2), false);
        assertEquals(3, small.nonZeros());
        assertEquals(4 * 3 + 4 * 3 + 4 * 4 + 4 * 2, small.cscBytes());
        assertThrows(IllegalArgumentException.class, () -> small.forward(new float[2], new float[2]));
    }

    @Test
    void betaZeroGivesExactlyTheUnmodifiedOutputsOnMnist() {
        MultiLayerNetwork net = Models.mlp(3, 1e-3, 64, 32);
        Pruner.builder().sparsity(0.9).build().prune(net);
        SparseMlp plain = SparseMlp.of(net);
        ActivationSparseMlp csr = ActivationSparseMlp.of(net, 0, ActivationSparseMlp.Kernel.CSR);
        ActivationSparseMlp csc = ActivationSparseMlp.of(net, 0, ActivationSparseMlp.Kernel.CSC);
        INDArray x = Datasets.mnist().test().features(0, 1, 2, 3, 4, 5, 6, 7);
        INDArray dense = net.output(x);
        for (int r = 0; r < 8; r++) {
            float[] xr = x.getRow(r).toFloatVector();
            float[] expected = plain.logits(xr).clone();
            assertArrayEquals(expected, csr.logits(xr), "beta = 0 must not change a single bit");
            assertArrayEquals(expected, csc.logits(xr), 1e-4f);
            assertArrayEquals(dense.getRow(r).toFloatVector(), csc.probabilities(xr), 1e-5f);
        }
        assertTrue(dense.equalsWithEps(csc.output(x), 1e-5));
        for (ActivationSparsity row : csc.activationSparsity()) {
            assertEquals(0, row.betaZeros(), row.toString());
        }
        // MNIST digits are mostly black: the CSC kernel skips most input pixels
        assertTrue(csc.activationSparsity().get(0).zeroFraction() > 0.6, csc.activationSparsity().get(0).toString());
    }

    @Test
    void betaRuleAndZeroCountsByHand() {
        // 3 inputs -> "h" (4, ReLU) -> "out" (2, softmax)
        var conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().name("h").nIn(3).nOut(4).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(4).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.getLayer(0).setParam("W", Nd4j.create(new float[][] {{2, -1, 0.1f, 1}, {1, 1, 1, 1}, {0, 0, 0, 0}}));
        net.getLayer(0).setParam("b", Nd4j.zeros(DataType.FLOAT, 1, 4));
        net.getLayer(1).setParam("W", Nd4j.create(new float[][] {{1, 0}, {0, 1}, {1, 1}, {0, 2}}));
        net.getLayer(1).setParam("b", Nd4j.create(new float[][] {{0, 0.5f}}));

        ActivationSparseMlp mlp = ActivationSparseMlp.of(net, 0.1, ActivationSparseMlp.Kernel.CSC);
        // x = [1, 0, 0]: h = relu([2, -1, 0.1, 1]) = [2, 0, 0.1, 1]; max 2, cut 0.2 zeroes 0.1 -> [2, 0, 0, 1]
        // logits = [2·1 + 0, 2·0 + 1·2 + 0.5] = [2, 2.5]   (without the rule: [2.1, 2.6])
        assertArrayEquals(new float[] {2f, 2.5f}, mlp.logits(new float[] {1, 0, 0}), 1e-6f);
        // x = [0, 1, 0]: h = [1, 1, 1, 1], nothing below 0.1 -> logits [1 + 1, 1 + 1 + 2 + 0.5] = [2, 4.5]
        assertArrayEquals(new float[] {2f, 4.5f}, mlp.logits(new float[] {0, 1, 0}), 1e-6f);

        List<ActivationSparsity> rows = mlp.activationSparsity();
        assertEquals(2, rows.size());
        assertEquals(new ActivationSparsity("input", 6, 4, 0), rows.get(0)); // two of three inputs zero, twice
        assertEquals(new ActivationSparsity("h", 8, 1, 1), rows.get(1));     // one ReLU zero, one β zero, of 8
        assertEquals(2 / 8.0, rows.get(1).zeroFraction(), 0);
        assertEquals(4 / 6.0, rows.get(0).zeroFraction(), 1e-12);

        ActivationSparseMlp off = ActivationSparseMlp.of(net, 0, ActivationSparseMlp.Kernel.CSR);
        assertArrayEquals(new float[] {2.1f, 2.6f}, off.logits(new float[] {1, 0, 0}), 1e-6f);
        mlp.resetCounts();
        assertEquals(0, mlp.activationSparsity().get(1).activations());
    }

    @Test
    void largerBetaGivesMoreZerosAndAccuracyIsMeasured() {
        MultiLayerNetwork net = Models.mlp(5, 1e-3, 32);
        net.fit(Datasets.mnist().train().subset(1280, 2).shuffledIterator(64, 2));
        var test = Datasets.mnist().test().head(300).iterator(100);
        ActivationSparseMlp none = ActivationSparseMlp.of(net, 0, ActivationSparseMlp.Kernel.CSC);
        ActivationSparseMlp some = ActivationSparseMlp.of(net, 0.3, ActivationSparseMlp.Kernel.CSC);
        double accNone = none.accuracy(test);
        assertEquals(org.squeeze4j.measure.Accuracy.of(net, test), accNone, 1e-12, "beta 0 predicts as the network");
        some.accuracy(test);
        ActivationSparsity a = none.activationSparsity().get(1);
        ActivationSparsity b = some.activationSparsity().get(1);
        assertEquals(300L * 32, a.activations());
        assertEquals(a.reluZeros(), b.reluZeros(), "the ReLU zeros are the same; β only adds");
        assertTrue(b.betaZeros() > 0 && b.zeroFraction() > a.zeroFraction(), a + " vs " + b);
        assertThrows(IllegalArgumentException.class, () -> ActivationSparseMlp.of(net, 1.0, ActivationSparseMlp.Kernel.CSC));
        assertThrows(IllegalArgumentException.class, () -> ActivationSparseMlp.of(Models.lenet5(1, 1e-3), 0, ActivationSparseMlp.Kernel.CSC));
    }
}
