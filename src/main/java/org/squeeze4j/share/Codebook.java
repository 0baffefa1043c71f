package org.squeeze4j.share;

import java.util.Arrays;

/**
 * The shared values of one layer and the mapping between weights and their {@code b}-bit symbols.
 * Symbol 0 stands for zero (pruned weights and the filler entries of the relative-index format),
 * symbols {@code 1..K} for the centroids in ascending order, so a {@code b}-bit layer has
 * {@code K = 2^b - 1} shared values.
 *
 * @param centroids the shared values, ascending, finite and non-zero
 */
public record Codebook(float[] centroids) {

    public Codebook {
        centroids = centroids.clone();
        for (int i = 0; i < centroids.length; i++) {
            if (!Float.isFinite(centroids[i])) {
                throw new IllegalArgumentException("centroid " + i + " is " + centroids[i]);
            }
            if (i > 0 && centroids[i] < centroids[i - 1]) {
                throw new IllegalArgumentException("centroids must be ascending: " + Arrays.toString(centroids));
            }
        }
    }

    /** Number of shared values (symbols 1..size). */
    public int size() {
        return centroids.length;
    }

    /** The value symbol {@code s} stands for (0 for symbol 0). */
    public float value(int s) {
        return s == 0 ? 0f : centroids[s - 1];
    }

    /** The symbol of {@code w}: 0 for zero, else 1 + the index of the nearest centroid (a midpoint goes to the lower one). */
    public int symbolOf(float w) {
        if (w == 0f) {
            return 0;
        }
        int lo = 0;
        int hi = centroids.length - 1;
        while (lo < hi) {                       // first j with w <= midpoint(j, j + 1)
            int mid = (lo + hi) >>> 1;
            if (w <= ((double) centroids[mid] + centroids[mid + 1]) / 2) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo + 1;
    }

    /** A copy of the centroids. */
    @Override
    public float[] centroids() {
        return centroids.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Codebook c && Arrays.equals(centroids, c.centroids);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(centroids);
    }

    @Override
    public String toString() {
        return "Codebook" + Arrays.toString(centroids);
    }
}
