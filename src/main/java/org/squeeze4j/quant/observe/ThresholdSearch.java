package org.squeeze4j.quant.observe;

import java.util.List;
import org.squeeze4j.quant.Range;

/**
 * The outcome of a calibration search over candidate ranges (MSE or entropy): every candidate
 * with its loss, and the chosen one: {@code best = argmin_k losses[k]}. Handy for plotting "loss vs.
 * clipping threshold", the curve behind Migacz 2017's entropy calibration and the MSE range
 * setting of Nagel et al. 2021 (section 3.1).
 *
 * @param candidates candidate ranges in the order they were tried
 * @param losses loss of each candidate (expected squared error, or a divergence; may be +inf)
 * @param best index of the chosen candidate
 */
public record ThresholdSearch(List<Range> candidates, double[] losses, int best) {
    public ThresholdSearch {
        candidates = List.copyOf(candidates);
        losses = losses.clone();
        if (candidates.size() != losses.length || candidates.isEmpty()) {
            throw new IllegalArgumentException("need one loss per candidate (at least one), got " + candidates.size()
                    + " candidates and " + losses.length + " losses");
        }
        if (best < 0 || best >= losses.length) {
            throw new IllegalArgumentException("best index " + best + " out of [0, " + losses.length + ")");
        }
    }

    /** The chosen range. */
    public Range bestRange() {
        return candidates.get(best);
    }

    /** The loss of the chosen range. */
    public double bestLoss() {
        return losses[best];
    }

    @Override
    public double[] losses() {
        return losses.clone();
    }
}
