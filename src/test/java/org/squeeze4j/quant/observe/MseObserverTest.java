package org.squeeze4j.quant.observe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.quant.QParams;
import org.squeeze4j.quant.QuantSpec;
import org.squeeze4j.quant.Quantizer;
import org.squeeze4j.quant.Range;

/** The MSE search on a tiny histogram by hand, and against the raw-data error on outlier data. */
class MseObserverTest {

    @Test
    void tinyHistogramByHand() {
        // data {1.5, 1.5, 1.5, 4}, 4 signed bins on [0, 4]: w = 1, counts [0, 3, 0, 1], centres 1.5 and 3.5
        // target uint2 symmetric: codes 0..3, s = t / 3; K = 4 candidates t = 1, 2, 3, 4
        //   t=1, s=1/3: 1.5 -> rint(4.5) = 4 -> clip 3 -> 1, err .5;   3.5 -> 3 -> 1, err 2.5    (3 * .25 + 6.25) / 4 = 1.75
        //   t=2, s=2/3: 1.5 -> rint(2.25) = 2 -> 4/3, err 1/6;        3.5 -> rint(5.25) -> 3 -> 2, err 1.5   (3/36 + 2.25) / 4 = 0.5833...
        //   t=3, s=1:   1.5 -> rint(1.5) = 2 -> 2, err .5;            3.5 -> 4 -> 3, err .5      (.75 + .25) / 4 = 0.25
        //   t=4, s=4/3: 1.5 -> rint(1.125) = 1 -> 4/3, err 1/6;       3.5 -> rint(2.625) = 3 -> 4, err .5    (3/36 + .25) / 4 = 0.0833...
        MseObserver o = new MseObserver(QuantSpec.symmetric(2, false), 4, 4);
        o.observe(Nd4j.createFromArray(1.5f, 1.5f, 1.5f, 4f));
        ThresholdSearch s = o.search();
        assertArrayEquals(new double[] {1.75, (3.0 / 36 + 2.25) / 4, 0.25, (3.0 / 36 + 0.25) / 4}, s.losses(), 1e-12);
        assertEquals(3, s.best());
        assertEquals(new Range(0, 4), o.range());
        assertEquals(new Range(0, 2), s.candidates().get(1));
    }

    @Test
    void outliersAreClippedAndTheChoiceIsNearTheBestOnRawData() {
        Random rnd = new Random(42);
        float[] x = new float[20_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        x[0] = 40f;
        x[1] = -35f;
        QuantSpec spec = QuantSpec.symmetric(4);
        MseObserver o = new MseObserver(spec);
        o.observe(Nd4j.createFromArray(x));
        Range r = o.range();
        assertTrue(r.max() < 10 && r.max() > 1.5, "4-bit MSE threshold should clip the outliers, got " + r);

        // slow reference: the true mean squared error on the raw data of every candidate
        ThresholdSearch s = o.search();
        double bestRaw = Double.POSITIVE_INFINITY;
        double chosenRaw = 0;
        for (int k = 0; k < s.candidates().size(); k++) {
            double e = rawMse(x, spec, s.candidates().get(k));
            bestRaw = Math.min(bestRaw, e);
            if (k == s.best()) {
                chosenRaw = e;
            }
        }
        assertTrue(chosenRaw <= bestRaw * 1.02, "chosen " + chosenRaw + " vs best " + bestRaw);
        assertTrue(chosenRaw < 0.5 * rawMse(x, spec, new Range(-40, 40)), "clipping must beat min-max");
    }

    @Test
    void affineTargetsSearchBothEnds() {
        // one-sided data with a long tail: the affine uint8 range keeps lo = 0 and clips the top
        Random rnd = new Random(1);
        float[] x = new float[10_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.abs(rnd.nextGaussian());
        }
        x[3] = 100f;
        MseObserver o = new MseObserver(QuantSpec.affine(3, false));
        o.observe(Nd4j.createFromArray(x));
        Range r = o.range();
        assertEquals(0, r.min(), 0);
        assertTrue(r.max() < 20, "got " + r);
        assertEquals(0, o.qparams(QuantSpec.affine(3, false)).zeroPoint());
    }

    @Test
    void allZeroDataGivesTheEpsilonScale() {
        MseObserver o = new MseObserver(QuantSpec.symmetric(8));
        o.observe(Nd4j.zeros(4, 4));
        assertEquals(new Range(0, 0), o.range());
        assertEquals(QParams.EPS, o.qparams(QuantSpec.symmetric(8)).scale(), 0);
    }

    @Test
    void perChannelTargetsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new MseObserver(QuantSpec.symmetric(8).perChannel(0)));
        assertThrows(IllegalArgumentException.class, () -> new MseObserver(QuantSpec.symmetric(8), 16, 0));
    }

    private static double rawMse(float[] x, QuantSpec spec, Range range) {
        QParams p = QParams.fromRange(spec, range);
        double sum = 0;
        for (float v : x) {
            double e = v - Quantizer.fakeQuantize(v, p.scale(), p.zeroPoint(), spec.qmin(), spec.qmax());
            sum += e * e;
        }
        return sum / x.length;
    }
}
