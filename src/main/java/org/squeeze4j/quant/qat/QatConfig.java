package org.squeeze4j.quant.qat;

import java.util.Objects;

/**
 * What {@link QatPreparation#prepare} inserts: weight and activation bit widths and how their
 * ranges are set.
 *
 * @param weightBits bits of the symmetric narrow weight grid (2..8)
 * @param activationBits bits of the unsigned hidden-activation grid (1..8)
 * @param perChannel one weight scale per output channel (Krishnamoorthi 2018, section 2.3) or per tensor
 * @param weightRange how the weight range follows the weights
 * @param activationRange EMA-tracked ranges ({@link FakeQuantActivation}) or learned PACT clipping ({@link PactLayer})
 * @param averagingConstant EMA constant of the activation observers, in (0, 1]
 * @param freezeAfter observed training steps after which activation observers freeze; -1 never
 * @param inputBits bits of the input quantizer (8: the engine quantizes inputs to uint8)
 * @param outputBits bits of the logits quantizer (8)
 */
public record QatConfig(int weightBits, int activationBits, boolean perChannel, WeightRange weightRange,
                        ActivationRange activationRange, double averagingConstant, long freezeAfter,
                        int inputBits, int outputBits) {

    /** How hidden activation ranges are set during QAT. */
    public enum ActivationRange {
        /** Exponential moving average of the batch min/max (Jacob et al. 2018). */
        EMA,
        /** Learned clipping level alpha per layer (Choi et al. 2018). */
        PACT
    }

    public QatConfig {
        if (weightBits < 2 || weightBits > 8) {
            throw new IllegalArgumentException("weight bits must be 2..8, got " + weightBits);
        }
        for (int b : new int[] {activationBits, inputBits, outputBits}) {
            if (b < 1 || b > 8) {
                throw new IllegalArgumentException("activation/input/output bits must be 1..8 (uint8 engine), got " + b);
            }
        }
        Objects.requireNonNull(weightRange, "weightRange");
        Objects.requireNonNull(activationRange, "activationRange");
        if (!(averagingConstant > 0 && averagingConstant <= 1)) {
            throw new IllegalArgumentException("averaging constant must be in (0, 1], got " + averagingConstant);
        }
        if (freezeAfter < -1) {
            throw new IllegalArgumentException("freezeAfter must be -1 (never) or >= 0, got " + freezeAfter);
        }
    }

    /**
     * W{@code w}A{@code a}: per-channel weights, {@link WeightRange#MAX_ABS} at 8 bits and
     * {@link WeightRange#MEAN_ABS} below, EMA activation ranges (constant 0.01), 8-bit input and
     * logits, no freezing.
     */
    public static QatConfig of(int weightBits, int activationBits) {
        return new QatConfig(weightBits, activationBits, true, weightBits >= 8 ? WeightRange.MAX_ABS : WeightRange.MEAN_ABS,
                ActivationRange.EMA, 0.01, -1, 8, 8);
    }

    public QatConfig withPact() {
        return new QatConfig(weightBits, activationBits, perChannel, weightRange, ActivationRange.PACT, averagingConstant,
                freezeAfter, inputBits, outputBits);
    }

    public QatConfig withWeightRange(WeightRange r) {
        return new QatConfig(weightBits, activationBits, perChannel, r, activationRange, averagingConstant, freezeAfter,
                inputBits, outputBits);
    }

    public QatConfig withPerChannel(boolean on) {
        return new QatConfig(weightBits, activationBits, on, weightRange, activationRange, averagingConstant, freezeAfter,
                inputBits, outputBits);
    }

    public QatConfig withFreezeAfter(long steps) {
        return new QatConfig(weightBits, activationBits, perChannel, weightRange, activationRange, averagingConstant, steps,
                inputBits, outputBits);
    }

    public QatConfig withAveragingConstant(double c) {
        return new QatConfig(weightBits, activationBits, perChannel, weightRange, activationRange, c, freezeAfter,
                inputBits, outputBits);
    }

    @Override
    public String toString() {
        return "W" + weightBits + "A" + activationBits + " (" + (perChannel ? "per-channel " : "per-tensor ") + weightRange
                + ", " + activationRange + ")";
    }
}
