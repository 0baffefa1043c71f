package org.squeeze4j.quant.observe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.quant.QuantSpec;
import org.squeeze4j.quant.Range;

/** The TensorRT entropy search scaled down to 8 bins and 3 levels, checked by hand and against a slow reference. */
class EntropyObserverTest {
    /** |x| counts per unit-width bin [k, k+1): c = [9, 7, 5, 4, 2, 1, 1, 3]; max|x| = 8 so w = 8 / 8 = 1. */
    private static final int[] COUNTS = {9, 7, 5, 4, 2, 1, 1, 3};

    private static float[] tinyData() {
        List<Float> v = new ArrayList<>();
        for (int k = 0; k < COUNTS.length; k++) {
            for (int n = 0; n < COUNTS[k]; n++) {
                v.add((n % 2 == 0 ? 1f : -1f) * (k + 0.5f));
            }
        }
        v.set(v.size() - 1, -8f); // the last of bin 7 sits on the top edge: max|x| = 8
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }

    @Test
    void klValuesOfTheTinyHistogram() {
        // candidate i = 4 (levels = 3), worked out:
        //   P = [9, 7, 5, 4 + (2 + 1 + 1 + 3)] = [9, 7, 5, 11] / 32 = [0.28125, 0.21875, 0.15625, 0.34375]
        //   groups j * 3 / 4: j = 0, 1 -> 0; j = 2 -> 1; j = 3 -> 2; sums of the unclipped bins: 16, 5, 4
        //   Q = [8, 8, 5, 4] / 25 = [0.32, 0.32, 0.2, 0.16]        (no zeros, so smoothing changes nothing)
        //   KL = .28125 ln(.28125/.32) + .21875 ln(.21875/.32) + .15625 ln(.15625/.2) + .34375 ln(.34375/.16) = 0.1047942...
        // the other candidates the same way (computed independently in Python):
        double[] kl = {0.1603619398265369, 0.10479422209969516, 0.10979905031919521, 0.07822567533587207, 0.10357380810838643};
        EntropyObserver o = new EntropyObserver(8, 3, Divergence.KL);
        o.observe(Nd4j.createFromArray(tinyData()));
        assertEquals(1.0, o.histogram().binWidth(), 0);
        assertArrayEquals(new long[] {9, 7, 5, 4, 2, 1, 1, 3}, o.histogram().counts());
        ThresholdSearch s = o.search();
        assertArrayEquals(kl, s.losses(), 1e-12);
        // minimum at i = 6: threshold (6 + 0.5) * w = 6.5; negatives were seen, so the range is symmetric
        assertEquals(3, s.best());
        assertEquals(Range.symmetric(6.5), o.range());
        assertEquals(Range.symmetric(3.5), s.candidates().get(0));
        assertEquals(6.5 / 127.5, o.qparams(QuantSpec.symmetric(8)).scale(), 1e-15);
    }

    @Test
    void symmetricKlAndJensenShannonOfTheTinyHistogram() {
        double[] sym = {0.3046347359014878, 0.1948376283924687, 0.1936374300311809, 0.13834299226653915, 0.1869504121020323};
        double[] js = {0.03743607873391531, 0.023906146903506793, 0.023284283601761248, 0.01666261368279405, 0.022373833294415384};
        EntropyObserver a = new EntropyObserver(8, 3, Divergence.SYMMETRIC_KL);
        EntropyObserver b = new EntropyObserver(8, 3, Divergence.JENSEN_SHANNON);
        a.observe(Nd4j.createFromArray(tinyData()));
        b.observe(Nd4j.createFromArray(tinyData()));
        assertArrayEquals(sym, a.search().losses(), 1e-12);
        assertArrayEquals(js, b.search().losses(), 1e-12);
    }

