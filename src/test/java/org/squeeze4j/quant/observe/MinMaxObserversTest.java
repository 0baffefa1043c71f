package org.squeeze4j.quant.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.quant.QParams;
import org.squeeze4j.quant.QuantSpec;
import org.squeeze4j.quant.Range;

/** Min-max and moving-average observers against hand arithmetic. */
class MinMaxObserversTest {

    @Test
    void minMaxOfTinyBatches() {
        MinMaxObserver o = new MinMaxObserver();
        o.observe(Nd4j.createFromArray(0.5f, -1.25f, 2f));
        o.observe(Nd4j.createFromArray(new float[][] {{3.5f, 0f}, {-0.75f, 1f}}));
        assertEquals(new Range(-1.25, 3.5), o.range());
        assertEquals(7, o.count());
        // uint8 affine on [-1.25, 3.5]: s = 4.75 / 255, z = -rint(-1.25 / s) = rint(67.105...) = 67
        QParams p = o.qparams(QuantSpec.uint8Activations());
        assertEquals(4.75 / 255, p.scale(), 1e-15);
        assertEquals(67, p.zeroPoint());
    }

    @Test
    void minMaxDoesNotDependOnOrderOrBatching() {
        Random rnd = new Random(7);
        float[] all = new float[600];
        for (int i = 0; i < all.length; i++) {
            all[i] = (float) (rnd.nextGaussian() * 3);
        }
        List<INDArray> batches = new ArrayList<>();
        for (int b = 0; b < 6; b++) {
            batches.add(Nd4j.createFromArray(java.util.Arrays.copyOfRange(all, b * 100, b * 100 + 100)));
        }
        MinMaxObserver inOrder = new MinMaxObserver();
        batches.forEach(inOrder::observe);
        Collections.shuffle(batches, new Random(3));
        MinMaxObserver shuffled = new MinMaxObserver();
        batches.forEach(shuffled::observe);
        MinMaxObserver oneBatch = new MinMaxObserver();
        oneBatch.observe(Nd4j.createFromArray(all).reshape(20, 30));
        assertEquals(inOrder.range(), shuffled.range());
        assertEquals(inOrder.range(), oneBatch.range());
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (float v : all) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        assertEquals(new Range(lo, hi), inOrder.range());
    }

    @Test
    void movingAverageWithConstantOneHalf() {
        // batches [-1, 2], [-3, 4], [0, 1] with c = 0.5:
        //   after 1: min -1, max 2
        //   after 2: min = -1 + 0.5 (-3 - (-1)) = -2,   max = 2 + 0.5 (4 - 2) = 3
        //   after 3: min = -2 + 0.5 (0 - (-2)) = -1,    max = 3 + 0.5 (1 - 3) = 2
        MovingAverageMinMaxObserver o = new MovingAverageMinMaxObserver(0.5);
        o.observe(Nd4j.createFromArray(-1f, 2f));
        assertEquals(new Range(-1, 2), o.range());
        o.observe(Nd4j.createFromArray(-3f, 4f));
        assertEquals(new Range(-2, 3), o.range());
        o.observe(Nd4j.createFromArray(0f, 1f, 0.5f));
        assertEquals(new Range(-1, 2), o.range());
        assertEquals(3, o.batches());
        assertEquals(7, o.count());
    }

