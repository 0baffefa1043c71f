package org.squeeze4j.measure;

/**
 * Wall-clock latency of one forward pass, from many timed runs after a warm-up.
 *
 * @param batchSize samples per forward pass
 * @param runs number of timed runs
 * @param medianMillis median time per forward pass
 * @param p10Millis 10th percentile
 * @param p90Millis 90th percentile
 */
public record LatencyResult(int batchSize, int runs, double medianMillis, double p10Millis, double p90Millis) {
    /** Median time per sample in microseconds. */
    public double microsPerSample() {
        return 1000.0 * medianMillis / batchSize;
    }

    /** Samples per second at the median. */
    public double throughput() {
        return batchSize / (medianMillis / 1000.0);
    }

    /** How many times faster {@code this} is than {@code baseline} (median against median). */
    public double speedupOver(LatencyResult baseline) {
        return baseline.medianMillis / medianMillis;
    }
}
