package org.squeeze4j.quant.qat;

/**
 * How {@link FakeQuantWeightNoise} sets the clipping range of a weight channel from the current
 * weights, every forward pass (weights change every step, so their range is recomputed, as
 * torch.ao's weight fake-quant observers do):
 * <ul>
 *   <li>{@link #MAX_ABS}: {@code t = max |w|}, nothing is clipped (Jacob et al. 2018). Best at
 *       8 bits; at 2-4 bits one large weight stretches the grid and most weights round to 0.</li>
 *   <li>{@link #MEAN_ABS}: {@code t = c_b mean |w|}, the clipping threshold that minimises the
 *       expected squared error for Laplace-distributed weights with scale {@code b = mean|w|}
 *       (Banner, Nahshan and Soudry 2019, "Post training 4-bit quantization of convolutional
 *       networks for rapid-deployment", ACIQ: {@code c_b} = 2.83, 3.89, 5.03, 6.20, 7.41, 8.64,
 *       9.89 for 2..8 bits). Trained weights are close to Laplace; a few large weights are clipped,
 *       the bulk gets a finer grid.</li>
 * </ul>
 * The weight grid is symmetric, narrow range ({@code [-qmax, qmax]}, {@code qmax = 2^(b-1) - 1}),
 * so {@code s = t / qmax}; at 2 bits that is the ternary grid {-s, 0, s}.
 */
public enum WeightRange {
    MAX_ABS,
    MEAN_ABS;

    private static final double[] LAPLACE_CLIP = {Double.NaN, Double.NaN, 2.83, 3.89, 5.03, 6.20, 7.41, 8.64, 9.89};

    /** ACIQ's optimal clipping threshold in units of {@code mean|w|} for {@code bits} (2..8). */
    public static double laplaceClip(int bits) {
        if (bits < 2 || bits > 8) {
            throw new IllegalArgumentException("weight bits must be 2..8, got " + bits);
        }
        return LAPLACE_CLIP[bits];
    }
}
