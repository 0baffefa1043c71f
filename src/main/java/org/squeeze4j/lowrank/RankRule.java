package org.squeeze4j.lowrank;

/**
 * Chooses the rank {@code r} of a factorised {@code m x n} matrix from its singular values
 * (descending). A rank-{@code r} factorisation stores {@code r (m + n)} weights instead of {@code m n}.
 */
@FunctionalInterface
public interface RankRule {

    /** The rank, in 1..s.length. */
    int rank(double[] s, long m, long n);

    /** The smallest {@code r} with {@code sum_{i<=r} s_i^2 >= fraction · sum_i s_i^2} (retained energy). */
    static RankRule energy(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("retained energy must be in (0, 1], got " + fraction);
        }
        return (s, m, n) -> {
            double total = 0;
            for (double v : s) {
                total += v * v;
            }
            double kept = 0;
            for (int r = 1; r <= s.length; r++) {
                kept += s[r - 1] * s[r - 1];
                if (kept >= fraction * total * (1 - 1e-12)) {
                    return r;
                }
            }
            return s.length;
        };
    }

    /**
     * The largest {@code r} whose factors fit in {@code fraction} of the layer's weights:
     * {@code r (m + n) <= fraction · m n} (at least 1).
     */
    static RankRule budget(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("parameter budget must be a fraction in (0, 1] of the layer's weights, got " + fraction);
        }
        return (s, m, n) -> (int) Math.max(1, Math.min(s.length, Math.floor(fraction * m * n / (m + n))));
    }

    /** Always {@code r} (capped at the number of singular values). */
    static RankRule fixed(int r) {
        if (r < 1) {
            throw new IllegalArgumentException("rank must be positive, got " + r);
        }
        return (s, m, n) -> Math.min(r, s.length);
    }
}
