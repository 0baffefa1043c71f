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
        //   groups of 4 / 3 = 1 bin, the last taking the remainder: {0}, {1}, {2, 3}; sums of the unclipped bins: 9, 7, 9
        //   Q = [9, 7, 4.5, 4.5] / 25 = [0.36, 0.28, 0.18, 0.18]        (no zeros, so smoothing changes nothing)
        //   KL = .28125 ln(.28125/.36) + .21875 ln(.21875/.28) + .15625 ln(.15625/.18) + .34375 ln(.34375/.18) = 0.0768524...
        // the other candidates the same way (src/test/python/entropy_reference.py, written independently):
        double[] kl = {0.1603619398265369, 0.0768523975226052, 0.030888785203136537, 0.07822567533587207, 0.06089415551913406};
        EntropyObserver o = new EntropyObserver(8, 3, Divergence.KL);
        o.observe(Nd4j.createFromArray(tinyData()));
        assertEquals(1.0, o.histogram().binWidth(), 0);
        assertArrayEquals(new long[] {9, 7, 5, 4, 2, 1, 1, 3}, o.histogram().counts());
        ThresholdSearch s = o.search();
        assertArrayEquals(kl, s.losses(), 1e-12);
        // minimum at i = 5: threshold (5 + 0.5) * w = 5.5; negatives were seen, so the range is symmetric
        assertEquals(2, s.best());
        assertEquals(Range.symmetric(5.5), o.range());
        assertEquals(Range.symmetric(3.5), s.candidates().get(0));
        assertEquals(5.5 / 127.5, o.qparams(QuantSpec.symmetric(8)).scale(), 1e-15);
    }

    @Test
    void symmetricKlAndJensenShannonOfTheTinyHistogram() {
        double[] sym = {0.3046347359014878, 0.14386036495174487, 0.05903809147503093, 0.13834299226653915, 0.1096800132739717};
        double[] js = {0.03743607873391531, 0.017745042218909726, 0.007330792276576001, 0.01666261368279405, 0.01330561456945194};
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
                expected[i - levels] = referenceDivergence(java.util.Arrays.stream(counts).asLongStream().toArray(), i, levels, d, false);
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

    /**
     * TensorRT's settings (2048 bins, 128 levels) on ReLU-like, Gaussian and Laplace data: every
     * candidate's KL and the chosen threshold agree with the reference. On ReLU outputs with a few
     * large activations (here 80 % zeros, an exponential tail and max|x| = 32) the reference keeps
     * 255 bins, one level each but the last; the old grouping paired the zero spike of bin 0 with
     * bin 1 in every candidate below 256 bins and chose half the reference's threshold.
     */
    @Test
    void tensorRtSettingsAgreeWithTheReferenceOnReluGaussianAndLaplaceData() {
        Random rnd = new Random(4);
        int n = 100_000;
        java.util.Map<String, float[]> data = new java.util.LinkedHashMap<>();
        float[] relu = new float[n];
        float[] gauss = new float[n];
        float[] laplace = new float[n];
        for (int k = 0; k < n; k++) {
            relu[k] = rnd.nextDouble() < 0.8 ? 0f : (float) -Math.log(1 - rnd.nextDouble());    // 80 % zeros, exponential tail
            gauss[k] = (float) rnd.nextGaussian();
            double u = rnd.nextDouble() - 0.5;
            laplace[k] = (float) (-Math.signum(u) * Math.log(1 - 2 * Math.abs(u)));
        }
        for (int k = 0; k < 10; k++) {
            relu[k] = 32;              // a few large activations, as real layers have: max|x| = 32, w = 1/64
        }
        data.put("relu", relu);
        data.put("gaussian", gauss);
        data.put("laplace", laplace);
        for (java.util.Map.Entry<String, float[]> e : data.entrySet()) {
            EntropyObserver o = new EntropyObserver();
            o.observe(Nd4j.createFromArray(e.getValue()));
            long[] counts = o.histogram().counts();
            int levels = EntropyObserver.DEFAULT_LEVELS;
            double[] expected = new double[counts.length - levels];
            double[] spread = new double[counts.length - levels];
            for (int i = levels; i < counts.length; i++) {
                expected[i - levels] = referenceDivergence(counts, i, levels, Divergence.KL, false);
                spread[i - levels] = referenceDivergence(counts, i, levels, Divergence.KL, true);
            }
            ThresholdSearch s = o.search();
            assertArrayEquals(expected, s.losses(), 1e-9, e.getKey());
            assertEquals(argmin(expected), s.best(), e.getKey());
            if (e.getKey().equals("relu")) {
                double w = o.histogram().binWidth();
                double old = (argmin(spread) + levels + 0.5) * w;
                double chosen = s.bestRange().max();
                assertEquals(0, s.bestRange().min(), 0, "ReLU outputs: [0, t]");
                assertTrue(Math.abs(old - chosen) > 0.25 * chosen, "old grouping " + old + " vs reference " + chosen);
            }
        }
    }

    private static int argmin(double[] v) {
        int best = 0;
        for (int k = 1; k < v.length; k++) {
            if (v[k] < v[best]) {
                best = k;
            }
        }
        return best;
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

    /**
     * The procedure written out directly, in the reference grouping (MXNet's and TVM's
     * {@code _get_optimal_threshold}): bin j belongs to group {@code min(j / (i / levels), levels - 1)},
     * so the last group takes the remainder; groups as explicit member lists, MXNet smoothing,
     * then the divergence. {@code spreadRemainder} gives the grouping squeeze4j used before,
     * bin j in group {@code floor(j levels / i)}, to show where the two part.
     */
    private static double referenceDivergence(long[] c, int i, int levels, Divergence d, boolean spreadRemainder) {
        double[] p = new double[i];
        for (int j = 0; j < i; j++) {
            p[j] = c[j];
        }
        for (int j = i; j < c.length; j++) {
            p[i - 1] += c[j];
        }
        double[] q = new double[i];
        List<List<Integer>> groups = new ArrayList<>();
        for (int g = 0; g < levels; g++) {
            groups.add(new ArrayList<>());
        }
        for (int j = 0; j < i; j++) {
            groups.get(spreadRemainder ? (int) ((long) j * levels / i) : Math.min(j / (i / levels), levels - 1)).add(j);
        }
        for (List<Integer> members : groups) {
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
