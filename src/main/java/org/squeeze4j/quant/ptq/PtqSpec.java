package org.squeeze4j.quant.ptq;

import org.squeeze4j.quant.QuantSpec;

/**
 * What a post-training quantization run does (Nagel et al. 2021, section 4 "standard PTQ pipeline";
 * Krishnamoorthi 2018, section 3):
 *
 * @param weightBits weight bit width, 2..8; weights are symmetric narrow range
 *        {@code [-(2^(b-1) - 1), 2^(b-1) - 1]}, the grid the integer engine uses
 * @param perChannelWeights one scale per output channel (axis 1 of a dense {@code [nIn, nOut]}, axis 0
 *        of a conv {@code [out, in, kh, kw]}) rather than one per layer
 * @param weightCalibrator how each weight (channel) range is chosen: {@link Calibrator#MIN_MAX} or a
 *        clipping search such as {@link Calibrator#MSE}, which helps at 4 bits and fewer
 * @param activationBits activation bit width 2..8 (uint8-style affine unsigned grid), or 0 for
 *        weight-only quantization (activations stay float)
 * @param activationCalibrator how the activation ranges are chosen from the calibration set
 * @param biasCorrection add the per-channel mean of the output error caused by weight quantization
 *        to each bias (Nagel et al. 2019, "Data-Free Quantization", section 4.2, empirical variant)
 * @param varianceCorrection rescale each output channel's quantized weights,
 *        {@code w <- zeta (w_hat + u)}, {@code u = E(w) - E(w_hat)},
 *        {@code zeta = ||w - E(w)|| / ||w_hat - E(w_hat)||} (Banner et al. 2019, "Post training 4-bit
 *        quantization of convolutional networks for rapid-deployment", section 4.3); fake-quant
 *        network only, the shift {@code u} has no place in the integer engine
 */
public record PtqSpec(int weightBits, boolean perChannelWeights, Calibrator weightCalibrator, int activationBits,
                      Calibrator activationCalibrator, boolean biasCorrection, boolean varianceCorrection) {
    public PtqSpec {
        if (weightBits < 2 || weightBits > 8) {
            throw new IllegalArgumentException("weight bits must be 2..8 for post-training quantization, got " + weightBits
                    + " (1-bit weights need a binarizer and training; 16-bit needs no calibration)");
        }
        if (activationBits != 0 && (activationBits < 2 || activationBits > 8)) {
            throw new IllegalArgumentException("activation bits must be 2..8, or 0 for weight-only quantization, got "
                    + activationBits);
        }
        if (weightCalibrator == null || activationCalibrator == null) {
            throw new IllegalArgumentException("calibrators must not be null (use Calibrator.MIN_MAX for plain ranges)");
        }
    }

    /** Weight-only PTQ with min-max ranges and no corrections. */
    public static PtqSpec weightOnly(int bits, boolean perChannel) {
        return new PtqSpec(bits, perChannel, Calibrator.MIN_MAX, 0, Calibrator.MIN_MAX, false, false);
    }

    /** Weights and activations ("W{wBits}A{aBits}"), min-max weight ranges, the given activation calibrator. */
    public static PtqSpec full(int weightBits, int activationBits, boolean perChannel, Calibrator activations) {
        return new PtqSpec(weightBits, perChannel, Calibrator.MIN_MAX, activationBits, activations, false, false);
    }

    /** The same with another weight calibrator. */
    public PtqSpec withWeightCalibrator(Calibrator c) {
        return new PtqSpec(weightBits, perChannelWeights, c, activationBits, activationCalibrator, biasCorrection, varianceCorrection);
    }

    /** The same with bias (mean) correction on or off. */
    public PtqSpec withBiasCorrection(boolean on) {
        return new PtqSpec(weightBits, perChannelWeights, weightCalibrator, activationBits, activationCalibrator, on, varianceCorrection);
    }

    /** The same with variance correction on or off. */
    public PtqSpec withVarianceCorrection(boolean on) {
        return new PtqSpec(weightBits, perChannelWeights, weightCalibrator, activationBits, activationCalibrator, biasCorrection, on);
    }

    /** True when activations are quantized too. */
    public boolean quantizesActivations() {
        return activationBits > 0;
    }

    /** The weight grid for a weight of {@code rank} (2 dense, 4 conv), per-channel on the output axis if chosen. */
    public QuantSpec weightSpec(int rank) {
        QuantSpec s = new QuantSpec(weightBits, true, true, true, QuantSpec.PER_TENSOR);
        return perChannelWeights ? s.perChannel(rank == 2 ? 1 : 0) : s;
    }

    /** The activation grid: unsigned affine per-tensor with {@link #activationBits()} bits. */
    public QuantSpec activationSpec() {
        if (!quantizesActivations()) {
            throw new IllegalStateException("weight-only spec " + this + " has no activation grid");
        }
        return QuantSpec.affine(activationBits, false);
    }

    /** A short label such as "W4A8 per-channel MSE/KL +bc". */
    public String label() {
        return "W" + weightBits + (quantizesActivations() ? "A" + activationBits : "") + (perChannelWeights ? " per-channel" : " per-tensor")
                + (weightCalibrator != Calibrator.MIN_MAX ? " w:" + weightCalibrator : "")
                + (quantizesActivations() ? " a:" + activationCalibrator : "")
                + (biasCorrection ? " +bias" : "") + (varianceCorrection ? " +var" : "");
    }
}
