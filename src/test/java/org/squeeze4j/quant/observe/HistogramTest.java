package org.squeeze4j.quant.observe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Bin assignment, growth and merging worked out by hand. */
class HistogramTest {

    @Test
    void magnitudeBinsOfTheFirstBatch() {
        // max|x| = 4 over 4 bins: w = 1; |x| = 0.5, 1 (lower edge of bin 1), 1.5, 2.5, 3.99, 4 (top edge, closed)
        Histogram h = new Histogram(Histogram.Kind.MAGNITUDE, 4);
        h.add(new double[] {0.5, -1, 1.5, -2.5, 3.99, -4});
        assertEquals(1.0, h.binWidth(), 0);
        assertArrayEquals(new long[] {1, 2, 1, 2}, h.counts());
        assertEquals(0, h.firstBinIndex());
        assertEquals(4.0, h.upperEdge(), 0);
        assertEquals(-4, h.min(), 0);
        assertEquals(3.99, h.max(), 0);
        assertEquals(6, h.total());
        assertEquals(2.5, h.center(2), 0);
    }

    @Test
    void growthAppendsBinsOfTheSameWidthWithoutMovingCounts() {
        Histogram h = new Histogram(Histogram.Kind.MAGNITUDE, 4, 100);
        h.add(new double[] {0.5, 1.5, 2.5, 4}); // w = 4 / 4 = 1
        // 6.2 needs bins up to k = ceil(6.2) - 1 = 6: three more bins, counts unchanged
        h.add(new double[] {6.2, 0.1});
        assertEquals(1.0, h.binWidth(), 0);
        assertArrayEquals(new long[] {2, 1, 1, 1, 0, 0, 1}, h.counts());
    }

    @Test
    void exceedingMaxBinsMergesPairsExactly() {
        // 4 initial bins of width 1, at most 5 bins: 9.5 needs bins 0..9 (10 > 5), so pairs merge once:
        // w = 2, old bin k -> k / 2: counts [1,1,1,1] -> [2, 2], then 9.5 lands in bin 4 -> [2, 2, 0, 0, 1]
        Histogram h = new Histogram(Histogram.Kind.MAGNITUDE, 4, 5);
        h.add(new double[] {0.5, 1.5, 2.5, 4});
        h.add(new double[] {9.5});
        assertEquals(2.0, h.binWidth(), 0);
        assertArrayEquals(new long[] {2, 2, 0, 0, 1}, h.counts());
        // a huge jump merges many times at once and keeps every count
        h.add(new double[] {1e9});
        assertEquals(6, Arrays.stream(h.counts()).sum());
        assertTrue(h.bins() <= 5);
        assertEquals(1e9, h.max(), 0);
    }

    @Test
    void signedBinsAreAnchoredAtZero() {
        // x in [-1, 3] over 4 bins: w = (3 - (-1)) / 4 = 1, bins k = -1..2 cover [-1, 3]
        Histogram h = new Histogram(Histogram.Kind.SIGNED, 4);
        h.add(new double[] {-1, -0.5, 0, 0.5, 2.9, 3});
        assertEquals(-1, h.firstBinIndex());
        assertArrayEquals(new long[] {2, 2, 0, 2}, h.counts());
        assertEquals(-1.0, h.lowerEdge(0), 0);
        // -2.5 prepends bins -2 and -3
        h.add(new double[] {-2.5});
        assertEquals(-3, h.firstBinIndex());
        assertArrayEquals(new long[] {1, 0, 2, 2, 0, 2}, h.counts());
    }

    @Test
    void zerosBeforeTheFirstNonZeroValueLandInTheZeroBin() {
        Histogram h = new Histogram(Histogram.Kind.MAGNITUDE, 4);
        h.add(new double[] {0, 0, 0});
        assertEquals(0, h.binWidth(), 0);
        assertArrayEquals(new long[] {3}, h.counts());
        h.add(new double[] {2});
        assertEquals(0.5, h.binWidth(), 0);
        assertArrayEquals(new long[] {3, 0, 0, 1}, h.counts());
    }

    @Test
    void quantileInterpolatesInsideTheBin() {
        // 4 bins of width 1 with counts [1, 2, 1, 0...]: f = 0.5 of 4 values -> target 2: bin 1 holds ranks (1, 3],
        // so q = 1 + 1 * (2 - 1) / 2 = 1.5
        Histogram h = new Histogram(Histogram.Kind.MAGNITUDE, 4);
        h.add(new double[] {0.5, 1.2, 1.7, 4});
        assertEquals(1.5, h.quantile(0.5), 1e-12);
        assertEquals(4.0, h.quantile(1.0), 0);
        assertThrows(IllegalArgumentException.class, () -> h.quantile(1.5));
        Random rnd = new Random(11);
        Histogram big = new Histogram(Histogram.Kind.SIGNED, 2048);
        double[] v = new double[50_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextGaussian();
        }
        big.add(v);
        double[] sorted = v.clone();
        Arrays.sort(sorted);
        assertEquals(sorted[(int) (0.99 * v.length)], big.quantile(0.99), big.binWidth());
        assertEquals(sorted[(int) (0.01 * v.length)], big.quantile(0.01), big.binWidth());
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Histogram(Histogram.Kind.SIGNED, 1));
        assertThrows(IllegalArgumentException.class, () -> new Histogram(Histogram.Kind.SIGNED, 8, 8));
        assertThrows(IllegalArgumentException.class, () -> new Histogram(Histogram.Kind.SIGNED, 8).add(new double[] {Double.NaN}));
    }

    @Test
    void tinyValuesNeitherHangNorLoseCounts() {
        // 1e-320 / 2048 underflows to 0: the width used to stay 0 and the growth loop never ended
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
            for (Histogram.Kind kind : Histogram.Kind.values()) {
                Histogram h = new Histogram(kind, 2048);
                h.add(new double[] {1e-320, -2e-320, 0});
                h.add(new double[] {3e-310, 1e-300});
                h.add(new double[] {1.0, -1e30});      // then ordinary values, 330 decades up
                assertTrue(h.binWidth() > 0, kind + ": width " + h.binWidth());
                assertEquals(7, Arrays.stream(h.counts()).sum(), kind.toString());
            }
            for (Observer o : java.util.List.<Observer>of(new PercentileObserver(99.9, PercentileObserver.Mode.MAGNITUDE),
                    new MseObserver(org.squeeze4j.quant.QuantSpec.symmetric(8)), new EntropyObserver())) {
                o.observe(org.nd4j.linalg.factory.Nd4j.createFromArray(1e-320, 4e-321, -3e-320, 0.0));
                org.squeeze4j.quant.Range r = o.range();
                assertTrue(Double.isFinite(r.min()) && Double.isFinite(r.max()), o.getClass().getSimpleName() + ": " + r);
            }
        });
    }

    @Test
    void valuesBeyondFloat32AreRefusedWithTheReason() {
        Histogram h = new Histogram(Histogram.Kind.SIGNED, 16);
        String msg = assertThrows(IllegalArgumentException.class, () -> h.add(new double[] {1, -1e308})).getMessage();
        assertTrue(msg.contains("float32") && msg.contains("-1.0E308"), msg);
        h.add(new double[] {Float.MAX_VALUE, -Float.MAX_VALUE});
        assertEquals(2, Arrays.stream(h.counts()).sum());
    }
}
