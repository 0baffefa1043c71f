package org.squeeze4j.share;

import java.util.Arrays;
import java.util.Random;

/**
 * How k-means places its first centroids before Lloyd's iterations (Han, Mao, Dally 2016,
 * "Deep Compression", Section 3.2 and Fig. 4).
 *
 * <ul>
 *   <li>{@link #LINEAR}: {@code c_i = min + i (max - min) / (k - 1)}, evenly over the weight range. The paper's
 *       choice: it keeps centroids at the large weights, which are few but matter most.</li>
 *   <li>{@link #DENSITY}: evenly spaced on the y axis of the weights' CDF, {@code c_i = F^{-1}((i + 1/2) / k)}:
 *       centroids crowd around the two peaks near zero and the large weights are poorly represented.</li>
 *   <li>{@link #K_MEANS_PLUS_PLUS}: Arthur &amp; Vassilvitskii 2007: the first centroid uniformly at random, each next
 *       one with probability proportional to the squared distance to the nearest centroid chosen so far.</li>
 * </ul>
 */
public enum CentroidInit {
    LINEAR {
        @Override
        double[] centroids(double[] sorted, int k, Random random) {
            double min = sorted[0];
            double max = sorted[sorted.length - 1];
            double[] c = new double[k];
            for (int i = 0; i < k; i++) {
                c[i] = k == 1 ? (min + max) / 2 : min + i * (max - min) / (k - 1);
            }
            return c;
        }
    },
    DENSITY {
        @Override
        double[] centroids(double[] sorted, int k, Random random) {
            double[] c = new double[k];
            for (int i = 0; i < k; i++) {
                double q = (i + 0.5) / k;
                c[i] = sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
            }
            return c;
        }
    },
    K_MEANS_PLUS_PLUS {
        @Override
        double[] centroids(double[] sorted, int k, Random random) {
            int n = sorted.length;
            double[] c = new double[k];
            double[] d2 = new double[n];
            c[0] = sorted[random.nextInt(n)];
            Arrays.fill(d2, Double.POSITIVE_INFINITY);
            for (int j = 1; j < k; j++) {
                double total = 0;
                for (int i = 0; i < n; i++) {
                    double d = sorted[i] - c[j - 1];
                    d2[i] = Math.min(d2[i], d * d);
                    total += d2[i];
                }
                if (total == 0) {               // fewer distinct values than clusters: repeat a value
                    c[j] = sorted[random.nextInt(n)];
                    continue;
                }
                double r = random.nextDouble() * total;
                int pick = n - 1;
                for (int i = 0; i < n; i++) {
                    r -= d2[i];
                    if (r <= 0) {
                        pick = i;
                        break;
                    }
                }
                c[j] = sorted[pick];
            }
            Arrays.sort(c);
            return c;
        }
    };

    /** The method's name as charts and tables show it: "linear", "density", "k-means++". */
    public String label() {
        return this == K_MEANS_PLUS_PLUS ? "k-means++" : name().toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code k} initial centroids, ascending, for the ascending values {@code sorted}. */
    abstract double[] centroids(double[] sorted, int k, Random random);
}
