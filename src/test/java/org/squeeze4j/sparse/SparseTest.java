package org.squeeze4j.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.data.Datasets;
import org.squeeze4j.models.Models;
import org.squeeze4j.prune.Pruner;
import org.squeeze4j.prune.Scope;

class SparseTest {

    @Test
    void relativeIndicesWithFillerZerosByHand() {
        // positions 0 and 8 of a 1x10 row with 2-bit gaps (largest gap 3):
        // entry 1: gap 1 (from -1 to 0); then 8 = 3 + 3 + 2: two fillers and the value
        INDArray w = Nd4j.create(new float[] {5, 0, 0, 0, 0, 0, 0, 0, -7, 0}, new long[] {1, 10}, 'c');
        RelativeIndexEncoding e = RelativeIndexEncoding.encode(w, 2);
        assertArrayEquals(new int[] {1, 3, 3, 2}, e.gaps());
        assertArrayEquals(new float[] {5, 0, 0, -7}, e.values());
        assertEquals(2, e.fillers());
        assertEquals(4, e.entries());
        assertEquals((4 * (32 + 2) + 7) / 8, e.bytes(32)); // 136 bits = 17 bytes
        assertEquals(w, e.decode());
        assertThrows(IllegalArgumentException.class, () -> RelativeIndexEncoding.encode(w, 0));
    }

    @Test
    void decodeReproducesAPrunedLayerExactly() {
        MultiLayerNetwork net = Models.lenet300100(2, 1e-3);
        Pruner.builder().sparsity(0.92).scope(Scope.GLOBAL).build().prune(net);
        INDArray w = net.getLayer(0).getParam("W");
        RelativeIndexEncoding e = RelativeIndexEncoding.encode(w, 5);
        assertEquals(w, e.decode());
        long nonZeros = w.neq(0).castTo(org.nd4j.linalg.api.buffer.DataType.LONG).sumNumber().longValue();
        assertEquals(nonZeros, e.entries() - e.fillers());
    }

    @Test
    void sparseMlpMatchesTheDenseNetwork() {
        MultiLayerNetwork net = Models.lenet300100(3, 1e-3);
        Pruner.builder().sparsity(0.9).build().prune(net);
        SparseMlp sparse = SparseMlp.of(net);
        INDArray x = Datasets.mnist().test().features(0, 1, 2);
        INDArray dense = net.output(x);
        for (int r = 0; r < 3; r++) {
            float[] p = sparse.probabilities(x.getRow(r).toFloatVector());
            for (int c = 0; c < 10; c++) {
                assertEquals(dense.getFloat(r, c), p[c], 1e-5);
            }
            assertEquals(dense.getRow(r).argMax().getInt(0), sparse.predict(x.getRow(r).toFloatVector()));
        }
        long nnz = 0;
        for (int i = 0; i < 3; i++) {
            nnz += net.getLayer(i).getParam("W").neq(0).castTo(org.nd4j.linalg.api.buffer.DataType.LONG).sumNumber().longValue();
        }
        assertEquals(nnz, sparse.nonZeros());
        // CSR bytes: 8 per non-zero + 4 per row start (nOut + 1) + 4 per bias
        assertEquals(8 * nnz + 4L * (301 + 101 + 11) + 4L * (300 + 100 + 10), sparse.csrBytes());
    }

    @Test
    void sparseMlpRefusesOtherLayers() {
        assertThrows(IllegalArgumentException.class, () -> SparseMlp.of(Models.lenet5(1, 1e-3)));
    }
}
