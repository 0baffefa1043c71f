package org.squeeze4j.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.squeeze4j.models.Models;

/** The harness's bookkeeping; its timings are never asserted (that is what benchmarks are for). */
class LatencyTest {

    @Test
    void percentileInterpolatesLinearly() {
        double[] sorted = {1, 2, 3, 4, 5};
        assertEquals(3.0, Latency.percentile(sorted, 50), 1e-12);
        assertEquals(1.4, Latency.percentile(sorted, 10), 1e-12);
        assertEquals(4.6, Latency.percentile(sorted, 90), 1e-12);
        assertEquals(5.0, Latency.percentile(sorted, 100), 1e-12);
    }

    @Test
    void runsWarmupPlusTimedCallsAndOrdersPercentiles() {
        AtomicInteger calls = new AtomicInteger();
        LatencyResult r = Latency.of(x -> calls.incrementAndGet(), Nd4j.zeros(DataType.FLOAT, 4, 3), 5, 30);
        assertEquals(35, calls.get());
        assertEquals(4, r.batchSize());
        assertEquals(30, r.runs());
        assertTrue(r.p10Millis() <= r.medianMillis() && r.medianMillis() <= r.p90Millis());
    }

    @Test
    void derivedFiguresFollowFromTheMedian() {
        LatencyResult r = new LatencyResult(100, 10, 2.0, 1.0, 3.0);
        assertEquals(20.0, r.microsPerSample(), 1e-12);
        assertEquals(50_000.0, r.throughput(), 1e-9);
        assertEquals(4.0, r.speedupOver(new LatencyResult(100, 10, 8.0, 7.0, 9.0)), 1e-12);
    }

    @Test
    void measuresARealNetwork() {
        LatencyResult r = Latency.of(Models.mlp(1, 1e-3, 16), 8, 784, 2, 5);
        assertEquals(8, r.batchSize());
        assertTrue(r.medianMillis() > 0);
    }

    @Test
    void rejectsZeroRuns() {
        assertThrows(IllegalArgumentException.class, () -> Latency.of(x -> x, Nd4j.zeros(1, 1), 0, 0));
    }
}