    @Test
    void movingAverageWithTorchDefault() {
        // c = 0.01: after 2: min = -1 + 0.01 (-3 + 1) = -1.02, max = 2 + 0.01 (4 - 2) = 2.02
        //           after 3: min = -1.02 + 0.01 (0 + 1.02) = -1.0098, max = 2.02 + 0.01 (1 - 2.02) = 2.0098
        MovingAverageMinMaxObserver o = new MovingAverageMinMaxObserver();
        o.observe(Nd4j.createFromArray(-1f, 2f));
        o.observe(Nd4j.createFromArray(-3f, 4f));
        assertEquals(-1.02, o.range().min(), 1e-12);
        assertEquals(2.02, o.range().max(), 1e-12);
        o.observe(Nd4j.createFromArray(0f, 1f));
        assertEquals(-1.0098, o.range().min(), 1e-12);
        assertEquals(2.0098, o.range().max(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new MovingAverageMinMaxObserver(0));
        assertThrows(IllegalArgumentException.class, () -> new MovingAverageMinMaxObserver(1.5));
    }

    @Test
    void perChannelAlongTheOutputAxisOfADenseWeight() {
        // W [nIn=3, nOut=2]: column 0 = [1, -2, 0.5], column 1 = [-4, 3, 0]
        PerChannelMinMaxObserver o = new PerChannelMinMaxObserver(1);
        o.observe(Nd4j.createFromArray(new float[][] {{1f, -4f}, {-2f, 3f}, {0.5f, 0f}}));
        assertEquals(List.of(new Range(-2, 1), new Range(-4, 3)), o.ranges());
        assertEquals(2, o.channels());
        // narrow int8 per channel: s = [2/127, 4/127]
        QParams p = o.qparams(QuantSpec.int8Weights().perChannel(1));
        assertEquals(2.0 / 127, p.scale(0), 1e-15);
        assertEquals(4.0 / 127, p.scale(1), 1e-15);
        // a second batch widens channel 1 only
        o.observe(Nd4j.createFromArray(new float[][] {{0f, 5f}}));
        assertEquals(List.of(new Range(-2, 1), new Range(-4, 5)), o.ranges());
        assertThrows(IllegalStateException.class, o::range);
    }

    @Test
    void perChannelConvAndVectorAxes() {
        PerChannelMinMaxObserver conv = new PerChannelMinMaxObserver(0);
        INDArray w = Nd4j.createFromArray(new float[] {1, -2, 3, 4, -5, 6, 0.5f, 0.25f}).reshape(2, 1, 2, 2);
        conv.observe(w);
        assertEquals(List.of(new Range(-2, 4), new Range(-5, 6)), conv.ranges());
        PerChannelMinMaxObserver bias = new PerChannelMinMaxObserver(0);
        bias.observe(Nd4j.createFromArray(3f, -1f));
        assertEquals(List.of(new Range(3, 3), new Range(-1, -1)), bias.ranges());
    }

    @Test
    void perChannelMovingAverage() {
        // c = 0.5; channel 0: min -1 -> -1 + 0.5 (-3 + 1) = -2; max 1 -> 1 + 0.5 (0 - 1) = 0.5
        PerChannelMinMaxObserver o = PerChannelMinMaxObserver.movingAverage(1, 0.5);
        o.observe(Nd4j.createFromArray(new float[][] {{-1f, 2f}, {1f, 2f}}));
        o.observe(Nd4j.createFromArray(new float[][] {{-3f, 2f}, {0f, 4f}}));
        assertEquals(List.of(new Range(-2, 0.5), new Range(2, 3)), o.ranges());
    }

    @Test
    void perChannelMismatchesAreReported() {
        PerChannelMinMaxObserver o = new PerChannelMinMaxObserver(1);
        o.observe(Nd4j.zeros(DataType.FLOAT, 3, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.observe(Nd4j.zeros(DataType.FLOAT, 3, 5)));
        assertTrue(e.getMessage().contains("calibrated with 4 channels along axis 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PerChannelMinMaxObserver(2).observe(Nd4j.zeros(DataType.FLOAT, 3, 4)));
        e = assertThrows(IllegalArgumentException.class, () -> o.qparams(QuantSpec.int8Weights()));
        assertTrue(e.getMessage().contains("per-channel along axis 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MinMaxObserver().qparams(QuantSpec.int8Weights().perChannel(0)));
    }

    @Test
    void everyObserverRefusesToAnswerBeforeCalibration() {
        List<Supplier<Observer>> all = List.of(MinMaxObserver::new, MovingAverageMinMaxObserver::new,
                () -> new PerChannelMinMaxObserver(1), () -> new PercentileObserver(99.99, PercentileObserver.Mode.MAGNITUDE),
                () -> new MseObserver(QuantSpec.symmetric(8)), EntropyObserver::new);
        for (Supplier<Observer> s : all) {
            Observer o = s.get();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> o.qparams(o.axis() < 0
                    ? QuantSpec.symmetric(8) : QuantSpec.symmetric(8).perChannel(o.axis())));
            assertTrue(e.getMessage().contains("observer saw no data: run calibration batches first"), e.getMessage());
            assertEquals(0, o.count());
        }
    }

    @Test
    void everyObserverRejectsNaNAndEmptyBatches() {
        List<Supplier<Observer>> all = List.of(MinMaxObserver::new, MovingAverageMinMaxObserver::new,
                () -> new PerChannelMinMaxObserver(0), () -> new PercentileObserver(99, PercentileObserver.Mode.VALUES),
                () -> new MseObserver(QuantSpec.symmetric(8)), EntropyObserver::new);
        for (Supplier<Observer> s : all) {
            Observer o = s.get();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> o.observe(Nd4j.createFromArray(1f, 2f, Float.NaN)));
            assertTrue(e.getMessage().startsWith("observed data contain NaN at index [2]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> o.observe(Nd4j.create(DataType.FLOAT, 0)));
            assertThrows(IllegalArgumentException.class, () -> o.observe(Nd4j.createFromArray(Float.POSITIVE_INFINITY)));
            assertEquals(0, o.count(), o.getClass().getSimpleName() + " must not count rejected batches");
        }
    }
}
