package org.squeeze4j.lowrank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.models.Models;

class LowRankTest {

    @Test
    void svdOfAHandMadeMatrixMatchesTheFormula() {
        // A = U diag(3, 2) V^T with U, V hand-picked orthonormal matrices
        double c = Math.sqrt(0.5);
        INDArray u = Nd4j.createFromArray(new double[][] {{c, -c}, {c, c}, {0, 0}});
        INDArray vt = Nd4j.createFromArray(new double[][] {{0.6, 0.8}, {-0.8, 0.6}});
        INDArray a = u.mulRowVector(Nd4j.createFromArray(3.0, 2.0)).mmul(vt);
        Svd svd = Svd.of(a);
        assertArrayEquals(new double[] {3, 2}, svd.s(), 1e-12);
        assertTrue(svd.reconstruct(2).equalsWithEps(a, 1e-12));
        // rank 1: 3 u1 v1^T, error = s2
        INDArray r1 = u.getColumn(0).reshape(3, 1).mul(3).mmul(vt.getRow(0).reshape(1, 2));
        assertTrue(svd.reconstruct(1).equalsWithEps(r1, 1e-12));
        assertEquals(2.0, a.sub(svd.reconstruct(1)).norm2Number().doubleValue(), 1e-12);
        assertEquals(9.0 / 13, svd.energy(1), 1e-12);
    }

    /**
     * Tall, wide and the size of LeNet-300-100's fc1: OpenBLAS 0.3.19's gesvd, which an earlier
     * version called, returned wrong factors past about 200 rows on AVX-512 CPUs.
     */
    @ParameterizedTest
    @CsvSource({"40, 25", "25, 40", "784, 300", "300, 784"})
    void svdOfARandomMatrixReconstructsAndIsOrthonormal(int m, int n) {
        Nd4j.getRandom().setSeed(m * 1000L + n);
        INDArray a = Nd4j.rand(DataType.DOUBLE, m, n).subi(0.5);
        Svd svd = Svd.of(a);
        int k = Math.min(m, n);
        INDArray eye = Nd4j.eye(k).castTo(DataType.DOUBLE);
        assertTrue(svd.reconstruct(k).equalsWithEps(a, 1e-10));
        assertTrue(svd.u().transpose().mmul(svd.u()).equalsWithEps(eye, 1e-10), "U has orthonormal columns");
        assertTrue(svd.vt().mmul(svd.vt().transpose()).equalsWithEps(eye, 1e-10), "V^T has orthonormal rows");
        double[] s = svd.s();
        for (int i = 1; i < k; i++) {
            assertTrue(s[i - 1] >= s[i] && s[i] >= 0, "descending and non-negative at " + i);
        }
        // Eckart-Young: error of rank r is sqrt(sum of the squared dropped singular values)
        double tail = 0;
        for (int i = 10; i < k; i++) {
            tail += s[i] * s[i];
        }
        assertEquals(Math.sqrt(tail), a.sub(svd.reconstruct(10)).norm2Number().doubleValue(), 1e-9);
    }

    @Test
    void rankRules() {
        double[] s = {4, 2, 1, 1};           // energies 16, 4, 1, 1 of 22
        assertEquals(1, RankRule.energy(0.7).rank(s, 10, 4));
        assertEquals(2, RankRule.energy(20.0 / 22).rank(s, 10, 4));
        assertEquals(4, RankRule.energy(1).rank(s, 10, 4));
        assertEquals(2, RankRule.budget(0.7).rank(s, 10, 4));   // floor(0.7*40/14) = 2
        assertEquals(3, RankRule.fixed(3).rank(s, 10, 4));
        assertThrows(IllegalArgumentException.class, () -> RankRule.energy(1.5));
        assertThrows(IllegalArgumentException.class, () -> RankRule.budget(0));
    }

