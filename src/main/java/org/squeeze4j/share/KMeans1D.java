package org.squeeze4j.share;

import java.util.Arrays;
import java.util.Random;

/**
 * Lloyd's k-means on scalars: minimises the within-cluster sum of squares
 * {@code sum_i sum_{w in c_i} |w - c_i|^2} (Deep Compression, Eq. 1) by alternating
 * "assign each weight to its nearest centroid" and "move each centroid to the mean of its weights".
 *
 * <p>Hand-written on purpose: in one dimension the values can be sorted once, the clusters are
 * then contiguous runs whose borders are the midpoints between neighbouring centroids, and each
 * iteration costs {@code O(k log n)} with prefix sums (a general-purpose k-means, e.g. Smile's or
 * Commons Math's, costs {@code O(nk)} per iteration and offers neither the paper's linear or
 * density initialisation nor a codebook we can fine-tune with gradients). An empty cluster keeps
 * its centroid (with linear initialisation the outer centroids can be empty; they cost nothing).
 */
public final class KMeans1D {
    private KMeans1D() {
    }

    /**
     * Clusters {@code values} into {@code k} centroids.
     *
     * @param iterations upper bound on Lloyd iterations (it stops earlier when no centroid moves)
     * @throws IllegalArgumentException if there are fewer values than clusters
     */
    public static double[] fit(float[] values, int k, CentroidInit init, long seed, int iterations) {
        if (k < 1) {
            throw new IllegalArgumentException("k-means needs at least one cluster, got " + k);
        }
        if (values.length < k) {
            throw new IllegalArgumentException("cannot make " + k + " clusters from " + values.length
                    + " weights; use fewer bits (at most " + (31 - Integer.numberOfLeadingZeros(values.length + 1)) + ") or prune less");
        }
        double[] sorted = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("weight " + i + " is " + values[i] + "; k-means needs finite weights");
            }
            sorted[i] = values[i];
        }
        Arrays.sort(sorted);
        double[] prefix = new double[sorted.length + 1];
        for (int i = 0; i < sorted.length; i++) {
            prefix[i + 1] = prefix[i] + sorted[i];
        }
        double[] c = init.centroids(sorted, k, new Random(seed));
        for (int it = 0; it < iterations; it++) {
            double[] next = c.clone();
            int start = 0;
            for (int j = 0; j < k; j++) {
                int end = j == k - 1 ? sorted.length : upperBound(sorted, (c[j] + c[j + 1]) / 2, start);
                if (end > start) {
                    next[j] = (prefix[end] - prefix[start]) / (end - start);
                }
                start = end;
            }
            Arrays.sort(next);
            if (Arrays.equals(next, c)) {
                break;
            }
            c = next;
        }
        return c;
    }

    /** First index at or after {@code from} whose value is above {@code x} (values at a midpoint go left, as in {@link Codebook#nearest}). */
    private static int upperBound(double[] sorted, double x, int from) {
        int lo = from;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
