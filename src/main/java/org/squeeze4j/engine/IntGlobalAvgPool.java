package org.squeeze4j.engine;

/**
 * Global average pooling in integers, {@code [C][H][W]} uint8 codes in, {@code [C]} out, onto its
 * own output grid (the mean of a ReLU map is far smaller than its maximum, so keeping the input
 * scale would waste most of the 256 codes):
 * <pre>
 *   q_out[c] = clamp(Z_out + MBQM(sum_{y,x} q_in[c][y][x] - H W Z_in, M), 0, 255),   M = s_in / (H W s_out)
 * </pre>
 * with MBQM gemmlowp's {@link FixedPoint#multiplyByQuantizedMultiplier}, as TFLite's quantized
 * {@code MEAN}. The sum is exact in int32 ({@code 255 H W < 2^31} for any map this engine runs).
 */
public final class IntGlobalAvgPool implements IntLayer {
    final int channels;
    final int height;
    final int width;
    final double inScale;
    final int inZeroPoint;
    final double outScale;
    final int outZeroPoint;
    final QuantizedMultiplier multiplier;

    public IntGlobalAvgPool(int channels, int height, int width, double inScale, int inZeroPoint, double outScale, int outZeroPoint) {
        if (channels <= 0 || height <= 0 || width <= 0 || (long) height * width > (1 << 23)) {
            throw new IllegalArgumentException("global average pooling needs positive sizes (at most 2^23 positions), got "
                    + channels + "x" + height + "x" + width);
        }
        WeightedLayer.checkScale(inScale, "input scale");
        WeightedLayer.checkScale(outScale, "output scale");
        WeightedLayer.checkZeroPoint(inZeroPoint, "input");
        WeightedLayer.checkZeroPoint(outZeroPoint, "output");
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.inScale = inScale;
        this.inZeroPoint = inZeroPoint;
        this.outScale = outScale;
        this.outZeroPoint = outZeroPoint;
        this.multiplier = QuantizedMultiplier.of(inScale / ((double) height * width * outScale));
    }

    @Override
    public int inputLength() {
        return channels * height * width;
    }

    @Override
    public int outputLength() {
        return channels;
    }

    @Override
    public void forward(byte[][] inputs, int m, byte[] out, Int8Kernel kernel, Workspace ws) {
        byte[] in = inputs[0];
        int plane = height * width;
        int offset = -plane * inZeroPoint;
        int m0 = multiplier.m0();
        int shift = multiplier.shift();
        for (int s = 0; s < m; s++) {
            for (int c = 0; c < channels; c++) {
                int base = (s * channels + c) * plane;
                int sum = offset;
                for (int i = 0; i < plane; i++) {
                    sum += in[base + i] & 0xFF;
                }
                int v = outZeroPoint + FixedPoint.multiplyByMultiplierUnchecked(sum, m0, shift);
                out[s * channels + c] = (byte) Math.max(0, Math.min(255, v));
            }
        }
    }

    @Override
    public int accumulatorLength() {
        return 0;
    }

    @Override
    public int patchLength() {
        return 0;
    }

    @Override
    public long macsPerSample() {
        return 0;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public double inScale() {
        return inScale;
    }

    public int inZeroPoint() {
        return inZeroPoint;
    }

    public double outScale() {
        return outScale;
    }

    public int outZeroPoint() {
        return outZeroPoint;
    }

    /** {@code M = s_in / (H W s_out)} in fixed point. */
    public QuantizedMultiplier multiplier() {
        return multiplier;
    }

    @Override
    public String describe() {
        return "global avg pool " + channels + "x" + height + "x" + width + " -> " + channels;
    }

    boolean sameParameters(IntGlobalAvgPool o) {
        return channels == o.channels && height == o.height && width == o.width && inScale == o.inScale
                && inZeroPoint == o.inZeroPoint && outScale == o.outScale && outZeroPoint == o.outZeroPoint;
    }
}
