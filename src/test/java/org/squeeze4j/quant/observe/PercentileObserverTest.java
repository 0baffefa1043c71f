package org.squeeze4j.quant.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.quant.Range;

/** Exact percentiles by hand, the histogram fallback against a sort. */
class PercentileObserverTest {

    @Test
    void exactMagnitudePercentile() {
        // |x| = 1..100, p = 99: position 0.99 * 99 = 98.01 -> 99 + 0.01 * (100 - 99) = 99.01; negatives seen -> [-t, t]
        float[] x = new float[100];
        for (int i = 0; i < 100; i++) {
            x[i] = (i % 2 == 0 ? 1 : -1) * (i + 1);
        }
        PercentileObserver o = new PercentileObserver(99, PercentileObserver.Mode.MAGNITUDE);
        o.observe(Nd4j.createFromArray(Arrays.copyOfRange(x, 0, 37)));
        o.observe(Nd4j.createFromArray(Arrays.copyOfRange(x, 37, 100)));
        assertTrue(o.isExact());
        assertEquals(99.01, o.range().max(), 1e-9);
        assertEquals(-99.01, o.range().min(), 1e-9);
    }

    @Test
    void exactValuePercentilesGiveAnAsymmetricRange() {
        // x = 1..101, p = 90: upper at position 0.9 * 100 = 90 -> 91; lower (10 %) at position 10 -> 11
        float[] x = new float[101];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        PercentileObserver o = new PercentileObserver(90, PercentileObserver.Mode.VALUES);
        o.observe(Nd4j.createFromArray(x));
        assertEquals(new Range(11, 91), o.range());
        // all non-negative in MAGNITUDE mode -> [0, t]
        PercentileObserver m = new PercentileObserver(100, PercentileObserver.Mode.MAGNITUDE);
        m.observe(Nd4j.createFromArray(x));
        assertEquals(new Range(0, 101), m.range());
    }

    @Test
    void largeInputsFallBackToTheHistogramWithinOneBin() {
        Random rnd = new Random(5);
        float[] x = new float[40_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        PercentileObserver exact = new PercentileObserver(99.9, PercentileObserver.Mode.MAGNITUDE);
        PercentileObserver approx = new PercentileObserver(99.9, PercentileObserver.Mode.MAGNITUDE, 10_000);
        for (int b = 0; b < 4; b++) {
            float[] batch = Arrays.copyOfRange(x, b * 10_000, (b + 1) * 10_000);
            exact.observe(Nd4j.createFromArray(batch));
            approx.observe(Nd4j.createFromArray(batch));
        }
        assertTrue(exact.isExact());
        assertFalse(approx.isExact());
        double maxAbs = 0;
        for (float v : x) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        double t = exact.range().max();
        assertTrue(t > 3.0 && t < maxAbs, "99.9 % of |N(0,1)| is about 3.29, got " + t);
        assertEquals(t, approx.range().max(), 2 * maxAbs / Histogram.DEFAULT_BINS);
    }

    @Test
    void badPercentilesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new PercentileObserver(50, PercentileObserver.Mode.VALUES));
        assertThrows(IllegalArgumentException.class, () -> new PercentileObserver(100.5, PercentileObserver.Mode.VALUES));
        assertThrows(IllegalArgumentException.class, () -> new PercentileObserver(Double.NaN, PercentileObserver.Mode.VALUES));
    }
}
