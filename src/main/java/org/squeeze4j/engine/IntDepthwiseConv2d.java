package org.squeeze4j.engine;

/**
 * A depthwise 2D convolution in integers (depth multiplier 1, as MobileNet's): channel {@code c} of
 * the output is channel {@code c} of the input correlated with its own {@code kH x kW} filter,
 * {@code [C][inH][inW]} uint8 codes in, {@code [C][outH][outW]} out, weights {@code [C][kH][kW]}
 * (DL4J stores them {@code [kH, kW, C, 1]}). The arithmetic is {@link WeightedLayer}'s with
 * {@code depth = kH kW}: padded taps read the input zero point {@code Z_in}, so the per-channel
 * correction {@code Z_in sum_k q_w} holds at the borders too, exactly as in {@link IntConv2d}.
 * <pre>
 *   acc[c][y][x] = sum_{ky, kx} q_w[c][ky][kx] q_in[c][y sH + ky - padTop][x sW + kx - padLeft]
 * </pre>
 * A depthwise layer does {@code kH kW} multiply-adds per output value, too few for a matrix
 * kernel to pay off, so it runs as direct loops (each filter tap swept over a whole row).
 */
public final class IntDepthwiseConv2d extends WeightedLayer {
    final int channels;
    final int inH;
    final int inW;
    final int kH;
    final int kW;
    final int strideH;
    final int strideW;
    final int padTop;
    final int padLeft;
    final int outH;
    final int outW;

    /** A depthwise convolution whose output codes are clamped to {@code [relu ? Z_out : 0, hi]}. */
    public IntDepthwiseConv2d(int channels, int inH, int inW, int kH, int kW, int strideH, int strideW, int padTop, int padLeft,
                              int outH, int outW, byte[] weights, int[] bias, double inScale, int inZeroPoint,
                              double[] weightScales, double outScale, int outZeroPoint, boolean relu, int hi) {
        super(channels, kH * kW, weights, bias, inScale, inZeroPoint, weightScales, outScale, outZeroPoint, relu, hi);
        if (inH <= 0 || inW <= 0 || kH <= 0 || kW <= 0 || strideH <= 0 || strideW <= 0 || padTop < 0 || padLeft < 0
                || outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("depthwise convolution sizes must be positive (padding >= 0), got in " + channels
                    + "x" + inH + "x" + inW + ", kernel " + kH + "x" + kW + ", stride " + strideH + "x" + strideW + ", pad "
                    + padTop + "/" + padLeft + ", out " + outH + "x" + outW);
        }
        this.channels = channels;
        this.inH = inH;
        this.inW = inW;
        this.kH = kH;
        this.kW = kW;
        this.strideH = strideH;
        this.strideW = strideW;
        this.padTop = padTop;
        this.padLeft = padLeft;
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public int inputLength() {
        return channels * inH * inW;
    }

    @Override
    public int outputLength() {
        return channels * outH * outW;
    }

    @Override
    public int accumulatorLength() {
        return channels * outH * outW;
    }

    @Override
    public int patchLength() {
        return 0;
    }

    @Override
    public void forward(byte[][] inputs, int m, byte[] out, Int8Kernel kernel, Workspace ws) {
        byte[] in = inputs[0];
        int positions = outH * outW;
        int plane = inH * inW;
        int zIn = inZeroPoint;
        int[] acc = ws.acc;
        for (int s = 0; s < m; s++) {
            for (int c = 0; c < channels; c++) {
                int inBase = (s * channels + c) * plane;
                int w0 = c * depth;
                for (int oy = 0; oy < outH; oy++) {
                    for (int ox = 0; ox < outW; ox++) {
                        int sum = 0;
                        for (int ky = 0; ky < kH; ky++) {
                            int y = oy * strideH + ky - padTop;
                            boolean rowInside = y >= 0 && y < inH;
                            for (int kx = 0; kx < kW; kx++) {
                                int x = ox * strideW + kx - padLeft;
                                int q = rowInside && x >= 0 && x < inW ? in[inBase + y * inW + x] & 0xFF : zIn;
                                sum += q * weights[w0 + ky * kW + kx];
                            }
                        }
                        acc[(oy * outW + ox) * channels + c] = sum;
                    }
                }
            }
            int base = s * outputLength();
            for (int pos = 0; pos < positions; pos++) {
                requantize(acc, pos * channels, out, base + pos, positions);
            }
        }
    }

    public int channels() {
        return channels;
    }

    public int inHeight() {
        return inH;
    }

    public int inWidth() {
        return inW;
    }

    public int kernelHeight() {
        return kH;
    }

    public int kernelWidth() {
        return kW;
    }

    public int strideHeight() {
        return strideH;
    }

    public int strideWidth() {
        return strideW;
    }

    public int padTop() {
        return padTop;
    }

    public int padLeft() {
        return padLeft;
    }

    public int outHeight() {
        return outH;
    }

    public int outWidth() {
        return outW;
    }

    /** Padding at the bottom implied by the sizes (may be negative: unused rows). */
    public int padBottom() {
        return (outH - 1) * strideH + kH - inH - padTop;
    }

    /** Padding at the right, like {@link #padBottom()}. */
    public int padRight() {
        return (outW - 1) * strideW + kW - inW - padLeft;
    }

    @Override
    public long macsPerSample() {
        return (long) depth * channels * outH * outW;
    }

    @Override
    public String describe() {
        return "depthwise " + channels + "x" + inH + "x" + inW + " -> " + channels + "x" + outH + "x" + outW + " (" + kH + "x" + kW
                + ", stride " + strideH + ", pad " + padTop + "/" + padLeft + ")" + clampDescription();
    }
}
