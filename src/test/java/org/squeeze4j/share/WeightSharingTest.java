package org.squeeze4j.share;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.squeeze4j.models.Models;
import org.squeeze4j.prune.PrunableLayers;
import org.squeeze4j.prune.Pruner;
import org.squeeze4j.prune.Selection;

class WeightSharingTest {

    /** Plain Lloyd: O(nk) assignment by scanning every centroid, the textbook loop. */
    static double[] slowLloyd(float[] values, double[] init, int iterations) {
        double[] c = init.clone();
        for (int it = 0; it < iterations; it++) {
            double[] sum = new double[c.length];
            int[] n = new int[c.length];
            for (float v : values) {
                int best = 0;
                for (int j = 1; j < c.length; j++) {
                    if (Math.abs(v - c[j]) < Math.abs(v - c[best])) {
                        best = j;
                    }
                }
                sum[best] += v;
                n[best]++;
            }
            double[] next = c.clone();
            for (int j = 0; j < c.length; j++) {
                if (n[j] > 0) {
                    next[j] = sum[j] / n[j];
                }
            }
            Arrays.sort(next);
            if (Arrays.equals(next, c)) {
                break;
            }
            c = next;
        }
        return c;
    }

    @Test
    void kmeansMatchesTheSlowReferenceForEveryInit() {
        Random r = new Random(1);
        float[] v = new float[3000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * (i % 3 == 0 ? 0.3 : 0.05));
        }
        double[] sorted = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            sorted[i] = v[i];
        }
        Arrays.sort(sorted);
        for (CentroidInit init : CentroidInit.values()) {
            double[] start = init.centroids(sorted, 15, new Random(7));
            double[] fast = KMeans1D.fit(v, 15, init, 7, 50);
            assertArrayEquals(slowLloyd(v, start, 50), fast, 1e-9, init.name());
        }
    }

    @Test
    void initialisationsByHand() {
        double[] sorted = {-1, 0, 0.1, 0.2, 0.3, 2};
        assertArrayEquals(new double[] {-1, 0.5, 2}, CentroidInit.LINEAR.centroids(sorted, 3, new Random(0)), 1e-12);
        // CDF quantiles (i + 1/2)/k of 6 values: positions floor(6 * 1/6)=1, floor(6 * 1/2)=3, floor(6 * 5/6)=5
        assertArrayEquals(new double[] {0, 0.2, 2}, CentroidInit.DENSITY.centroids(sorted, 3, new Random(0)), 1e-12);
        double[] pp = CentroidInit.K_MEANS_PLUS_PLUS.centroids(sorted, 3, new Random(3));
        assertEquals(3, Arrays.stream(pp).distinct().count(), "k-means++ picks distinct points here: " + Arrays.toString(pp));
        assertArrayEquals(pp, CentroidInit.K_MEANS_PLUS_PLUS.centroids(sorted, 3, new Random(3)), "seeded");
    }

    @Test
    void kmeansOnTwoObviousClusters() {
        float[] v = {-1.1f, -1f, -0.9f, 2f, 2.2f, 1.8f};
        assertArrayEquals(new double[] {-1, 2}, KMeans1D.fit(v, 2, CentroidInit.LINEAR, 0, 20), 1e-6);
    }

    @Test
    void codebookSymbols() {
        Codebook c = new Codebook(new float[] {-0.5f, 0.1f, 0.4f});
        assertEquals(0, c.symbolOf(0f));
        assertEquals(1, c.symbolOf(-3f));
        assertEquals(1, c.symbolOf(-0.2f));    // midpoint -0.2 goes to the lower centroid
        assertEquals(2, c.symbolOf(-0.19f));
        assertEquals(3, c.symbolOf(9f));
        assertEquals(0.1f, c.value(2));
        assertThrows(IllegalArgumentException.class, () -> new Codebook(new float[] {1, 0}));
    }

    @Test
    void sharingKeepsZerosAndUsesAtMostTwoToTheBitsMinusOneValues() {
        MultiLayerNetwork net = Models.mlp(1, 1e-3, 64);
        Pruner.builder().selection(Selection.sparsity(0.8)).build().prune(net);
        INDArray before = PrunableLayers.weights(net, "fc1").dup();
        SharedWeights s = WeightSharing.builder().denseBits(4).bits("fc2", 3).build().apply(net);
        INDArray after = PrunableLayers.weights(net, "fc1");
        assertEquals(before.eq(0), after.eq(0));
        float[] distinct = nonZeroDistinct(after);
        assertTrue(distinct.length <= 15, "distinct " + distinct.length);
        assertEquals(15, s.layer("fc1").codebook().size());
        assertEquals(7, s.layer("fc2").codebook().size());
        // every weight went to its nearest centroid
        float[] b = before.dup('c').reshape(-1).toFloatVector();
        float[] a = after.dup('c').reshape(-1).toFloatVector();
        float[] c = s.layer("fc1").codebook().centroids();
        for (int p = 0; p < b.length; p++) {
            if (b[p] != 0) {
                float nearest = c[0];
                for (float x : c) {
                    nearest = Math.abs(b[p] - x) < Math.abs(b[p] - nearest) ? x : nearest;
                }
                assertEquals(Math.abs(b[p] - nearest), Math.abs(b[p] - a[p]), 1e-7);
            }
        }
    }

    @Test
    void badBitsAndTooFewWeightsGiveClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WeightSharing.builder().denseBits(9));
        assertTrue(e.getMessage().contains("1-8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> WeightSharing.builder().bits("fc1", 0));
        assertTrue(e.getMessage().contains("fc1"), e.getMessage());
        MultiLayerNetwork net = Models.mlp(1, 1e-3, 8);             // fc2 has 80 weights
        Pruner.builder().selection(Selection.sparsity(0.9)).build().prune(net);   // 8 left in fc2
        e = assertThrows(IllegalArgumentException.class, () -> WeightSharing.builder().denseBits(5).build().apply(net));
        assertTrue(e.getMessage().contains("fc2") && e.getMessage().contains("at most 3 bits"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> WeightSharing.builder().bits("fc7", 3).build().apply(net));
        assertTrue(e.getMessage().contains("fc7"), e.getMessage());
    }

    @Test
    void centroidGradientIsTheSumOfItsWeightsGradients() {
        MultiLayerNetwork net = Models.mlp(3, 1e-3, 16);
        Pruner.builder().layers("fc1").selection(Selection.sparsity(0.5)).build().prune(net);
        SharedWeights shared = WeightSharing.builder().layers("fc1").denseBits(3).build().apply(net);
        DataSet ds = new DataSet(Nd4j.rand(DataType.FLOAT, 32, 784), Nd4j.eye(10).repeat(0, 4).get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 32), org.nd4j.linalg.indexing.NDArrayIndex.all()).castTo(DataType.FLOAT));
        // reference: dL/dW at the shared weights, summed by hand per cluster
        net.setInput(ds.getFeatures());
        net.setLabels(ds.getLabels());
        net.computeGradientAndScore();
        float[] g = net.gradient().getGradientFor("0_W").dup('c').reshape(-1).toFloatVector();
        int[] symbols = shared.layer("fc1").symbols();
        float[] c = shared.layer("fc1").codebook().centroids();
        double[] expected = new double[c.length];
        for (int k = 1; k <= c.length; k++) {
            double sum = 0;
            for (int p = 0; p < g.length; p++) {
                sum += symbols[p] == k ? g[p] : 0;
            }
            expected[k - 1] = c[k - 1] - 0.5 * sum;       // one SGD step, lr 0.5
        }
        CodebookFineTuning tuning = new CodebookFineTuning(shared, new Sgd(0.5));
        net.setListeners(tuning);
        net.fit(ds);
        float[] tuned = new float[c.length];
        SharedLayer after = tuning.shared().layer("fc1");
        for (int p = 0; p < symbols.length; p++) {       // read each cluster's value through a weight of it
            if (symbols[p] != 0) {
                tuned[symbols[p] - 1] = after.codebook().value(after.symbols()[p]);
            }
        }
        int checked = 0;
        for (int k = 0; k < c.length; k++) {
            if (!hasMember(symbols, k + 1)) {
                continue;                                 // an empty cluster gets no gradient and no weight to read it through
            }
            checked++;
            assertEquals(expected[k], tuned[k], 1e-5 + 1e-4 * Math.abs(expected[k]), "centroid " + k);
        }
        assertTrue(checked >= 5, "clusters checked: " + checked);
        // weights are tied to the centroids, pruned ones still zero
        INDArray w = PrunableLayers.weights(net, "fc1");
        assertEquals(after.weights().castTo(w.dataType()), w.dup('c'));
        assertEquals(Nd4j.createFromArray(symbols).eq(0).reshape(w.shape()), w.eq(0).reshape(w.shape()));
    }

    private static boolean hasMember(int[] symbols, int k) {
        return Arrays.stream(symbols).anyMatch(s -> s == k);
    }

    private static float[] nonZeroDistinct(INDArray a) {
        float[] v = a.dup('c').reshape(-1).toFloatVector();
        return toFloat(Arrays.stream(toDouble(v)).filter(x -> x != 0).distinct().toArray());
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
