package org.squeeze4j.measure;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A latency harness: warm-up runs (JIT, caches, ND4J workspaces), then timed runs, reporting
 * the median and the 10th / 90th percentiles. Inputs are fixed before timing and the result of
 * every run is consumed so the work cannot be optimised away.
 *
 * <p>Latency depends on the machine and its load; it is a measurement to compare models in the
 * same run (ratios), never a number for a unit test to assert. For the integer engine and other
 * hot paths the project's JMH benchmarks give confidence intervals.
 */
public final class Latency {
    public static final int DEFAULT_WARMUP = 20;
    public static final int DEFAULT_RUNS = 100;

    private Latency() {
    }

    /** Times {@code net.output(x)} for a batch of {@code batchSize} random inputs of {@code inputSize} features. */
    public static LatencyResult of(MultiLayerNetwork net, int batchSize, int inputSize, int warmup, int runs) {
        INDArray input = Nd4j.rand(DataType.FLOAT, batchSize, inputSize);
        return of(x -> net.output(x, false), input, warmup, runs);
    }

    /** {@link #of(MultiLayerNetwork, int, int, int, int)} for 28x28 images with the default run counts. */
    public static LatencyResult of(MultiLayerNetwork net, int batchSize) {
        return of(net, batchSize, 28 * 28, DEFAULT_WARMUP, DEFAULT_RUNS);
    }

    /** Times any forward function on a fixed input. */
    public static LatencyResult of(Function<INDArray, ?> forward, INDArray input, int warmup, int runs) {
        if (runs <= 0 || warmup < 0) {
            throw new IllegalArgumentException("need runs > 0 and warmup >= 0, got runs " + runs + ", warmup " + warmup);
        }
        long sink = 0;
        for (int i = 0; i < warmup; i++) {
            sink += System.identityHashCode(forward.apply(input));
        }
        double[] millis = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            Object out = forward.apply(input);
            millis[i] = (System.nanoTime() - t0) / 1e6;
            sink += System.identityHashCode(out);
        }
        if (sink == 42) {
            System.out.print("");
        }
        Arrays.sort(millis);
        return new LatencyResult((int) input.size(0), runs, percentile(millis, 50), percentile(millis, 10), percentile(millis, 90));
    }

    /**
     * Times of one call under {@link #interleaved}: per call, in the fastest round and the median round.
     *
     * @param callsPerRound calls timed together in one round
     * @param rounds timed rounds
     */
    public record RoundTimes(int callsPerRound, int rounds, double minMillis, double medianMillis) {
        /** How many times faster {@code this} is than {@code baseline}, fastest round against fastest round. */
        public double speedupOver(RoundTimes baseline) {
            return baseline.minMillis / minMillis;
        }
    }

    /**
     * Times several calls against each other on a shared, noisy machine: round after round, each
     * call runs {@code callsPerRound} times back to back, the calls taking turns (the first to go
     * rotates, so none always follows the same neighbour), after {@code warmupRounds} untimed
     * rounds. The fastest round of each is the least disturbed by other work, so ratios of
     * {@link RoundTimes#minMillis} are what to compare; the median shows the spread.
     *
     * @return one entry per call, in the map's order
     */
    public static Map<String, RoundTimes> interleaved(Map<String, Runnable> calls, int callsPerRound, int warmupRounds, int rounds) {
        if (calls.isEmpty() || callsPerRound <= 0 || rounds <= 0 || warmupRounds < 0) {
            throw new IllegalArgumentException("need calls, callsPerRound > 0, rounds > 0 and warmupRounds >= 0, got "
                    + calls.size() + " calls, " + callsPerRound + ", " + rounds + ", " + warmupRounds);
        }
        List<String> names = List.copyOf(calls.keySet());
        double[][] millis = new double[names.size()][rounds];
        for (int round = -warmupRounds; round < rounds; round++) {
            for (int k = 0; k < names.size(); k++) {
                int i = Math.floorMod(round + k, names.size());
                Runnable call = calls.get(names.get(i));
                long t0 = System.nanoTime();
                for (int c = 0; c < callsPerRound; c++) {
                    call.run();
                }
                if (round >= 0) {
                    millis[i][round] = (System.nanoTime() - t0) / 1e6 / callsPerRound;
                }
            }
        }
        Map<String, RoundTimes> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            Arrays.sort(millis[i]);
            out.put(names.get(i), new RoundTimes(callsPerRound, rounds, millis[i][0], percentile(millis[i], 50)));
        }
        return out;
    }

    /** Linear-interpolated percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
        double pos = p / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