    @Test
    void histogramsWithEmptyBinsMatchASlowReference() {
        Random rnd = new Random(9);
        int bins = 32;
        int levels = 4;
        int[] counts = new int[bins];
        List<Float> v = new ArrayList<>();
        for (int k = 0; k < bins; k++) {
            counts[k] = rnd.nextDouble() < 0.4 ? 0 : rnd.nextInt(20);
            if (k > 20 && k < bins - 1) {
                counts[k] = k == 27 ? 2 : 0; // a gap and an isolated cluster of outliers
            }
            for (int n = 0; n < counts[k]; n++) {
                v.add(k + 0.25f + 0.5f * rnd.nextFloat());
            }
        }
        counts[bins - 1]++;
        v.add((float) bins); // max|x| = 32 -> w = 1, on the top edge of bin 31
        float[] x = new float[v.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = v.get(i);
        }
        for (Divergence d : Divergence.values()) {
            EntropyObserver o = new EntropyObserver(bins, levels, d);
            o.observe(Nd4j.createFromArray(x));
            double[] expected = new double[bins - levels];
            for (int i = levels; i < bins; i++) {
                expected[i - levels] = referenceDivergence(counts, i, levels, d);
            }
            assertArrayEquals(expected, o.search().losses(), 1e-9, d.name());
            assertEquals(0, o.range().min(), 0, "no negative values were seen: [0, t]");
        }
    }

    @Test
    void gaussianWithHugeOutliersGetsAThresholdFarBelowMax() {
        Random rnd = new Random(2017);
        float[] x = new float[30_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < 5; i++) {
            x[i] = (i % 2 == 0 ? 50f : -50f);
        }
        EntropyObserver o = new EntropyObserver();
        for (int b = 0; b < 3; b++) {
            o.observe(Nd4j.createFromArray(java.util.Arrays.copyOfRange(x, b * 10_000, (b + 1) * 10_000)));
        }
        double t = o.range().max();
        assertTrue(t > 2 && t < 10, "KL threshold for N(0,1) plus outliers at 50 should be a few sigma, got " + t);
        assertEquals(-t, o.range().min(), 0);
    }

    @Test
    void degenerateInputs() {
        EntropyObserver zeros = new EntropyObserver();
        zeros.observe(Nd4j.zeros(3, 3));
        assertEquals(new Range(0, 0), zeros.range());
        assertThrows(IllegalArgumentException.class, () -> new EntropyObserver(128, 128, Divergence.KL));
        assertThrows(IllegalArgumentException.class, () -> new EntropyObserver(16, 0, Divergence.KL));
        assertThrows(IllegalArgumentException.class, () -> new EntropyObserver(16, 4, null));
    }

    /** The procedure written out directly: groups as explicit member lists, MXNet smoothing, then the divergence. */
    private static double referenceDivergence(int[] c, int i, int levels, Divergence d) {
        double[] p = new double[i];
        for (int j = 0; j < i; j++) {
            p[j] = c[j];
        }
        for (int j = i; j < c.length; j++) {
            p[i - 1] += c[j];
        }
        double[] q = new double[i];
        for (int g = 0; g < levels; g++) {
            List<Integer> members = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                if (j * levels / i == g) {
                    members.add(j);
                }
            }
            double sum = 0;
            int nonZero = 0;
            for (int j : members) {
                sum += c[j];
                nonZero += p[j] > 0 ? 1 : 0;
            }
            for (int j : members) {
                q[j] = p[j] > 0 ? sum / nonZero : 0;
            }
        }
        if (!smooth(p) || !smooth(q)) {
            return Double.POSITIVE_INFINITY;
        }
        double klPQ = 0;
        double klQP = 0;
        double js = 0;
        for (int j = 0; j < i; j++) {
            klPQ += p[j] * Math.log(p[j] / q[j]);
            klQP += q[j] * Math.log(q[j] / p[j]);
            double m = (p[j] + q[j]) / 2;
            js += 0.5 * p[j] * Math.log(p[j] / m) + 0.5 * q[j] * Math.log(q[j] / m);
        }
        return switch (d) {
            case KL -> klPQ;
            case SYMMETRIC_KL -> klPQ + klQP;
            case JENSEN_SHANNON -> js;
        };
    }

    private static boolean smooth(double[] h) {
        int zeros = 0;
        for (double v : h) {
            zeros += v == 0 ? 1 : 0;
        }
        if (zeros == h.length) {
            return false;
        }
        double eps1 = 1e-4 * zeros / (h.length - zeros);
        double total = 0;
        for (int j = 0; j < h.length; j++) {
            h[j] = h[j] == 0 ? 1e-4 : h[j] - eps1;
            if (h[j] <= 0) {
                return false;
            }
            total += h[j];
        }
        for (int j = 0; j < h.length; j++) {
            h[j] /= total;
        }
        return true;
    }
}
