package org.squeeze4j.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
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
    void timesEachCallWithoutTheWarmup() {
        // calls that sleep 3 ms after two slow warm-up calls of 60 ms: every timed call takes at least 3 ms
        // (sleep never returns early), and none includes a warm-up (a median of 60 would)
        AtomicInteger calls = new AtomicInteger();
        LatencyResult r = Latency.of(x -> {
            sleep(calls.incrementAndGet() <= 2 ? 60 : 3);
            return x;
        }, Nd4j.zeros(DataType.FLOAT, 2, 2), 2, 9);
        assertTrue(r.p10Millis() >= 3.0 && r.medianMillis() < 60, r.toString());
    }

    @Test
    void measuresARealNetworkOnInputsOfTheRequestedShape() {
        List<long[]> shapes = new ArrayList<>();
        MultiLayerNetwork net = new MultiLayerNetwork(Models.mlp(1, 1e-3, 16).getLayerWiseConfigurations()) {
            @Override
            public INDArray output(INDArray input, boolean train) {
                shapes.add(input.shape());
                return super.output(input, train);
            }
        };
        net.init();
        LatencyResult r = Latency.of(net, 8, 784, 2, 5);
        assertEquals(8, r.batchSize());
        assertEquals(5, r.runs());
        assertEquals(7, shapes.size(), "2 warm-up and 5 timed forward passes");
        assertTrue(shapes.stream().allMatch(s -> Arrays.equals(s, new long[] {8, 784})));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void interleavedRoundsTakeTurnsAndTimeEachCallWithoutTheWarmup() {
        // "slow" sleeps 60 ms in its warm-up round and 4 ms after; "fast" does nothing: each round times
        // 3 calls of each, the first to go alternates, and no timed round includes a warm-up call
        List<String> order = new ArrayList<>();
        AtomicInteger slowCalls = new AtomicInteger();
        Map<String, Runnable> calls = new LinkedHashMap<>();
        calls.put("slow", () -> {
            order.add("slow");
            sleep(slowCalls.incrementAndGet() <= 3 ? 60 : 4);
        });
        calls.put("fast", () -> order.add("fast"));
        Map<String, Latency.RoundTimes> t = Latency.interleaved(calls, 3, 1, 4);
        assertEquals(List.of("slow", "fast"), List.copyOf(t.keySet()));
        assertEquals(2 * 3 * 5, order.size(), "(1 warm-up + 4 timed rounds) x 3 calls x 2");
        assertEquals(List.of("fast", "slow", "slow", "fast"), List.of(order.get(0), order.get(3), order.get(6), order.get(9)),
                "the first to go rotates: warm-up round -1 starts with fast, round 0 with slow");
        Latency.RoundTimes slow = t.get("slow");
        assertTrue(slow.minMillis() >= 4 && slow.medianMillis() < 60, slow.toString());
        assertTrue(t.get("fast").minMillis() < 1, t.get("fast").toString());
        assertTrue(t.get("fast").speedupOver(slow) > 4);
        assertThrows(IllegalArgumentException.class, () -> Latency.interleaved(calls, 0, 1, 4));
        assertThrows(IllegalArgumentException.class, () -> Latency.interleaved(Map.of(), 1, 1, 4));
    }

    @Test
    void rejectsZeroRuns() {
        assertThrows(IllegalArgumentException.class, () -> Latency.of(x -> x, Nd4j.zeros(1, 1), 0, 0));
    }
}