    @Test
    void fullRankFactorisationOfDenseLayersKeepsTheOutputs() {
        MultiLayerNetwork net = Models.mlp(1, 1e-3, 30, 20);
        MultiLayerNetwork f = LowRank.factorize(net, Map.of("fc1", 30, "fc2", 20));
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 784);
        assertTrue(f.output(x).equalsWithEps(net.output(x), 1e-4));
        assertEquals(784 * 30 + 30 * 30 + 30 * 20 + 20 * 20 + 20 * 10, LowRank.weightCount(f));
        assertEquals(java.util.List.of("fc1_u", "fc1_v", "fc2_u", "fc2_v", "fc3"), LowRank.names(f));
        // a lower rank equals the truncated SVD of W, computed by hand
        MultiLayerNetwork r5 = LowRank.factorize(net, Map.of("fc1", 5));
        INDArray w5 = r5.getLayer(0).getParam("W").mmul(r5.getLayer(1).getParam("W"));
        assertTrue(w5.castTo(DataType.DOUBLE).equalsWithEps(Svd.of(net.getLayer(0).getParam("W")).reconstruct(5), 1e-5));
    }

    @Test
    void fullRankFactorisationOfConvolutionsKeepsTheOutputs() {
        MultiLayerNetwork net = Models.lenet5Caffe(1, 1e-3);
        MultiLayerNetwork f = LowRank.factorize(net, Map.of("conv2", 50));   // M = [50, 20*25]: full rank 50
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 784);
        assertTrue(f.output(x).equalsWithEps(net.output(x), 1e-4));
        MultiLayerNetwork g = LowRank.factorize(net, Map.of("conv2", 10));
        assertEquals(LowRank.weightCount(net) - 50 * 500 + 10 * 500 + 50 * 10, LowRank.weightCount(g));
    }

    @Test
    void factorisingAResNetRewiresEveryReaderAndKeepsTheOutputsAtFullRank() {
        ComputationGraph net = Models.resnet8(1, 1e-3, 4);
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 784);
        INDArray before = net.outputSingle(false, x);
        // b1_conv1 is read by its batch norm; stem by b1_conv1 and by b1_add (the identity shortcut) through stem_bn;
        // fc is the graph's output. M of b2_conv1 is [8, 4*3*3]: full rank 8
        ComputationGraph f = LowRank.factorize(net, Map.of("b2_conv1", 8, "fc", 10));
        assertTrue(f.outputSingle(false, x).equalsWithEps(before, 1e-4));
        assertEquals(java.util.List.of("fc_v"), f.getConfiguration().getNetworkOutputs());
        assertEquals(java.util.List.of("b2_conv1_u"), f.getConfiguration().getVertexInputs().get("b2_conv1_v"));
        assertEquals(java.util.List.of("b2_conv1_v"), f.getConfiguration().getVertexInputs().get("b2_conv1_bn"));
        assertEquals(java.util.List.of("b1_relu"), f.getConfiguration().getVertexInputs().get("b2_conv1_u"));
        assertEquals(before, net.outputSingle(false, x), "the original graph is unchanged");
        // a lower rank is the truncated SVD of M = [out, in kh kw], computed by hand
        ComputationGraph r2 = LowRank.factorize(net, Map.of("b3_conv2", 2));
        INDArray u = r2.getLayer("b3_conv2_u").getParam("W").reshape(2, 16 * 9);
        INDArray v = r2.getLayer("b3_conv2_v").getParam("W").reshape(16, 2);
        assertTrue(v.mmul(u).castTo(DataType.DOUBLE).equalsWithEps(Svd.of(LowRank.matrix(net, "b3_conv2")).reconstruct(2), 1e-5));
        assertEquals(LowRank.weightCount(net) - 16 * 16 * 9 + 2 * 16 * 9 + 16 * 2, LowRank.weightCount(r2));
        // depthwise convolutions are not [out, in k k] matrices
        String msg = assertThrows(IllegalArgumentException.class,
                () -> LowRank.factorize(Models.depthwiseNet(1, 1e-3, 4), Map.of("dw1", 1))).getMessage();
        assertTrue(msg.contains("dw1") && msg.contains("DEPTHWISE"), msg);
    }

    @Test
    void badInput() {
        MultiLayerNetwork net = Models.mlp(1, 1e-3, 30);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LowRank.factorize(net, Map.of("fc9", 3)));
        assertTrue(e.getMessage().contains("fc1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LowRank.factorize(net, Map.of("fc1", 31)));
        assertTrue(e.getMessage().contains("1-30"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Svd.of(Nd4j.create(2, 2, 2)));
    }
}
