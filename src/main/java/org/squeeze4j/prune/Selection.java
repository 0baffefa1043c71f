package org.squeeze4j.prune;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which of a set of scored items (weights, or neurons) to keep. Returns a 0/1 mask of the
 * scores' shape (1 = keep).
 *
 * <ul>
 * <li>{@link #sparsity(double)}: keep the {@code max(1, round((1 - s) · n))} items with the highest
 *     scores (ties broken by position, so the result is deterministic): a sparsity below 1 never
 *     removes a whole layer;</li>
 * <li>{@link #threshold(double)}: prune items scoring below {@code t};</li>
 * <li>{@link #fractionOfMax(double)}: prune items below {@code α · max(score)} (the
 *     {@code |w| < α max|w|} rule);</li>
 * <li>{@link #stdQuality(double)}: prune items below {@code q · σ(W)}, the "quality parameter
 *     times the standard deviation of the layer's weights" of Han et al. 2015.</li>
 * </ul>
 */
@FunctionalInterface
public interface Selection {

    /**
     * @param scores importance of each item
     * @param weights the layer's weights (used by rules that depend on the weight distribution)
     */
    INDArray keep(INDArray scores, INDArray weights);

    /** Prune the fraction {@code s} in [0, 1) with the lowest scores. */
    static Selection sparsity(double s) {
        if (!(s >= 0 && s < 1)) {
            throw new IllegalArgumentException("sparsity must be in [0, 1), got " + s
                    + " (1 would remove every weight; use a fraction such as 0.9 for 90 %)");
        }
        return (scores, weights) -> keepTop(scores, (int) kept(s, scores.length()));
    }

    /** Items {@link #sparsity(double)} keeps of {@code n}: {@code max(1, round((1 - s) · n))} (none of none). */
    public static long kept(double s, long n) {
        return Math.min(n, Math.max(1, Math.round((1 - s) * n)));
    }

    /** Prune items whose score is below {@code t}. */
    static Selection threshold(double t) {
        if (!Double.isFinite(t)) {
            throw new IllegalArgumentException("threshold must be finite, got " + t);
        }
        return (scores, weights) -> scores.gte(t).castTo(DataType.FLOAT);
    }

    /** Prune items whose score is below {@code alpha · max(score)}, alpha in [0, 1). */
    static Selection fractionOfMax(double alpha) {
        if (!(alpha >= 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1), got " + alpha);
        }
        return (scores, weights) -> scores.gte(alpha * scores.maxNumber().doubleValue()).castTo(DataType.FLOAT);
    }

    /** Prune items whose score is below {@code q · std(W)} (Han et al. 2015), q >= 0. */
    static Selection stdQuality(double q) {
        if (!(q >= 0) || !Double.isFinite(q)) {
            throw new IllegalArgumentException("quality parameter must be >= 0, got " + q);
        }
        return (scores, weights) -> scores.gte(q * weights.stdNumber().doubleValue()).castTo(DataType.FLOAT);
    }

    /**
     * A mask keeping the {@code k} highest scores; among scores equal to the k-th highest the
     * earlier positions are kept. Sorts a primitive copy once (no boxing: this runs on every mask
     * update of gradual pruning).
     */
    static INDArray keepTop(INDArray scores, int k) {
        double[] s = scores.castTo(DataType.DOUBLE).dup('c').reshape(scores.length()).toDoubleVector();
        float[] mask = new float[s.length];
        if (k > 0) {
            double[] sorted = s.clone();
            Arrays.sort(sorted);
            double cut = sorted[s.length - Math.min(k, s.length)];
            int above = 0;
            for (double v : s) {
                if (v > cut) {
                    above++;
                }
            }
            int tiesToKeep = Math.min(k, s.length) - above;
            for (int i = 0; i < s.length; i++) {
                if (s[i] > cut || (s[i] == cut && tiesToKeep-- > 0)) {
                    mask[i] = 1f;
                }
            }
        }
        return Nd4j.create(mask, scores.shape(), 'c');
    }
}
