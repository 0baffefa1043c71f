package org.squeeze4j.prune;

/**
 * Target sparsity as a stateless function of the training step (as in TF Model Optimization),
 * so a schedule can be plotted, tested and resumed.
 *
 * <p>{@link #agp}: automated gradual pruning (Zhu &amp; Gupta 2017, "To prune, or not to prune"):
 * <pre>
 *   s(t) = s_f + (s_i - s_f) (1 - (t - t_0) / (t_1 - t_0))^3    for t_0 <= t <= t_1,
 * </pre>
 * with {@code s(t) = s_i} before {@code t_0} and {@code s_f} after {@code t_1}: prune quickly
 * while many weights are redundant, then more and more slowly.
 */
@FunctionalInterface
public interface PruningSchedule {

    /** Target sparsity in [0, 1) at step {@code step} (an iteration or an epoch, as the caller decides). */
    double sparsityAt(int step);

    /** The same sparsity at every step. */
    static PruningSchedule oneShot(double sparsity) {
        check(sparsity, "sparsity");
        return step -> sparsity;
    }

    /** The cubic schedule of Zhu &amp; Gupta from {@code initial} at {@code begin} to {@code target} at {@code end}. */
    static PruningSchedule agp(double initial, double target, int begin, int end) {
        check(initial, "initial sparsity");
        check(target, "target sparsity");
        if (end <= begin || begin < 0) {
            throw new IllegalArgumentException("AGP needs 0 <= begin < end, got begin " + begin + ", end " + end);
        }
        return step -> {
            if (step <= begin) {
                return initial;
            }
            if (step >= end) {
                return target;
            }
            double progress = (double) (step - begin) / (end - begin);
            return target + (initial - target) * Math.pow(1 - progress, 3);
        };
    }

    private static void check(double s, String what) {
        if (!(s >= 0 && s < 1)) {
            throw new IllegalArgumentException(what + " must be in [0, 1), got " + s);
        }
    }
}
